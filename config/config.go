// Package config loads cadencebot's TOML file into domain objects and
// refuses a bad file at load, naming file, line and field for every
// problem found (not only the first).
//
// Secrets are not part of the file: they come from the environment (see
// the Env* constants), and a key that looks like one is refused.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"time"
	_ "time/tzdata" // zones must resolve in a scratch container too

	"github.com/BurntSushi/toml"

	"github.com/cadencebot/cadencebot/cadence"
)

// Config is a loaded, validated configuration.
type Config struct {
	Path string // the file it came from, as given to Load
	// Hash identifies the file's bytes (16 hex digits of SHA-256): the
	// leader writes it in its lease so replicas can tell their configs
	// differ.
	Hash    string
	Bot     BotConfig
	Slack   SlackConfig
	Teams   TeamsConfig
	Digest  *DigestConfig // nil: no [digest] table, no digest
	People  []*cadence.Person
	Rituals []*cadence.Ritual
	Roster  *cadence.Roster

	Releases ReleasesConfig // [releases]: who approves the release lane
	Auth     *AuthConfig    // [auth]: sign-in with OpenID Connect; nil without the table

	Integrations []IntegrationConfig // [[integrations]]: pipelines using POST /api/releases
	MLflow       *MLflowConfig       // [mlflow]: nil without a model registry
	Store        StoreConfig         // [store]: which database driver
	// Language is [team] language: channel posts are written in it, and
	// people without a language of their own are written to in it.
	Language string

	Rotations []*cadence.Rotation // [[rotations]]: on-call rotations

	// Source is the text of the file (without the store's part): what a
	// change made from chat or the web is checked together with.
	Source []byte
	// Managed are the rituals and people kept in the store, by
	// Definition.Key ("ritual:standup"), archived ones included; nil when
	// the config was read from the file alone.
	Managed map[string]*cadence.Definition

	// Warnings are legal but probably unintended settings (a facilitator
	// who is not a participant), in line order; config check prints them
	// and run logs them.
	Warnings Errors
}

// BotConfig is the [bot] table.
type BotConfig struct {
	Timezone        *time.Location // default zone of people and rituals
	Database        string         // bbolt file, relative to the working directory
	Listen          string         // HTTP address for health, metrics, API and the local chat
	LogLevel        string         // trace, debug, info, warn or error
	LogFormat       string         // console or json
	PublicURL       string         // how people reach the bot's pages; empty: derived from Listen
	DefaultPlatform string         // local, slack or teams; rituals without a platform use it
	// OutboxRetention is how long a delivered message keeps its content
	// in the database; after it only its key, reference and revision stay.
	OutboxRetention time.Duration
}

// SlackConfig is the [slack] table; tokens come from SLACK_* variables.
type SlackConfig struct {
	APIURL string // Web API base, overridden in tests to a fake server
	Mode   string // socket (no public URL needed) or http (Events API)
}

// TeamsConfig is the [teams] table; the app id and password come from
// TEAMS_* variables.
type TeamsConfig struct {
	TokenURL          string // OAuth token endpoint for Bot Framework
	OpenIDMetadataURL string // where inbound JWT signing keys are published
	ServiceURL        string // Bot Connector URL for proactive 1:1 chats with people not heard from yet; usually empty
}

// Defaults for keys a file may omit.
const (
	DefaultDatabase = "cadencebot.db"
	// DefaultOutboxRetentionDays is also the least allowed.
	DefaultOutboxRetentionDays = 30
	MinOutboxRetentionDays     = 30
	DefaultListen              = "127.0.0.1:8080"
	DefaultLogLevel            = "info"
	DefaultLogFormat           = "console"
	DefaultPlatform            = "local"
	DefaultSlackAPIURL         = "https://slack.com/api/"
	DefaultSlackMode           = "socket"
	// DefaultTeamsTokenURL is empty: a single-tenant bot gets its tokens
	// from its own tenant's endpoint, which bot/teams derives from
	// TEAMS_TENANT_ID.
	DefaultTeamsTokenURL      = ""
	DefaultTeamsOpenIDMetaURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
)

// Ritual returns the ritual with the given ID, or nil.
func (c *Config) Ritual(id string) *cadence.Ritual {
	for _, r := range c.Rituals {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Load reads and validates the file at path. A validation failure is an
// Errors value listing every problem.
func Load(path string) (*Config, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the config file: %w", err)
	}
	cfg, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// Parse validates data; name is used in error messages and as Config.Path.
func Parse(name string, data []byte) (*Config, error) {
	if err := checkLimits(name, string(data)); err != nil {
		return nil, err
	}
	var f fileConfig
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, Errors{{File: name, Line: pe.Position.Line, Field: pe.LastKey, Msg: pe.Message}}
		}
		// Only a top-level key of the wrong kind gets here (people = "x").
		field, msg := typeError(err)
		return nil, Errors{{File: name, Line: scanPositions(string(data)).line(field), Field: field, Msg: msg}}
	}
	d := &decoder{
		collector: collector{file: name, src: string(data)},
		md:        &md,
	}
	cfg := d.config(&f)
	if err := d.err(); err != nil {
		return nil, err
	}
	cfg.Path = name
	sum := sha256.Sum256(data)
	cfg.Hash = hex.EncodeToString(sum[:8])
	cfg.Source = data
	sortByLine(d.warns)
	cfg.Warnings = d.warns
	return cfg, nil
}

// decoder turns the decoded file into a Config, collecting problems.
type decoder struct {
	collector
	md       *toml.MetaData
	index    *peopleIndex // built from cfg.People on first use
	mistyped []mistyped   // sections and elements left for typeErrors
}

func (d *decoder) config(f *fileConfig) *Config {
	cfg := &Config{}
	var bf botFile
	var sf slackFile
	var tf teamsFile
	d.decode(f.Bot, "bot", &bf)
	d.decode(f.Slack, "slack", &sf)
	d.decode(f.Teams, "teams", &tf)
	cfg.Bot = d.bot(&bf)
	cfg.Slack = d.slack(&sf)
	cfg.Teams = d.teams(&tf)

	var tmf teamFile
	d.decode(f.Team, "team", &tmf)
	cfg.Language = d.language("team.language", tmf.Language)
	cfg.People = d.people(f.People, cfg.Bot.Timezone)
	cfg.Roster = cadence.NewRoster(cfg.People).WithLanguage(cfg.Language)
	// Rotations first: hand-off rituals name one.
	cfg.Rotations = d.rotations(f.Rotations, cfg)
	cfg.Rituals = d.rituals(f.Rituals, cfg)
	if d.md.IsDefined("digest") {
		var df digestFile
		if d.decode(f.Digest, "digest", &df) {
			cfg.Digest = d.digest(&df, cfg)
		}
	}
	if d.md.IsDefined("releases") {
		var rf releasesFile
		if d.decode(f.Releases, "releases", &rf) {
			cfg.Releases = d.releases(&rf, cfg)
		}
	}
	if d.md.IsDefined("auth") {
		var af authFile
		if d.decode(f.Auth, "auth", &af) {
			cfg.Auth = d.auth(&af, cfg.Bot)
		}
	}
	cfg.Integrations = d.integrations(f.Integrations, cfg)
	if d.md.IsDefined("mlflow") {
		var mf mlflowFile
		if d.decode(f.MLflow, "mlflow", &mf) {
			cfg.MLflow = d.mlflow(&mf)
		}
	}
	var stf storeFile
	d.decode(f.Store, "store", &stf)
	cfg.Store = d.store(&stf)
	d.unknownKeys()
	d.typeErrors()
	return cfg
}

// decode fills v from one section or array element. On a type mistake v
// is left partly filled and false returned; the mistakes are reported by
// typeErrors once the file is converted.
func (d *decoder) decode(p toml.Primitive, field string, v any) bool {
	err := d.md.PrimitiveDecode(p, v)
	if err == nil {
		return true
	}
	d.mistyped = append(d.mistyped, mistyped{p, field, reflect.TypeOf(v).Elem(), err})
	return false
}

// mistyped is a section or element toml refused to decode.
type mistyped struct {
	p     toml.Primitive
	field string
	t     reflect.Type
	err   error
}

// typeErrors reports every value of the wrong type in each section or
// element that failed to decode. toml stops at the first mistake it meets,
// in map order, so the value is decoded again one key at a time in schema
// order. That marks its keys decoded, so it runs after unknownKeys has
// read the undecoded ones: no second decode of the file is needed.
func (d *decoder) typeErrors() {
	for _, m := range d.mistyped {
		before := len(d.errs)
		d.fieldErrors(d.md, m.p, m.field, m.t)
		if len(d.errs) == before {
			// Never let a value toml refused pass silently.
			d.add(m.field, "%s", typeMessage(m.err))
		}
	}
}

var unmarshalerType = reflect.TypeFor[toml.Unmarshaler]()

// isTable reports whether t is decoded key by key (dateValue is not).
func isTable(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(unmarshalerType)
}

func (d *decoder) fieldErrors(md *toml.MetaData, prim toml.Primitive, path string, t reflect.Type) {
	switch {
	case t.Kind() == reflect.Pointer:
		d.fieldErrors(md, prim, path, t.Elem())
	case t.Kind() == reflect.Slice && isTable(t.Elem()):
		var elems []toml.Primitive
		if err := md.PrimitiveDecode(prim, &elems); err != nil {
			d.add(path, "%s", typeMessage(err))
			return
		}
		for i, e := range elems {
			d.fieldErrors(md, e, fmt.Sprintf("%s[%d]", path, i), t.Elem())
		}
	case isTable(t):
		// Decoding a non-table into a map succeeds with an empty map in
		// toml v1.6.0, so look at the raw value first.
		var raw any
		if err := md.PrimitiveDecode(prim, &raw); err == nil && raw != nil {
			if _, ok := raw.(map[string]any); !ok {
				d.add(path, "must be a table, not %s", tomlTypeName(raw))
				return
			}
		}
		var parts map[string]toml.Primitive
		if err := md.PrimitiveDecode(prim, &parts); err != nil {
			d.add(path, "%s", typeMessage(err))
			return
		}
		for _, key := range knownKeysOf(t) {
			if p, ok := parts[key]; ok {
				d.fieldErrors(md, p, path+"."+key, fieldType(t, key))
			}
		}
	default:
		if err := md.PrimitiveDecode(prim, reflect.New(t).Interface()); err != nil {
			d.add(path, "%s", typeMessage(err))
		}
	}
}

func (d *decoder) bot(f *botFile) BotConfig {
	b := BotConfig{
		Timezone:        time.UTC,
		Database:        or(f.Database, DefaultDatabase),
		Listen:          or(f.Listen, DefaultListen),
		LogLevel:        or(f.LogLevel, DefaultLogLevel),
		LogFormat:       or(f.LogFormat, DefaultLogFormat),
		PublicURL:       f.PublicURL,
		DefaultPlatform: or(f.Platform, DefaultPlatform),
		OutboxRetention: DefaultOutboxRetentionDays * 24 * time.Hour,
	}
	if n := f.OutboxRetentionDays; n != nil {
		if *n < MinOutboxRetentionDays {
			d.add("bot.outbox_retention_days", "%d days: the minimum is %d (the local chat shows a month of messages, and an agenda is reworded when its ritual closes)", *n, MinOutboxRetentionDays)
		} else {
			b.OutboxRetention = time.Duration(*n) * 24 * time.Hour
		}
	}
	if f.Timezone != "" {
		if loc, msg := loadZone(f.Timezone); msg != "" {
			d.add("bot.timezone", "%s", msg)
		} else {
			b.Timezone = loc
		}
	}
	if msg := checkHostPort(b.Listen); msg != "" {
		d.add("bot.listen", "%s", msg)
	}
	d.oneOf("bot.log_level", b.LogLevel, "trace", "debug", "info", "warn", "error")
	d.oneOf("bot.log_format", b.LogFormat, "console", "json")
	d.oneOf("bot.platform", b.DefaultPlatform, platforms...)
	if b.PublicURL != "" {
		if msg := checkURL(b.PublicURL); msg != "" {
			d.add("bot.public_url", "%s", msg)
		}
	}
	return b
}

var platforms = []string{"local", "slack", "teams"}

func (d *decoder) slack(f *slackFile) SlackConfig {
	s := SlackConfig{APIURL: or(f.APIURL, DefaultSlackAPIURL), Mode: or(f.Mode, DefaultSlackMode)}
	if msg := checkOutboundURL(s.APIURL); msg != "" {
		d.add("slack.api_url", "%s", msg)
	}
	d.oneOf("slack.mode", s.Mode, "socket", "http")
	return s
}

func (d *decoder) teams(f *teamsFile) TeamsConfig {
	t := TeamsConfig{
		TokenURL:          or(f.TokenURL, DefaultTeamsTokenURL),
		OpenIDMetadataURL: or(f.OpenIDMetadataURL, DefaultTeamsOpenIDMetaURL),
		ServiceURL:        f.ServiceURL,
	}
	for _, u := range []struct{ field, value string }{
		{"teams.token_url", t.TokenURL},
		{"teams.openid_metadata_url", t.OpenIDMetadataURL},
		{"teams.service_url", t.ServiceURL},
	} {
		if u.value != "" {
			if msg := checkOutboundURL(u.value); msg != "" {
				d.add(u.field, "%s", msg)
			}
		}
	}
	return t
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
