package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"

	"github.com/BurntSushi/toml"

	"github.com/cadencebot/cadencebot/cadence"
)

// IntegrationConfig is one [[integrations]] entry: a pipeline allowed to
// propose releases through POST /api/releases. Its secrets are named here
// and read from the environment at start.
type IntegrationConfig struct {
	ID       string
	TokenEnv string // variable holding its Bearer token
	Owner    string // roster person it proposes for
	Changes  []cadence.ChangeType
	// WebhookURL, if set, is called with the release's events, signed
	// with the secret in WebhookSecretEnv.
	WebhookURL       string
	WebhookSecretEnv string
}

// MLflowConfig is the optional [mlflow] table: the model registry.
type MLflowConfig struct {
	URL      string
	TokenEnv string // default MLFLOW_TRACKING_TOKEN; may be unset
	Alias    string // set on approval; default "champion"
}

type integrationFile struct {
	ID               string   `toml:"id"`
	TokenEnv         string   `toml:"token_env"`
	Owner            string   `toml:"owner"`
	Changes          []string `toml:"changes"`
	WebhookURL       string   `toml:"webhook_url"`
	WebhookSecretEnv string   `toml:"webhook_secret_env"`
}

type mlflowFile struct {
	URL      string `toml:"url"`
	TokenEnv string `toml:"token_env"`
	Alias    string `toml:"alias"`
}

type approvalsFile struct {
	Retrain     *int `toml:"retrain"`
	NewModel    *int `toml:"new-model"`
	Rollback    *int `toml:"rollback"`
	FeatureFlag *int `toml:"feature-flag"`
	Data        *int `toml:"data-change"`
}

var (
	integrationID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	envName       = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
)

func (d *decoder) integrations(elems []toml.Primitive, cfg *Config) []IntegrationConfig {
	var out []IntegrationConfig
	seen := map[string]bool{}
	for i, prim := range elems {
		field := fmt.Sprintf("integrations[%d]", i)
		var f integrationFile
		if !d.decode(prim, field, &f) {
			continue
		}
		ic := IntegrationConfig{ID: f.ID, TokenEnv: f.TokenEnv, Owner: f.Owner, WebhookURL: f.WebhookURL, WebhookSecretEnv: f.WebhookSecretEnv}
		switch {
		case !integrationID.MatchString(f.ID):
			d.add(field+".id", "%q: use lower-case letters, digits, - and _ (e.g. \"github-actions\")", f.ID)
		case seen[f.ID]:
			d.add(field+".id", "duplicate integration id %q", f.ID)
		}
		seen[f.ID] = true
		if !envName.MatchString(f.TokenEnv) {
			d.add(field+".token_env", "%q: name the environment variable holding the token (e.g. \"CADENCEBOT_TOKEN_CI\"); the token itself never goes in the file", f.TokenEnv)
		}
		switch {
		case f.Owner == "":
			d.add(field+".owner", "who the pipeline proposes for: a person id (they cannot approve its releases)")
		case cfg.Roster.Person(f.Owner) == nil:
			d.add(field+".owner", "%q is not in [[people]]", f.Owner)
		}
		for j, c := range f.Changes {
			if !cadence.ChangeType(c).Valid() {
				d.add(fmt.Sprintf("%s.changes[%d]", field, j), "%q is not a change type (%s)", c, changeTypes())
				continue
			}
			ic.Changes = append(ic.Changes, cadence.ChangeType(c))
		}
		if f.WebhookURL != "" {
			if msg := checkHTTPS(f.WebhookURL); msg != "" {
				d.add(field+".webhook_url", "%s", msg)
			}
			if !envName.MatchString(f.WebhookSecretEnv) {
				d.add(field+".webhook_secret_env", "%q: name the environment variable holding the HMAC secret the webhook is signed with", f.WebhookSecretEnv)
			}
		} else if f.WebhookSecretEnv != "" {
			d.add(field+".webhook_secret_env", "set, but there is no webhook_url to sign for")
		}
		out = append(out, ic)
	}
	return out
}

func (d *decoder) mlflow(f *mlflowFile) *MLflowConfig {
	mc := &MLflowConfig{URL: f.URL, TokenEnv: f.TokenEnv, Alias: f.Alias}
	// The tracking token is sent there: https unless loopback.
	if msg := checkOutboundURL(f.URL); msg != "" {
		d.add("mlflow.url", "%s (the tracking server, e.g. \"https://mlflow.example.com\")", msg)
	}
	if mc.TokenEnv == "" {
		mc.TokenEnv = "MLFLOW_TRACKING_TOKEN"
	} else if !envName.MatchString(mc.TokenEnv) {
		d.add("mlflow.token_env", "%q: name the environment variable holding the token", mc.TokenEnv)
	}
	if mc.Alias == "" {
		mc.Alias = "champion"
	}
	return mc
}

// approvals reads [releases.approvals]: a count per change type.
func (d *decoder) approvals(f *approvalsFile) map[cadence.ChangeType]int {
	out := map[cadence.ChangeType]int{}
	for c, n := range map[cadence.ChangeType]*int{
		cadence.ChangeRetrain: f.Retrain, cadence.ChangeNewModel: f.NewModel, cadence.ChangeRollback: f.Rollback,
		cadence.ChangeFeatureFlag: f.FeatureFlag, cadence.ChangeData: f.Data,
	} {
		switch {
		case n == nil:
		case *n < 0 || *n > 10:
			d.add("releases.approvals."+string(c), "%d: want 0 (approved when proposed) to 10", *n)
		default:
			out[c] = *n
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// checkHTTPS accepts an https URL with a host; http only to this machine
// (a pipeline agent beside the bot, tests).
func checkHTTPS(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("%q is not a URL with a host", s)
	}
	local := slices.Contains([]string{"localhost", "127.0.0.1", "::1"}, u.Hostname())
	if u.Scheme != "https" && !(u.Scheme == "http" && local) {
		return fmt.Sprintf("%q: use https (http only to localhost)", s)
	}
	return ""
}

func changeTypes() string {
	out := ""
	for i, c := range cadence.ChangeTypes {
		if i > 0 {
			out += ", "
		}
		out += string(c)
	}
	return out
}
