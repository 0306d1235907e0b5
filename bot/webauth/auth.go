package webauth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/rs/zerolog"
	"golang.org/x/oauth2"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// Paths the Handler serves; mount it at "/auth/".
const (
	LoginPath    = "/auth/login"
	CallbackPath = config.AuthCallbackPath
	LogoutPath   = "/auth/logout"
)

// Config is what Auth needs: the [auth] table, the client secret from
// the environment, and the bot's roster, store and clock.
type Config struct {
	config.AuthConfig
	ClientSecret string // from CADENCEBOT_OIDC_CLIENT_SECRET; never logged
	Roster       *cadence.Roster
	// LiveRoster, if set, is asked instead of Roster on every request, so
	// a config reload that removes someone ends their sessions at once.
	LiveRoster func() *cadence.Roster
	Store      cadence.Store
	Now        func() time.Time // session expiry; the ID token's times are checked against the real clock
	Log        zerolog.Logger
	// HTTPClient reaches the issuer (discovery, keys, token exchange).
	HTTPClient *http.Client
	// DropCookies are cookies of the pages (name and path) expired at
	// sign-in and sign-out, so nothing set before carries over.
	DropCookies []http.Cookie
}

// Auth signs people in with OpenID Connect.
type Auth struct {
	c      Config
	secure bool // the redirect URL is https: Secure, __Host- cookies
	cookie string
	state  string

	mu       sync.Mutex
	provider *oidc.Provider // discovered on first use, so an issuer down at start stops nothing
}

// New checks c and returns the sign-in; the issuer is contacted on the
// first sign-in.
func New(c Config) (*Auth, error) {
	if c.Issuer == "" || c.ClientID == "" || c.RedirectURL == "" {
		return nil, errors.New("webauth: issuer, client id and redirect URL are required")
	}
	if (c.Roster == nil && c.LiveRoster == nil) || c.Store == nil || c.Now == nil {
		return nil, errors.New("webauth: roster, store and clock are required")
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	a := &Auth{c: c, secure: strings.HasPrefix(c.RedirectURL, "https://"), cookie: "cadence_signin", state: "cadence_signin_state"}
	if a.secure {
		a.cookie, a.state = "__Host-"+a.cookie, "__Host-"+a.state
	}
	a.c.Log = c.Log.With().Str("component", "sign-in").Logger()
	return a, nil
}

type ctxKey struct{}

// PersonFrom returns the person Attach found signed in, or "".
func PersonFrom(ctx context.Context) string {
	p, _ := ctx.Value(ctxKey{}).(string)
	return p
}

// Attach puts the signed-in person, if any, in the request's context.
// It refuses nothing: what needs a sign-in says so (Require, the pages).
func (a *Auth) Attach(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := a.person(r); p != "" {
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, p))
		}
		next.ServeHTTP(w, r)
	})
}

// person returns the roster person of the request's live session, or "".
func (a *Auth) person(r *http.Request) string {
	ck, err := r.Cookie(a.cookie)
	if err != nil || ck.Value == "" {
		return ""
	}
	var rec record
	ok, err := get(r.Context(), a.c.Store, nsSessions, ck.Value, &rec)
	if err != nil {
		a.c.Log.Error().Err(err).Msg("reading a session failed; treated as signed out")
		return ""
	}
	if !ok || !a.c.Now().Before(rec.Expires) || a.roster().Person(rec.Person) == nil {
		return ""
	}
	return rec.Person
}

// LoginURL is where a page sends a visitor who is not signed in; they
// come back to next (a path on this server) afterwards.
func LoginURL(next string) string { return LoginPath + "?next=" + url.QueryEscape(next) }

// Handler serves sign-in, the issuer's callback and sign-out.
func (a *Auth) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+LoginPath, a.login)
	mux.HandleFunc("GET "+CallbackPath, a.callback)
	mux.HandleFunc("POST "+LogoutPath, a.logout)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.page(w, http.StatusNotFound, "Page not found", "There is no sign-in page at "+r.URL.Path+".", true)
	})
	return mux
}

// oauth returns the OAuth2 client and ID token verifier, discovering the
// issuer on first use.
func (a *Auth) oauth(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.provider == nil {
		p, err := oidc.NewProvider(oidc.ClientContext(context.WithoutCancel(ctx), a.c.HTTPClient), a.c.Issuer) // kept past this request
		if err != nil {
			return nil, nil, err
		}
		a.provider = p
	}
	oc := &oauth2.Config{
		ClientID: a.c.ClientID, ClientSecret: a.c.ClientSecret, RedirectURL: a.c.RedirectURL,
		Endpoint: a.provider.Endpoint(), Scopes: a.c.Scopes,
	}
	return oc, a.provider.VerifierContext(oidc.ClientContext(context.WithoutCancel(ctx), a.c.HTTPClient), &oidc.Config{ClientID: a.c.ClientID}), nil
}

// login starts the code flow: a fresh state (also in a cookie, binding
// the flow to this browser), nonce and PKCE verifier, kept server-side.
func (a *Auth) login(w http.ResponseWriter, r *http.Request) {
	oc, _, err := a.oauth(r.Context())
	if err != nil {
		a.c.Log.Error().Err(err).Str("issuer", a.c.Issuer).Msg("the sign-in provider could not be reached")
		a.page(w, http.StatusBadGateway, "Sign-in is unavailable",
			"The sign-in provider ("+a.c.Issuer+") could not be reached. Try again in a minute; the bot's log has the details.", false)
		return
	}
	now := a.c.Now()
	state := newSecret()
	f := flow{Nonce: newSecret(), Verifier: oauth2.GenerateVerifier(), Next: safeNext(r.URL.Query().Get("next")), Expires: now.Add(flowTTL)}
	if err := put(r.Context(), a.c.Store, nsFlows, state, f); err != nil {
		a.c.Log.Error().Err(err).Msg("storing a sign-in failed")
		a.page(w, http.StatusInternalServerError, "Sign-in failed", "The bot could not record the sign-in; the error was logged.", false)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: a.state, Value: state, Path: "/", MaxAge: int(flowTTL / time.Second),
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, oc.AuthCodeURL(state, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), http.StatusFound)
}

// callback takes the issuer's answer: the state must be this browser's,
// the code is exchanged with the PKCE verifier, the ID token verified
// (issuer, audience, expiry, signature) and its nonce checked; then the
// account is matched to a roster person and a new session begins.
func (a *Auth) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a.expire(w, a.state)
	if e := q.Get("error"); e != "" {
		a.c.Log.Info().Str("error", e).Msg("the issuer refused the sign-in")
		a.page(w, http.StatusUnauthorized, "Sign-in was not completed", "The sign-in provider answered: "+e+" "+q.Get("error_description"), true)
		return
	}
	ck, err := r.Cookie(a.state)
	state := q.Get("state")
	if err != nil || state == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(state)) != 1 {
		a.page(w, http.StatusBadRequest, "Sign-in expired",
			"This sign-in was started in another browser, or more than 10 minutes ago. Start again.", true)
		return
	}
	var f flow
	ok, err := take(r.Context(), a.c.Store, nsFlows, state, &f)
	if err != nil || !ok || !a.c.Now().Before(f.Expires) {
		if err != nil {
			a.c.Log.Error().Err(err).Msg("reading a sign-in failed")
		}
		a.page(w, http.StatusBadRequest, "Sign-in expired", "This sign-in was already used, or started more than 10 minutes ago. Start again.", true)
		return
	}
	oc, verifier, err := a.oauth(r.Context())
	if err != nil {
		a.c.Log.Error().Err(err).Str("issuer", a.c.Issuer).Msg("the sign-in provider could not be reached")
		a.page(w, http.StatusBadGateway, "Sign-in is unavailable", "The sign-in provider could not be reached. Try again in a minute.", true)
		return
	}
	ctx := oidc.ClientContext(r.Context(), a.c.HTTPClient)
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		a.c.Log.Warn().Err(err).Msg("the code exchange failed")
		a.page(w, http.StatusBadGateway, "Sign-in failed", "The sign-in provider did not accept the sign-in. Start again; the bot's log has the details.", true)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(ctx, raw)
	if err != nil || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		if err == nil {
			err = errors.New("nonce mismatch")
		}
		a.c.Log.Warn().Err(err).Msg("the ID token was refused")
		a.page(w, http.StatusUnauthorized, "Sign-in failed", "The sign-in provider's answer could not be verified. Start again.", true)
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		a.page(w, http.StatusBadGateway, "Sign-in failed", "The sign-in provider's answer could not be read.", true)
		return
	}
	person, account, why := a.match(claims)
	if person == nil {
		a.c.Log.Info().Str("account", account).Str("claim", a.c.Claim).Msg("signed-in account is on no roster; refused")
		a.notOnTeam(w, account, why)
		return
	}
	if err := a.begin(w, r, person, account); err != nil {
		a.c.Log.Error().Err(err).Msg("storing a session failed")
		a.page(w, http.StatusInternalServerError, "Sign-in failed", "The bot could not record the session; the error was logged.", true)
		return
	}
	a.c.Log.Info().Str("person", person.ID).Msg("signed in")
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
}

// begin starts a new session (a new token at every sign-in: nothing set
// before it, by anyone, carries over) and drops the pages' own cookies.
func (a *Auth) begin(w http.ResponseWriter, r *http.Request, p *cadence.Person, account string) error {
	now := a.c.Now()
	if err := prune(r.Context(), a.c.Store, now); err != nil {
		a.c.Log.Warn().Err(err).Msg("pruning expired sessions failed")
	}
	if old, err := r.Cookie(a.cookie); err == nil && old.Value != "" {
		_ = drop(r.Context(), a.c.Store, nsSessions, old.Value)
	}
	token := newSecret()
	if err := put(r.Context(), a.c.Store, nsSessions, token, record{Person: p.ID, Account: account, Created: now, Expires: now.Add(a.c.Session)}); err != nil {
		return err
	}
	a.dropPageCookies(w)
	http.SetCookie(w, &http.Cookie{Name: a.cookie, Value: token, Path: "/", MaxAge: int(a.c.Session / time.Second),
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// logout ends the session everywhere (the stored record goes) and in
// this browser. Cross-site posts are refused.
func (a *Auth) logout(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r, a.c.RedirectURL) {
		a.page(w, http.StatusForbidden, "Not signed out", "The sign-out came from another site, so it was ignored.", false)
		return
	}
	if ck, err := r.Cookie(a.cookie); err == nil && ck.Value != "" {
		if err := drop(r.Context(), a.c.Store, nsSessions, ck.Value); err != nil {
			a.c.Log.Error().Err(err).Msg("ending a session failed")
			a.page(w, http.StatusInternalServerError, "Not signed out", "The session could not be ended; the error was logged. Try again.", false)
			return
		}
	}
	a.expire(w, a.cookie)
	a.dropPageCookies(w)
	a.page(w, http.StatusOK, "Signed out", "You are signed out of cadencebot.", true)
}

func (a *Auth) expire(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
}

func (a *Auth) dropPageCookies(w http.ResponseWriter) {
	for _, c := range a.c.DropCookies {
		http.SetCookie(w, &http.Cookie{Name: c.Name, Value: "", Path: c.Path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
}

// match finds the roster person the account's claim names. why explains
// a miss in words.
func (a *Auth) match(claims map[string]any) (p *cadence.Person, account, why string) {
	v, _ := claims[a.c.Claim].(string)
	account = v
	if email, _ := claims["email"].(string); email != "" && a.c.Claim != config.ClaimEmail {
		account = v + " (" + email + ")"
	}
	if v == "" {
		return nil, account, fmt.Sprintf("The sign-in provider did not send the %q claim this bot matches people by.", a.c.Claim)
	}
	switch a.c.Claim {
	case config.ClaimEmail:
		if verified, present := claims["email_verified"].(bool); present && !verified {
			return nil, account, "The sign-in provider says this email address is not verified."
		}
		for _, p := range a.roster().People() {
			if p.Handles.Email != "" && strings.EqualFold(p.Handles.Email, v) {
				return p, account, ""
			}
		}
		return nil, account, fmt.Sprintf("Nobody on the roster has email = %q.", v)
	case config.ClaimSlackUserID:
		if p := a.roster().BySlackID(v); p != nil {
			return p, account, ""
		}
		return nil, account, fmt.Sprintf("Nobody on the roster has slack = %q.", v)
	case config.ClaimEntraOID:
		if p := a.roster().ByTeamsID(v); p != nil {
			return p, account, ""
		}
		return nil, account, fmt.Sprintf("Nobody on the roster has teams = %q (the Entra ID object id).", v)
	}
	return nil, account, "The bot matches no claim."
}

// safeNext keeps a return path on this server: "/x" yes, "//evil" and
// "https://evil" no.
func safeNext(next string) string {
	if strings.IndexFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) >= 0 {
		return "/" // browsers drop tabs and newlines and read \ as /: "/\t/evil" is "//evil"
	}
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.HasPrefix(next, "/auth/") {
		return "/"
	}
	return next
}

// sameOrigin refuses a post another site's page made: the browser names
// the origin (Origin, or Sec-Fetch-Site).
func sameOrigin(r *http.Request, public string) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true // not a browser, or an old one: SameSite=Lax kept the cookie off a cross-site post
	}
	u, err := url.Parse(public)
	return err == nil && strings.EqualFold(o, u.Scheme+"://"+u.Host) || strings.EqualFold(o, "http://"+r.Host) || strings.EqualFold(o, "https://"+r.Host)
}

// roster is the roster in force (LiveRoster after a config reload).
func (a *Auth) roster() *cadence.Roster {
	if a.c.LiveRoster != nil {
		return a.c.LiveRoster()
	}
	return a.c.Roster
}
