package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
	"github.com/cadencebot/cadencebot/config"
)

// teamConfig has a specialist, two release approvers and an admin.
const teamConfig = `
[bot]
timezone = "Europe/Zurich"

[[people]]
id = "ana"
name = "Ana"
role = "specialist"
email = "ana@example.com"

[[people]]
id = "lea"
name = "Lea"
role = "lead"
email = "lea@example.com"

[[people]]
id = "max"
name = "Max"
role = "lead"
email = "max@example.com"

[[people]]
id = "sam"
name = "Sam"
role = "admin"
email = "sam@example.com"

[[rituals]]
id = "triage"
title = "Triage"
kind = "triage"
schedule = "30 9 * * 1"
channel = "mlops"
participants = ["all"]
window = "1h"
`

// webClient is a browser without a browser: a cookie jar, no redirects
// followed, and a credential on every request.
type webClient struct {
	t     *testing.T
	base  string
	auth  string // Authorization header
	http  *http.Client
	csrfs *regexp.Regexp
}

func newWebClient(t *testing.T, base, auth string) *webClient {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &webClient{t: t, base: strings.TrimSuffix(base, "/"), auth: auth, csrfs: regexp.MustCompile(`name="csrf" value="([^"]+)"`),
		http: &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *webClient) do(method, path string, form url.Values) (int, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	require.NoError(c.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp.StatusCode, string(b)
}

// csrf reads the form token of a page (any token if the page has no
// form: the refusal must not depend on it).
func (c *webClient) csrf(path string) string {
	_, body := c.do(http.MethodGet, path, nil)
	if m := c.csrfs.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return "no-form-on-the-page"
}

func newTeamApp(t *testing.T, listen string, vars map[string]string, src string) (*App, *httptest.Server) {
	t.Helper()
	cfg, err := config.Parse("team.toml", []byte(src))
	require.NoError(t, err)
	app, err := newApp(cfg, appOptions{Listen: listen, DB: filepath.Join(t.TempDir(), "team.db"),
		Getenv: func(k string) string { return vars[k] }, Log: zerolog.Nop(),
		Clock: cadence.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))})
	require.NoError(t, err)
	srv := httptest.NewServer(app.mux)
	t.Cleanup(func() { srv.Close(); app.Close() })
	return app, srv
}

// The security review's reproduction: with the dashboard token, a
// specialist proposed a high-risk release and approved it as two other
// approvers. The token now reads and acts for nobody: the picker is
// refused, and so is every form, whatever fields it carries.
func TestDashboardTokenCannotActAsAnyone(t *testing.T) {
	vars := map[string]string{"CADENCEBOT_DASHBOARD_TOKEN": "dash-token"}
	app, srv := newTeamApp(t, "0.0.0.0:0", vars, teamConfig)
	c := newWebClient(t, srv.URL, "Bearer dash-token")

	code, home := c.do(http.MethodGet, "/", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, home, "Read-only", "the page says why nobody can be picked")
	assert.NotContains(t, home, `action="/whoami"`)

	post := func(path string, f url.Values) int {
		f.Set("csrf", c.csrf("/"))
		code, _ := c.do(http.MethodPost, path, f)
		return code
	}
	release := url.Values{ops.FieldModel: {"ranker"}, ops.FieldVersion: {"v4"}, ops.FieldChange: {string(cadence.ChangeRetrain)},
		ops.FieldRisk: {"high"}, ops.FieldEvidence: {"https://eval.example.com/run/7"}, ops.FieldRollback: {"pin v3"}, ops.FieldDataContract: {"pass"}}
	steps := []struct {
		path string
		form url.Values
	}{
		{"/whoami", url.Values{"person": {"ana"}}},
		{"/ops/release", release},
		{"/whoami", url.Values{"person": {"lea"}}},
		{"/act", url.Values{"action": {ops.ActionReleaseApprove}, "value": {"REL-1"}}},
		{"/whoami", url.Values{"person": {"max"}}},
		{"/act", url.Values{"action": {ops.ActionReleaseApprove}, "value": {"REL-1"}}},
		{"/command", url.Values{"text": {"incident new forged by the token"}, "person": {"lea"}}},
	}
	for _, s := range steps {
		assert.Equal(t, http.StatusForbidden, post(s.path, s.form), "POST %s %v", s.path, s.form)
	}
	rels, err := app.ops.Releases(context.Background(), cadence.ReleaseFilter{})
	require.NoError(t, err)
	assert.Empty(t, rels, "nothing was proposed, let alone approved")
	code, _ = c.do(http.MethodGet, "/me", nil)
	assert.Equal(t, http.StatusSeeOther, code, "no inbox: the token is nobody")
}

// Credentials by purpose: the dashboard token reads the dashboard and
// the API but neither picks an identity nor downloads the database; the
// backup token downloads the database and reads nothing else.
func TestCredentialsByPurpose(t *testing.T) {
	vars := map[string]string{"CADENCEBOT_DASHBOARD_TOKEN": "dash-token", "CADENCEBOT_BACKUP_TOKEN": "backup-token"}
	_, srv := newTeamApp(t, "0.0.0.0:0", vars, teamConfig)
	dash := newWebClient(t, srv.URL, "Bearer dash-token")
	backup := newWebClient(t, srv.URL, "Bearer backup-token")
	nobody := newWebClient(t, srv.URL, "")

	for _, tt := range []struct {
		name   string
		c      *webClient
		method string
		path   string
		form   url.Values
		want   int
	}{
		{"dashboard token reads the dashboard", dash, http.MethodGet, "/dashboard/", nil, http.StatusOK},
		{"dashboard token reads the API", dash, http.MethodGet, "/api/report", nil, http.StatusOK},
		{"dashboard token reads the channels", dash, http.MethodGet, "/c/mlops", nil, http.StatusOK},
		{"dashboard token picks nobody", dash, http.MethodPost, "/whoami", url.Values{"person": {"sam"}}, http.StatusForbidden},
		{"dashboard token downloads no backup", dash, http.MethodGet, "/api/backup", nil, http.StatusForbidden},
		{"backup token downloads the backup", backup, http.MethodGet, "/api/backup", nil, http.StatusOK},
		{"backup token reads no API", backup, http.MethodGet, "/api/report", nil, http.StatusUnauthorized},
		{"backup token reads no dashboard", backup, http.MethodGet, "/dashboard/", nil, http.StatusUnauthorized},
		{"backup token reads no chat", backup, http.MethodGet, "/", nil, http.StatusUnauthorized},
		{"backup token picks nobody", backup, http.MethodPost, "/whoami", url.Values{"person": {"sam"}}, http.StatusUnauthorized},
		{"no credential, no backup", nobody, http.MethodGet, "/api/backup", nil, http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.t = t
			code, body := tt.c.do(tt.method, tt.path, tt.form)
			assert.Equal(t, tt.want, code, "%.200q", body)
			if tt.path == "/api/backup" && code == http.StatusOK {
				assert.Greater(t, len(body), 4096, "a bbolt file")
			}
			assert.NotContains(t, body, "backup-token")
			assert.NotContains(t, body, "dash-token")
		})
	}
}

// The trial on loopback, with no credential at all, keeps the picker and
// says on the page that anyone can be anyone.
func TestTrialOnLoopbackKeepsThePicker(t *testing.T) {
	_, srv := newTeamApp(t, "127.0.0.1:0", nil, teamConfig)
	c := newWebClient(t, srv.URL, "")
	code, home := c.do(http.MethodGet, "/", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, home, "Trial on a loopback address")
	code, _ = c.do(http.MethodPost, "/whoami", url.Values{"person": {"ana"}, "csrf": {c.csrf("/")}})
	assert.Equal(t, http.StatusSeeOther, code)
	code, _ = c.do(http.MethodGet, "/api/backup", nil)
	assert.Equal(t, http.StatusOK, code)
}
