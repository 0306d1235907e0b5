package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// EnvOIDCClientSecret holds the OpenID Connect client secret of [auth]:
// like every secret, it is read from the environment only.
const EnvOIDCClientSecret = "CADENCEBOT_OIDC_CLIENT_SECRET"

// Claims that name a roster person, and the roster field each is matched
// against: email (any issuer; people's email), Slack's user id (Sign in
// with Slack; people's slack = "U…"), Entra ID's object id (people's
// teams = the AAD object id).
const (
	ClaimEmail       = "email"
	ClaimSlackUserID = "https://slack.com/user_id"
	ClaimEntraOID    = "oid"
)

// Defaults of the [auth] table.
const (
	DefaultAuthSessionHours = 12
	AuthCallbackPath        = "/auth/callback"
)

// DefaultAuthScopes are asked for when the file lists none.
var DefaultAuthScopes = []string{"openid", "email", "profile"}

// AuthConfig is the optional [auth] table: sign-in with OpenID Connect for
// the web pages (local chat, /ops, dashboard, API). nil: no sign-in.
type AuthConfig struct {
	Issuer      string   // https://slack.com, https://login.microsoftonline.com/<tenant>/v2.0, …
	ClientID    string   // the app's client id at the issuer (not a secret)
	RedirectURL string   // where the issuer sends the browser back; default bot.public_url + /auth/callback
	Scopes      []string // openid is always included
	Claim       string   // ClaimEmail, ClaimSlackUserID or ClaimEntraOID
	Session     time.Duration
}

type authFile struct {
	Issuer       string    `toml:"issuer"`
	ClientID     string    `toml:"client_id"`
	RedirectURL  string    `toml:"redirect_url"`
	Scopes       *[]string `toml:"scopes"`
	Claim        string    `toml:"claim"`
	SessionHours *int      `toml:"session_hours"`
}

var authClaims = []string{ClaimEmail, ClaimSlackUserID, ClaimEntraOID}

func (d *decoder) auth(f *authFile, bot BotConfig) *AuthConfig {
	a := &AuthConfig{
		Issuer: strings.TrimSuffix(f.Issuer, "/"), ClientID: f.ClientID, RedirectURL: f.RedirectURL,
		Scopes: DefaultAuthScopes, Claim: or(f.Claim, ClaimEmail), Session: DefaultAuthSessionHours * time.Hour,
	}
	if f.Issuer == "" {
		d.add("auth.issuer", `is required: the OpenID Connect issuer, e.g. "https://slack.com" or "https://login.microsoftonline.com/<tenant id>/v2.0"`)
	} else if msg := checkSecureURL(f.Issuer); msg != "" {
		d.add("auth.issuer", "%s", msg)
	}
	if f.ClientID == "" {
		d.add("auth.client_id", "is required: the client id the issuer gave the app")
	}
	switch {
	case a.RedirectURL != "":
		if msg := checkSecureURL(a.RedirectURL); msg != "" {
			d.add("auth.redirect_url", "%s", msg)
		}
	case bot.PublicURL != "":
		a.RedirectURL = strings.TrimSuffix(bot.PublicURL, "/") + AuthCallbackPath
	default:
		d.add("auth.redirect_url", "is required without bot.public_url: the URL the issuer sends people back to, ending in %s", AuthCallbackPath)
	}
	if a.RedirectURL != "" {
		if u, err := url.Parse(a.RedirectURL); err == nil && u.Path != AuthCallbackPath {
			d.add("auth.redirect_url", "%q must end in %s, where the bot takes the issuer's answer", a.RedirectURL, AuthCallbackPath)
		}
	}
	if f.Scopes != nil {
		a.Scopes = *f.Scopes
		if !slices.Contains(a.Scopes, "openid") {
			a.Scopes = append([]string{"openid"}, a.Scopes...)
		}
	}
	d.oneOf("auth.claim", a.Claim, authClaims...)
	if n := f.SessionHours; n != nil {
		if *n < 1 || *n > 24*30 {
			d.add("auth.session_hours", "%d: a session lasts from 1 hour to 720 (30 days)", *n)
		} else {
			a.Session = time.Duration(*n) * time.Hour
		}
	}
	return a
}

// checkSecureURL accepts https, and plain http only to a loopback host
// (an issuer run on the same machine in a test).
func checkSecureURL(s string) string {
	if msg := checkURL(s); msg != "" {
		return msg
	}
	u, _ := url.Parse(s)
	if u.Scheme == "https" {
		return ""
	}
	switch h := u.Hostname(); {
	case h == "localhost", h == "127.0.0.1", h == "::1":
		return ""
	}
	return fmt.Sprintf("%q must be https (plain http only to localhost)", s)
}
