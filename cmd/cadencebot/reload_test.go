package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
	"github.com/cadencebot/cadencebot/config"
)

// reloadApp runs the app on a config file in a temp directory, as
// `run --config` does, with SIGHUP delivered through hup.
type reloadApp struct {
	*testApp
	path string
	logs *syncBuffer
}

func startReloadApp(t *testing.T, hup <-chan struct{}, start time.Time) *reloadApp {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cadence.toml")
	require.NoError(t, os.WriteFile(path, []byte(appConfig), 0o600))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	clock := cadence.NewManualClock(start)
	logs := &syncBuffer{}
	app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "app.db"),
		Getenv: func(string) string { return "" }, Clock: clock, Log: zerolog.New(logs), TickEvery: 5 * time.Millisecond,
		ConfigPath: path, Reload: hup})
	require.NoError(t, err)
	url, err := app.Listen()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ta := &testApp{App: app, url: url, clock: clock, stop: cancel, done: make(chan error, 1)}
	go func() { ta.done <- app.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-ta.done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("app did not stop within 10s")
		}
		require.NoError(t, app.Close())
	})
	require.Eventually(t, func() bool { c, _ := get(t, url+"readyz"); return c == http.StatusOK }, 5*time.Second, 10*time.Millisecond)
	return &reloadApp{testApp: ta, path: path, logs: logs}
}

// replace writes the file the way editors and config management do: a
// new file renamed over the old one.
func (a *reloadApp) replace(t *testing.T, content string) {
	t.Helper()
	tmp := a.path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(content), 0o600))
	require.NoError(t, os.Rename(tmp, a.path))
}

const standupSection = `
[[rituals]]
id = "standup"
title = "Standup"
kind = "standup"
schedule = "0 10 * * 1"
channel = "standup"
participants = ["all"]
window = "1h"
`

// A ritual added to the file fires without a restart; a setting that
// cannot change live is named in the log and the rest still applies.
func TestReloadOnFileChangeAddsARitual(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // 09:00 Zurich
	a := startReloadApp(t, nil, monday)

	a.replace(t, strings.Replace(appConfig, `timezone = "Europe/Zurich"`, `timezone = "Europe/Zurich"
listen = "127.0.0.1:9"`, 1)+standupSection)
	require.Eventually(t, func() bool { return a.eng.Ritual("standup") != nil }, 5*time.Second, 10*time.Millisecond,
		"the watcher reloads the file")
	assert.Contains(t, a.logs.String(), "need a restart")
	assert.Contains(t, a.logs.String(), `"fields":["bot.listen"]`)

	// A new ritual starts from the first tick that sees it, without back-filling.
	require.Eventually(t, func() bool {
		return a.db.View(context.Background(), func(tx cadence.Tx) error {
			_, err := tx.RitualState("standup")
			return err
		}) == nil
	}, 5*time.Second, 10*time.Millisecond, "a tick sees the new ritual")
	a.clock.Set(monday.Add(time.Hour)) // 10:00 Zurich
	require.Eventually(t, func() bool {
		_, body := get(t, a.url+"c/standup")
		return strings.Contains(body, "Standup is open")
	}, 5*time.Second, 10*time.Millisecond, "the new ritual fires")

	_, body := get(t, a.url+"metrics")
	assert.Contains(t, body, "cadencebot_config_last_reload_successful 1")
	_, body = get(t, a.url+"api/audit")
	assert.Contains(t, body, `"config.reload"`)
	assert.Contains(t, body, `"rituals_added": "standup"`)
}

// A bad file keeps the running config; the errors are logged with file
// and line, and /metrics and /readyz say the reload failed until a good
// file comes.
func TestBadReloadKeepsRunningConfig(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	hup := make(chan struct{}, 1)
	a := startReloadApp(t, hup, monday)

	a.replace(t, strings.Replace(appConfig, `participants = ["all"]`, `participants = ["zed"]`, 1)+standupSection)
	hup <- struct{}{}
	require.Eventually(t, func() bool {
		_, body := get(t, a.url+"metrics")
		return strings.Contains(body, "cadencebot_config_last_reload_successful 0")
	}, 5*time.Second, 10*time.Millisecond)
	assert.Regexp(t, `cadence\.toml:\d+: rituals\[0\]\.participants`, a.logs.String())
	code, body := get(t, a.url+"readyz")
	assert.Equal(t, http.StatusOK, code, "the old config runs: degraded, not unready")
	assert.Contains(t, body, "degraded")
	assert.Contains(t, body, "config: last reload failed")
	assert.Nil(t, a.eng.Ritual("standup"), "nothing of the bad file applies")

	a.clock.Set(monday.Add(30 * time.Minute)) // the triage still fires, for its people
	require.Eventually(t, func() bool {
		_, body := get(t, a.url+"c/mlops")
		return strings.Contains(body, "Triage is open")
	}, 5*time.Second, 10*time.Millisecond)

	a.replace(t, appConfig+standupSection)
	require.Eventually(t, func() bool {
		_, body := get(t, a.url+"metrics")
		return strings.Contains(body, "cadencebot_config_last_reload_successful 1")
	}, 5*time.Second, 10*time.Millisecond)
	_, body = get(t, a.url+"readyz")
	assert.Contains(t, body, "config: ok")
	assert.NotNil(t, a.eng.Ritual("standup"))
}

// Someone removed from the roster by a reload is signed out at once: the
// sign-in reads the roster in force, not the one the bot started with.
func TestReloadEndsSessionsOfPeopleRemoved(t *testing.T) {
	a := startSignInApp(t, config.ClaimEmail, "")
	b, code, body := a.signIn(t, "ana@example.com")
	require.Equal(t, http.StatusOK, code, body)

	cfg, err := config.Parse("team.toml", []byte(strings.Replace(teamConfig, `[[people]]
id = "ana"
name = "Ana"
role = "specialist"
email = "ana@example.com"
`, "", 1)))
	require.NoError(t, err)
	c, _, err := a.svc.Reload(context.Background(), ops.ReloadInput{Rituals: cfg.Rituals, Roster: cfg.Roster, Source: "team.toml"})
	require.NoError(t, err)
	require.Equal(t, []string{"ana"}, c.PeopleRemoved)

	// The session is gone: the browser is sent to sign in again, and the
	// issuer's account no longer matches anyone.
	a.idp.QueueUser(&mockoidc.MockUser{Subject: "sub-ana", Email: "ana@example.com", EmailVerified: true})
	code, body, _ = b.visit(http.MethodGet, a.srv.URL+"/me", nil)
	assert.Equal(t, http.StatusForbidden, code, body)
	assert.NotContains(t, body, "Signed in as")
}
