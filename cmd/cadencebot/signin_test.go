package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
	"github.com/cadencebot/cadencebot/config"
)

// signInApp is the bot off loopback with [auth] pointing at a mock
// OpenID Connect issuer, and no dashboard credential: signing in is the
// only way in.
type signInApp struct {
	*App
	srv   *httptest.Server
	idp   *mockoidc.MockOIDC
	clock *cadence.ManualClock
}

func startSignInApp(t *testing.T, claim string, people string) *signInApp {
	t.Helper()
	idp, err := mockoidc.Run()
	require.NoError(t, err)
	t.Cleanup(func() { _ = idp.Shutdown() })
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	src := teamConfig + people + fmt.Sprintf(`
[auth]
issuer = %q
client_id = %q
redirect_url = %q
scopes = ["openid", "email"]
claim = %q
session_hours = 12
`, idp.Issuer(), idp.ClientID, base+"/auth/callback", claim)
	cfg, err := config.Parse("team.toml", []byte(src))
	require.NoError(t, err)
	clock := cadence.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	vars := map[string]string{config.EnvOIDCClientSecret: idp.ClientSecret}
	app, err := newApp(cfg, appOptions{Listen: "0.0.0.0:0", DB: filepath.Join(t.TempDir(), "team.db"),
		Getenv: func(k string) string { return vars[k] }, Log: zerolog.Nop(), Clock: clock})
	require.NoError(t, err, "off loopback, sign-in alone is enough: no dashboard credential needed")
	srv.Config.Handler = app.mux
	srv.Start()
	t.Cleanup(func() { srv.Close(); app.Close() })
	return &signInApp{App: app, srv: srv, idp: idp, clock: clock}
}

// browser follows redirects itself, so each hop's cookies can be read.
type browser struct {
	t       *testing.T
	http    *http.Client
	cookies []*http.Cookie // every Set-Cookie seen
}

func newBrowserClient(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, http: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// visit sends the request and follows redirects; it returns the last
// status, body and URL.
func (b *browser) visit(method, u string, form url.Values) (int, string, string) {
	b.t.Helper()
	for range 10 {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, u, body)
		require.NoError(b.t, err)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := b.http.Do(req)
		require.NoError(b.t, err)
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(b.t, err)
		b.cookies = append(b.cookies, resp.Cookies()...)
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode >= 400 || loc == "" {
			return resp.StatusCode, string(data), u
		}
		next, err := req.URL.Parse(loc)
		require.NoError(b.t, err)
		u, method, form = next.String(), http.MethodGet, nil
	}
	b.t.Fatal("more than 10 redirects")
	return 0, "", ""
}

func (b *browser) cookie(name string) *http.Cookie {
	for i := len(b.cookies) - 1; i >= 0; i-- {
		if b.cookies[i].Name == name {
			return b.cookies[i]
		}
	}
	return nil
}

func (a *signInApp) signIn(t *testing.T, email string) (*browser, int, string) {
	a.idp.QueueUser(&mockoidc.MockUser{Subject: "sub-" + email, Email: email, EmailVerified: true})
	b := newBrowserClient(t)
	code, body, _ := b.visit(http.MethodGet, a.srv.URL+"/me", nil)
	return b, code, body
}

func TestSignInActsAsThePersonAndNoOneElse(t *testing.T) {
	a := startSignInApp(t, config.ClaimEmail, "")
	ctx := context.Background()

	// Not signed in: pages send the browser to sign in; posts are refused.
	anon := newBrowserClient(t)
	code, body, _ := anon.visit(http.MethodPost, a.srv.URL+"/whoami", url.Values{"person": {"lea"}})
	assert.Equal(t, http.StatusUnauthorized, code, body)

	b, code, body := a.signIn(t, "Ana@Example.com")
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, "Signed in as <strong>Ana</strong>")
	assert.Contains(t, body, `action="/auth/logout"`)
	assert.NotContains(t, body, `action="/whoami"`)
	session := b.cookie("cadence_signin")
	require.NotNil(t, session)
	assert.True(t, session.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, session.SameSite)
	assert.False(t, session.Secure, "plain http to a test server; https redirect URLs get Secure and __Host-")
	assert.Equal(t, 12*3600, session.MaxAge)
	dropped := false
	for _, c := range b.cookies {
		dropped = dropped || c.Name == "cadence_local" && c.MaxAge == -1
	}
	assert.True(t, dropped, "the chat's own cookie from before the sign-in is dropped")
	csrf := newWebClient(t, "", "").csrfs.FindStringSubmatch(body)[1]

	// Acting as herself: a release proposed by Ana, whatever the form says.
	form := url.Values{"csrf": {csrf}, "person": {"lea"}, "by": {"lea"}, ops.FieldModel: {"ranker"}, ops.FieldVersion: {"v4"},
		ops.FieldChange: {string(cadence.ChangeRetrain)}, ops.FieldRisk: {"high"}, ops.FieldEvidence: {"https://eval.example.com/run/7"},
		ops.FieldRollback: {"pin v3"}, ops.FieldDataContract: {"pass"}}
	code, body, _ = b.visit(http.MethodPost, a.srv.URL+"/ops/release", form)
	require.Equal(t, http.StatusOK, code, body)
	rels, err := a.ops.Releases(ctx, cadence.ReleaseFilter{})
	require.NoError(t, err)
	require.Len(t, rels, 1)
	assert.Equal(t, "ana", rels[0].ProposedBy)

	// Not as anyone else: the picker is refused, and approving (which a
	// specialist may not do) stays refused whatever fields are forged.
	for _, f := range []url.Values{
		{"csrf": {csrf}, "person": {"lea"}},
		{"csrf": {csrf}, "person": {"max"}},
	} {
		code, body, _ = b.visit(http.MethodPost, a.srv.URL+"/whoami", f)
		assert.Equal(t, http.StatusForbidden, code)
		assert.Contains(t, body, "You act as the person you signed in as")
	}
	code, _, _ = b.visit(http.MethodPost, a.srv.URL+"/act", url.Values{"csrf": {csrf}, "action": {ops.ActionReleaseApprove},
		"value": {rels[0].ID()}, "person": {"lea"}, "by": {"lea"}})
	assert.Equal(t, http.StatusForbidden, code)
	rel, err := a.ops.Release(ctx, rels[0].ID())
	require.NoError(t, err)
	assert.Empty(t, rel.Approvals)
	_, body, _ = b.visit(http.MethodGet, a.srv.URL+"/me", nil)
	assert.Contains(t, body, "Signed in as <strong>Ana</strong>")

	// Team figures (dashboard, API) are for the roles that read reports,
	// as in the chat; backups are for admins.
	for _, path := range []string{"/dashboard/", "/api/report", "/api/backup"} {
		code, body, _ = b.visit(http.MethodGet, a.srv.URL+path, nil)
		assert.Equal(t, http.StatusForbidden, code, path)
		if path != "/api/backup" {
			assert.Contains(t, body, "Team-wide figures are for leads, managers and admins; Ana is a specialist.")
		}
	}
	lea, code, _ := a.signIn(t, "lea@example.com")
	require.Equal(t, http.StatusOK, code)
	for path, want := range map[string]int{"/dashboard/": http.StatusOK, "/api/report": http.StatusOK, "/api/backup": http.StatusForbidden} {
		code, _, _ = lea.visit(http.MethodGet, a.srv.URL+path, nil)
		assert.Equal(t, want, code, "a lead: %s", path)
	}
	sam, code, _ := a.signIn(t, "sam@example.com")
	require.Equal(t, http.StatusOK, code)
	code, body, _ = sam.visit(http.MethodGet, a.srv.URL+"/api/backup", nil)
	assert.Equal(t, http.StatusOK, code)
	assert.Greater(t, len(body), 4096, "a bbolt file")

	// The session expires: posts are refused and pages ask to sign in again.
	a.clock.Advance(12*time.Hour + time.Minute)
	code, _, _ = b.visit(http.MethodPost, a.srv.URL+"/command", url.Values{"csrf": {csrf}, "text": {"incident new after expiry"}})
	assert.Equal(t, http.StatusUnauthorized, code)
	req, err := http.NewRequest(http.MethodGet, a.srv.URL+"/me", nil)
	require.NoError(t, err)
	resp, err := b.http.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/auth/login?next=%2Fme", resp.Header.Get("Location"))
	incs, err := a.ops.Incidents(ctx, cadence.IncidentFilter{})
	require.NoError(t, err)
	assert.Empty(t, incs)
}

func TestSignOutEndsTheSessionEverywhere(t *testing.T) {
	a := startSignInApp(t, config.ClaimEmail, "")
	b, code, _ := a.signIn(t, "lea@example.com")
	require.Equal(t, http.StatusOK, code)
	stolen := b.cookie("cadence_signin")

	code, body, _ := b.visit(http.MethodPost, a.srv.URL+"/auth/logout", url.Values{})
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "You are signed out")
	assert.Equal(t, -1, b.cookie("cadence_signin").MaxAge)

	// The session's token, replayed from elsewhere, signs nobody in.
	other := newBrowserClient(t)
	req, err := http.NewRequest(http.MethodGet, a.srv.URL+"/me", nil)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: stolen.Name, Value: stolen.Value})
	resp, err := other.http.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/auth/login"))

	// A sign-out posted by another site is refused.
	req, err = http.NewRequest(http.MethodPost, a.srv.URL+"/auth/logout", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "https://evil.example")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestSignInRefusesAccountsOffTheRosterAndForgedState(t *testing.T) {
	a := startSignInApp(t, config.ClaimEmail, "")
	b, code, body := a.signIn(t, "mallory@example.com")
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, body, "Not on this team")
	assert.Contains(t, body, "mallory@example.com")
	assert.Nil(t, b.cookie("cadence_signin"), "no session for an account on no roster")

	// An unverified email matches nobody.
	a.idp.QueueUser(unverifiedUser{email: "ana@example.com"})
	code, body, _ = newBrowserClient(t).visit(http.MethodGet, a.srv.URL+"/auth/login", nil)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, body, "not verified")

	// A callback this browser did not start.
	code, body, _ = newBrowserClient(t).visit(http.MethodGet, a.srv.URL+"/auth/callback?code=abc&state=forged", nil)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body, "Sign-in expired")

	// A return path elsewhere is not followed.
	a.idp.QueueUser(&mockoidc.MockUser{Subject: "lea", Email: "lea@example.com", EmailVerified: true})
	code, _, last := newBrowserClient(t).visit(http.MethodGet, a.srv.URL+"/auth/login?next=//evil.example/x", nil)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, a.srv.URL+"/", last)
}

// slackUser is an account of Sign in with Slack: its ID token carries
// the Slack user id under https://slack.com/user_id.
type slackUser struct{ id, email string }

func (u slackUser) ID() string                        { return u.id }
func (u slackUser) Userinfo([]string) ([]byte, error) { return []byte(`{"sub":"` + u.id + `"}`), nil }
func (u slackUser) Claims(_ []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &struct {
		*mockoidc.IDTokenClaims
		UserID string `json:"https://slack.com/user_id"`
		Email  string `json:"email"`
	}{c, u.id, u.email}, nil
}

// unverifiedUser's issuer says its email is not verified (MockUser
// leaves a false email_verified out).
type unverifiedUser struct{ email string }

func (u unverifiedUser) ID() string { return "unverified" }
func (u unverifiedUser) Userinfo([]string) ([]byte, error) {
	return []byte(`{"sub":"unverified"}`), nil
}
func (u unverifiedUser) Claims(_ []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &struct {
		*mockoidc.IDTokenClaims
		Email    string `json:"email"`
		Verified bool   `json:"email_verified"`
	}{c, u.email, false}, nil
}

func TestSignInWithSlackMatchesTheSlackUserID(t *testing.T) {
	a := startSignInApp(t, config.ClaimSlackUserID, "\n[[people]]\nid = \"kai\"\nname = \"Kai\"\nrole = \"specialist\"\nslack = \"U0KAI\"\n")
	a.idp.QueueUser(slackUser{id: "U0KAI", email: "kai@example.com"})
	b := newBrowserClient(t)
	code, body, _ := b.visit(http.MethodGet, a.srv.URL+"/me", nil)
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, "Signed in as <strong>Kai</strong>")

	a.idp.QueueUser(slackUser{id: "U0NOBODY", email: "ana@example.com"})
	code, body, _ = newBrowserClient(t).visit(http.MethodGet, a.srv.URL+"/me", nil)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, body, `Nobody on the roster has slack = &#34;U0NOBODY&#34;`, "matched by Slack id, not by the email")
}

// entraUser is a Microsoft Entra ID account: its object id is the oid claim.
type entraUser struct{ oid string }

func (u entraUser) ID() string                        { return u.oid }
func (u entraUser) Userinfo([]string) ([]byte, error) { return []byte(`{"sub":"` + u.oid + `"}`), nil }
func (u entraUser) Claims(_ []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &struct {
		*mockoidc.IDTokenClaims
		OID string `json:"oid"`
	}{c, u.oid}, nil
}

func TestSignInWithEntraMatchesTheObjectID(t *testing.T) {
	const oid = "6f2d0c1e-0000-4000-8000-00000000b0b0"
	a := startSignInApp(t, config.ClaimEntraOID, "\n[[people]]\nid = \"bo\"\nname = \"Bo\"\nrole = \"lead\"\nteams = \""+oid+"\"\n")
	a.idp.QueueUser(entraUser{oid: oid})
	code, body, _ := newBrowserClient(t).visit(http.MethodGet, a.srv.URL+"/me", nil)
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, "Signed in as <strong>Bo</strong>")
}
