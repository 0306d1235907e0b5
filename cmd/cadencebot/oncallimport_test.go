package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// importConfig: a rotation whose on-call comes from PagerDuty at url.
func importConfig(url string) string {
	return strings.Replace(appConfig, `id = "ana"`, `id = "ana"`+"\nemail = \"ana@example.com\"", 1) + `
[[rotations]]
id = "primary"
members = ["lea", "ana"]
start = 2026-11-30
length = "1w"

[rotations.import]
provider = "pagerduty"
schedule_id = "PABC123"
token_env = "CADENCEBOT_TEST_PD_TOKEN"
url = "` + url + `"
`
}

// The bot asks PagerDuty as soon as it runs and the on-call is the
// imported one; without the token variable it refuses to start.
func TestRunImportsOnCallFromPagerDuty(t *testing.T) {
	pd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oncalls" || r.Header.Get("Authorization") != "Token token=pd-token" || r.URL.Query().Get("include[]") != "users" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"message":"Unauthorized","code":2006}}`)
			return
		}
		fmt.Fprint(w, `{"oncalls":[{"user":{"id":"P1","type":"user","summary":"Ana","name":"Ana","email":"ana@example.com"},
			"schedule":{"id":"PABC123","type":"schedule_reference"},"escalation_level":1,
			"start":"2026-11-30T09:00:00+01:00","end":"2026-12-07T09:00:00+01:00"}],"limit":100,"offset":0,"more":false,"total":null}`)
	}))
	t.Cleanup(pd.Close)
	path := filepath.Join(t.TempDir(), "cadence.toml")
	require.NoError(t, os.WriteFile(path, []byte(importConfig(pd.URL)), 0o600))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	monday := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	opts := appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "app.db"), Clock: cadence.NewManualClock(monday),
		Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond, Getenv: func(string) string { return "" }}

	_, err = newApp(cfg, opts)
	require.EqualError(t, err, `rotation "primary" imports its on-call from PagerDuty, but CADENCEBOT_TEST_PD_TOKEN is not set (the API token goes in the environment, never in the file)`)

	opts.Getenv = func(k string) string {
		if k == "CADENCEBOT_TEST_PD_TOKEN" {
			return "pd-token"
		}
		return ""
	}
	a, err := newApp(cfg, opts)
	require.NoError(t, err)
	runDaemon(t, a)
	require.Eventually(t, func() bool {
		now, err := a.ops.OnCall(t.Context(), monday)
		return err == nil && now[0].Imported
	}, 10*time.Second, 20*time.Millisecond)
	now, err := a.ops.OnCall(t.Context(), monday)
	require.NoError(t, err)
	assert.Equal(t, "ana", now[0].Current.Person, "the schedule says Lea; PagerDuty says Ana")
	assert.Equal(t, "from PagerDuty, just now", now[0].Import.Status(monday, time.UTC))
}
