package teams

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/rs/zerolog"
)

// Public Bot Framework endpoints (the commercial cloud). Sovereign clouds
// and tests override them through Config.
const (
	DefaultOpenIDMetadataURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	DefaultIssuer            = "https://api.botframework.com"
	DefaultTokenScope        = "https://api.botframework.com/.default"
	tokenURLTemplate         = "https://login.microsoftonline.com/%s/oauth2/v2.0/token"
)

// Environment variables read by ConfigFromEnv.
const (
	EnvAppID          = "TEAMS_APP_ID"
	EnvAppPassword    = "TEAMS_APP_PASSWORD"
	EnvTenantID       = "TEAMS_TENANT_ID"
	EnvTokenURL       = "TEAMS_TOKEN_URL"
	EnvOpenIDMetadata = "TEAMS_OPENID_METADATA_URL"
	EnvServiceURL     = "TEAMS_SERVICE_URL"
)

// ErrNotConfigured is returned by ConfigFromEnv when no Teams variable is
// set at all: the bot runs without Teams.
var ErrNotConfigured = errors.New("teams: not configured (" + EnvAppID + ", " + EnvAppPassword + " and " + EnvTenantID + " are unset)")

// Config is what the adapter needs to talk to the Bot Framework as a
// single-tenant bot. AppPassword is a secret: String and the zerolog
// marshaller leave it out.
type Config struct {
	AppID       string // the Azure Bot's Microsoft App ID (a GUID)
	AppPassword string // its client secret
	TenantID    string // the one tenant the bot serves

	// TokenURL defaults to the tenant's v2.0 token endpoint.
	TokenURL string
	// TokenScope defaults to DefaultTokenScope.
	TokenScope string
	// OpenIDMetadataURL defaults to DefaultOpenIDMetadataURL; its jwks_uri
	// gives the keys inbound tokens are signed with.
	OpenIDMetadataURL string
	// Issuer of inbound tokens; defaults to DefaultIssuer.
	Issuer string
	// ServiceURL, when set, lets the bot open a 1:1 chat with someone it
	// has no conversation reference for yet (e.g.
	// https://smba.trafficmanager.net/teams/). Without it such people are
	// reported as not having installed the app.
	ServiceURL string
}

// ConfigFromEnv reads the Teams configuration. It returns ErrNotConfigured
// when none of the three required variables is set, and an error naming
// each missing or malformed variable otherwise. It never echoes the
// password.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	c := Config{
		AppID:             get(EnvAppID),
		AppPassword:       getenv(EnvAppPassword), // secrets may legitimately contain spaces
		TenantID:          get(EnvTenantID),
		TokenURL:          get(EnvTokenURL),
		OpenIDMetadataURL: get(EnvOpenIDMetadata),
		ServiceURL:        get(EnvServiceURL),
	}
	if c.AppID == "" && c.AppPassword == "" && c.TenantID == "" {
		return Config{}, ErrNotConfigured
	}
	var missing []string
	for _, v := range []struct{ name, val string }{{EnvAppID, c.AppID}, {EnvAppPassword, c.AppPassword}, {EnvTenantID, c.TenantID}} {
		if v.val == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("teams: %s not set (Teams needs %s, %s and %s)", strings.Join(missing, " and "), EnvAppID, EnvAppPassword, EnvTenantID)
	}
	c = c.withDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func (c Config) withDefaults() Config {
	if c.TokenURL == "" && c.TenantID != "" {
		c.TokenURL = fmt.Sprintf(tokenURLTemplate, url.PathEscape(c.TenantID))
	}
	if c.TokenScope == "" {
		c.TokenScope = DefaultTokenScope
	}
	if c.OpenIDMetadataURL == "" {
		c.OpenIDMetadataURL = DefaultOpenIDMetadataURL
	}
	if c.Issuer == "" {
		c.Issuer = DefaultIssuer
	}
	return c
}

// Validate checks a config after defaults are applied; errors name the
// environment variable behind the field.
func (c Config) Validate() error {
	var errs []error
	if c.AppID == "" {
		errs = append(errs, fmt.Errorf("teams: %s is empty", EnvAppID))
	}
	if c.AppPassword == "" {
		errs = append(errs, fmt.Errorf("teams: %s is empty", EnvAppPassword))
	}
	if c.TenantID == "" {
		errs = append(errs, fmt.Errorf("teams: %s is empty", EnvTenantID))
	}
	for _, u := range []struct{ name, val string }{{EnvTokenURL, c.TokenURL}, {EnvOpenIDMetadata, c.OpenIDMetadataURL}, {EnvServiceURL, c.ServiceURL}} {
		if u.val == "" && u.name == EnvServiceURL {
			continue
		}
		if err := checkEndpoint(u.val); err != nil {
			errs = append(errs, fmt.Errorf("teams: %s: %w", u.name, err))
		}
	}
	return errors.Join(errs...)
}

// checkEndpoint accepts https URLs, and plain http only on the loopback
// interface (the Bot Framework Emulator, tests): the bot's bearer token
// must never cross a network in clear text.
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q: plain http is only allowed on localhost", raw)
	}
	return fmt.Errorf("%q: want an https URL", raw)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String describes the config without the password.
func (c Config) String() string {
	pw := "unset"
	if c.AppPassword != "" {
		pw = "set"
	}
	return fmt.Sprintf("teams{app=%s tenant=%s password=%s token=%s openid=%s}", c.AppID, c.TenantID, pw, c.TokenURL, c.OpenIDMetadataURL)
}

// GoString keeps %#v from printing the password.
func (c Config) GoString() string { return c.String() }

// MarshalZerologObject logs the config without the password.
func (c Config) MarshalZerologObject(e *zerolog.Event) {
	e.Str("app_id", c.AppID).Str("tenant", c.TenantID).Bool("password_set", c.AppPassword != "").
		Str("token_url", c.TokenURL).Str("openid_metadata_url", c.OpenIDMetadataURL)
}
