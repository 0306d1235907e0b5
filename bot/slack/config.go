package slack

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
)

// Environment variables read by ConfigFromEnv.
const (
	EnvBotToken      = "SLACK_BOT_TOKEN"
	EnvAppToken      = "SLACK_APP_TOKEN"
	EnvSigningSecret = "SLACK_SIGNING_SECRET"
	EnvAPIURL        = "SLACK_API_URL"
)

// DefaultAPIURL is Slack's Web API; GovSlack uses https://slack-gov.com/api/.
const DefaultAPIURL = "https://slack.com/api/"

// ErrNotConfigured means no Slack credentials are set: the bot should use
// its local chat instead.
var ErrNotConfigured = errors.New("slack is not configured: " + EnvBotToken + " is not set")

// Mode is how Slack reaches the bot.
type Mode string

const (
	// ModeSocket: the bot opens a websocket to Slack (no public URL).
	ModeSocket Mode = "socket"
	// ModeHTTP: Slack posts events, interactions and slash commands to
	// the bot's HTTP server (HTTPHandler).
	ModeHTTP Mode = "http"
)

// Config holds the Slack credentials and endpoints. Build it with
// ConfigFromEnv; secrets come only from the environment.
type Config struct {
	BotToken      string // xoxb-…: every Web API call
	AppToken      string // xapp-…: Socket Mode only
	SigningSecret string // HTTP mode only
	// APIURL is the Web API base, ending in "/". Overridable for GovSlack
	// and tests ([slack] api_url in the config file).
	APIURL string
	Mode   Mode
}

// ConfigFromEnv reads the Slack settings through getenv (os.Getenv in
// main, a map in tests). It returns ErrNotConfigured when no Slack
// variable is set, and otherwise an error naming the wrong variable. It
// never includes a token in an error.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		BotToken:      getenv(EnvBotToken),
		AppToken:      getenv(EnvAppToken),
		SigningSecret: getenv(EnvSigningSecret),
		APIURL:        getenv(EnvAPIURL),
	}
	if c.BotToken == "" && c.AppToken == "" && c.SigningSecret == "" {
		return Config{}, ErrNotConfigured
	}
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	switch {
	case c.AppToken != "":
		c.Mode = ModeSocket
	case c.SigningSecret != "":
		c.Mode = ModeHTTP
	}
	return c, c.Validate()
}

// Validate checks the token formats and the API URL.
func (c Config) Validate() error {
	var errs []error
	if c.BotToken == "" {
		errs = append(errs, fmt.Errorf("%s is not set: copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page", EnvBotToken))
	} else if err := checkToken(c.BotToken, "xoxb-"); err != nil {
		errs = append(errs, fmt.Errorf("%s %w", EnvBotToken, err))
	}
	switch c.Mode {
	case ModeSocket:
		if err := checkToken(c.AppToken, "xapp-"); err != nil {
			errs = append(errs, fmt.Errorf("%s %w", EnvAppToken, err))
		}
	case ModeHTTP:
		if c.SigningSecret == "" {
			errs = append(errs, fmt.Errorf("%s is not set: HTTP mode needs the app's Signing Secret", EnvSigningSecret))
		} else if strings.TrimSpace(c.SigningSecret) != c.SigningSecret {
			errs = append(errs, fmt.Errorf("%s has leading or trailing white space", EnvSigningSecret))
		}
	default:
		errs = append(errs, fmt.Errorf("set %s (Socket Mode, recommended) or %s (HTTP mode)", EnvAppToken, EnvSigningSecret))
	}
	if err := checkAPIURL(c.APIURL); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// knownPrefixes name Slack token types, so a swapped token can be
// reported by its type without printing it.
var knownPrefixes = map[string]string{
	"xoxb-": "a bot token",
	"xapp-": "an app-level token",
	"xoxp-": "a user token",
	"xoxe-": "a refresh token",
	"xoxa-": "a workspace token",
}

func checkToken(tok, prefix string) error {
	if strings.IndexFunc(tok, unicode.IsSpace) >= 0 {
		return errors.New("contains white space (a stray newline or quote from copy-paste?)")
	}
	if strings.HasPrefix(tok, prefix) {
		if len(tok) < len(prefix)+10 {
			return fmt.Errorf("is too short to be a %s… token", prefix)
		}
		return nil
	}
	for p, kind := range knownPrefixes {
		if strings.HasPrefix(tok, p) {
			return fmt.Errorf("must start with %q, but holds %s (%s…)", prefix, kind, p)
		}
	}
	return fmt.Errorf("must start with %q (the value set, %d characters, does not)", prefix, len(tok))
}

func checkAPIURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("slack api_url %q: want an absolute http(s) URL such as %s", s, DefaultAPIURL)
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("slack api_url %q: plain http to another machine would send the bot token in clear text; use https (http is allowed on localhost only)", s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		return fmt.Errorf("slack api_url %q: must end with \"/\" (method names are appended to it)", s)
	}
	return nil
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
