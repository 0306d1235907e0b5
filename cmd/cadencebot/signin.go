package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/bot/local"
	"github.com/cadencebot/cadencebot/bot/webauth"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/dashboard"
)

// EnvBackupToken is the credential for GET /api/backup alone: the
// dashboard credential reads figures, and a copy of the whole database
// is more than that.
const EnvBackupToken = "CADENCEBOT_BACKUP_TOKEN"

// setupSignIn builds the OpenID Connect sign-in of [auth]; nil without it.
func (a *App) setupSignIn() (*webauth.Auth, error) {
	if a.cfg.Auth == nil {
		return nil, nil
	}
	secret := strings.TrimSpace(a.opts.Getenv(config.EnvOIDCClientSecret))
	if secret == "" {
		a.log.Warn().Str("issuer", a.cfg.Auth.Issuer).Msgf("%s is not set: sign-in works only with an issuer that takes a public client (PKCE without a secret); Slack and Entra ID web apps need it", config.EnvOIDCClientSecret)
	}
	return webauth.New(webauth.Config{
		AuthConfig: *a.cfg.Auth, ClientSecret: secret,
		Roster: a.cfg.Roster, LiveRoster: a.roster, Store: a.db, Now: a.opts.Clock.Now, Log: a.log,
		HTTPClient:  &http.Client{Timeout: 15 * time.Second},
		DropCookies: []http.Cookie{{Name: local.SessionCookie, Path: "/"}},
	})
}

// signedIn puts the signed-in person in the request's context.
func (a *App) signedIn(h http.Handler) http.Handler {
	if a.web == nil {
		return h
	}
	return a.web.Attach(h)
}

// readersOnly keeps team-wide figures (dashboard, API) to the roles that
// read reports, as the chat's /cadence report does: a signed-in
// specialist is refused. The dashboard credential and the trial, which
// name nobody, are decided by dashboard.Protect.
func (a *App) readersOnly(h http.Handler) http.Handler {
	if a.web == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := a.roster().Person(webauth.PersonFrom(r.Context())); p != nil && !p.Role.CanReadReports() {
			a.log.Info().Str("person", p.ID).Str("path", r.URL.Path).Msg("team figures refused to a " + string(p.Role))
			http.Error(w, fmt.Sprintf("Team-wide figures are for leads, managers and admins; %s is a %s. Your own prompts and answers are in your inbox (/me).", p.Name, p.Role), http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// chatAccess decides how the local chat learns who is acting: from the
// sign-in; nobody (read-only) off loopback or behind the dashboard
// credential; the roster picker only for the trial on loopback.
func (a *App) chatAccess(dash dashboard.Options) []local.Option {
	switch {
	case a.web != nil:
		return []local.Option{local.WithSignIn(func(r *http.Request) string { return webauth.PersonFrom(r.Context()) }, webauth.LogoutPath)}
	case !dash.Loopback || dash.HasCredential():
		return []local.Option{local.ReadOnly()}
	}
	return nil
}

// guardBackup lets a backup through for an admin's sign-in or the backup
// token; the dashboard credential and other people are refused. The
// trial on loopback, with no credential of any kind, stays open.
func (a *App) guardBackup(dash dashboard.Options, next http.Handler) http.Handler {
	token := sha256.Sum256([]byte(strings.TrimSpace(a.opts.Getenv(EnvBackupToken))))
	hasToken := strings.TrimSpace(a.opts.Getenv(EnvBackupToken)) != ""
	trial := dash.Loopback && !dash.HasCredential() && a.web == nil && !hasToken
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if trial {
			next.ServeHTTP(w, r)
			return
		}
		if hasToken {
			if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
				got := sha256.Sum256([]byte(strings.TrimSpace(t)))
				if subtle.ConstantTimeCompare(got[:], token[:]) == 1 {
					next.ServeHTTP(w, r)
					return
				}
			}
		}
		refuse := func(code int, msg string) {
			a.log.Warn().Str("path", r.URL.Path).Str("remote", r.RemoteAddr).Int("status", code).Msg("backup refused")
			if code == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="cadencebot backup"`)
			}
			http.Error(w, msg, code)
		}
		if id := webauth.PersonFrom(r.Context()); id != "" {
			if p := a.roster().Person(id); p != nil && p.Role == cadence.RoleAdmin {
				next.ServeHTTP(w, r)
				return
			}
			refuse(http.StatusForbidden, fmt.Sprintf("only admins download backups; %s is not an admin (or use %s)", id, EnvBackupToken))
			return
		}
		if dash.Credential(r) {
			refuse(http.StatusForbidden, "the dashboard credential does not download backups: use "+EnvBackupToken+" or an admin's sign-in")
			return
		}
		refuse(http.StatusUnauthorized, "a backup needs "+EnvBackupToken+" (Authorization: Bearer …) or an admin's sign-in")
	})
}

// roster is the roster in force: the config's at start, the reloaded
// one after a reload (reload.go). Only called while serving, after
// newApp has built the engine.
func (a *App) roster() *cadence.Roster { return a.eng.Roster() }
