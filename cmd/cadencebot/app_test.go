package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// A small team whose triage fires Monday 09:30 Zurich with a 1h window.
const appConfig = `
[bot]
timezone = "Europe/Zurich"

[[people]]
id = "lea"
name = "Lea"
role = "lead"

[[people]]
id = "ana"
name = "Ana"
role = "specialist"

[[rituals]]
id = "triage"
title = "Triage"
kind = "triage"
schedule = "30 9 * * 1"
channel = "mlops"
participants = ["all"]
window = "1h"
reminders = ["15m before close"]
`

type testApp struct {
	*App
	url   string
	clock *cadence.ManualClock
	stop  func()
	done  chan error
}

func startApp(t *testing.T, vars map[string]string, start time.Time) *testApp {
	t.Helper()
	cfg, err := config.Parse("app.toml", []byte(appConfig))
	require.NoError(t, err)
	clock := cadence.NewManualClock(start)
	app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "app.db"),
		Getenv: func(k string) string { return vars[k] }, Clock: clock, Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond})
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
	return ta
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestAppRunsARitualEndToEnd(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // 09:00 Zurich
	a := startApp(t, nil, monday)

	code, body := get(t, a.url+"healthz")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ok\n", body)
	require.Eventually(t, func() bool { c, _ := get(t, a.url+"readyz"); return c == http.StatusOK }, 5*time.Second, 10*time.Millisecond)

	// Before the triage, the lead opens an incident with a follow-up for Ana
	// through the shared command grammar, as any chat would.
	lea := a.cfg.Roster.Person("lea")
	for _, cmd := range []string{"incident new Drift on ranker-v3 --sev 2", "followup add INC-1 @ana 2026-12-03 Tighten the drift alert"} {
		reply, err := bot.Run(context.Background(), a.svc, lea, cmd, monday)
		require.NoError(t, err)
		require.False(t, reply.Failed, "%s: %+v", cmd, reply)
	}

	// 09:30 Zurich: the triage opens; the agenda, built from live state,
	// reaches the local chat.
	a.clock.Set(monday.Add(30 * time.Minute))
	require.Eventually(t, func() bool {
		_, body := get(t, a.url+"c/mlops")
		return strings.Contains(body, "Triage is open")
	}, 5*time.Second, 10*time.Millisecond, "agenda in the channel page")
	_, page := get(t, a.url+"c/mlops")
	assert.Contains(t, page, "Open follow-ups by owner (1, 0 overdue)")
	assert.Contains(t, page, "Tighten the drift alert")
	// Both prompts delivered before the clock jumps past the close (the
	// dispatcher sends beside the engine; under load the second prompt can
	// still be in flight when the agenda shows).
	require.Eventually(t, func() bool {
		_, body := get(t, a.url+"metrics")
		return strings.Contains(body, `cadencebot_prompts_sent_total{platform="local",ritual="triage"} 2`)
	}, 5*time.Second, 10*time.Millisecond, "both prompts delivered")

	// Ana answers through the engine (the local chat's form is tested in bot/local).
	_, err := a.eng.SubmitAnswer(context.Background(), cadence.AnswerInput{
		OccurrenceID: "triage@20261130T083000Z", PersonID: "ana", Via: "test",
		Responses: []cadence.Response{{QuestionID: "incidents", Text: "Drift on ranker-v3"}},
	})
	require.NoError(t, err)

	// After the window the occurrence is closed and counted.
	a.clock.Set(monday.Add(91 * time.Minute))
	require.Eventually(t, func() bool {
		_, body := get(t, a.url+"api/occurrences?from=2026-11-30&to=2026-12-01")
		return strings.Contains(body, `"status": "closed"`)
	}, 5*time.Second, 10*time.Millisecond)

	code, body = get(t, a.url+"api/occurrences?from=2026-11-30&to=2026-12-01")
	require.Equal(t, http.StatusOK, code)
	var occs []occurrenceRow
	require.NoError(t, json.Unmarshal([]byte(body), &occs))
	require.Len(t, occs, 1)
	assert.Equal(t, []string{"lea", "ana"}, occs[0].Expected)
	assert.Equal(t, []string{"ana"}, occs[0].Answered)

	code, body = get(t, a.url+"api/report?from=2026-11-30&to=2026-12-07&format=json")
	require.Equal(t, http.StatusOK, code, body)
	var rep cadence.Report
	require.NoError(t, json.Unmarshal([]byte(body), &rep))
	assert.Equal(t, 1, rep.Team.Occurrences)
	assert.Equal(t, 2, rep.Team.Expected)
	assert.Equal(t, 1, rep.Team.Answered)

	code, body = get(t, a.url+"api/report?from=2026-11-30&to=2026-12-07&format=csv")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "triage")

	_, body = get(t, a.url+"metrics")
	assert.Contains(t, body, `cadencebot_occurrences_opened_total{late="false",ritual="triage"} 1`)
	assert.Contains(t, body, `cadencebot_answers_total{late="false",ritual="triage"} 1`)
	assert.Contains(t, body, `cadencebot_prompts_sent_total{platform="local",ritual="triage"} 2`)

	code, body = get(t, a.url+"dashboard/")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "<svg")

	code, body = get(t, a.url+"api/audit?verify=1")
	assert.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, `"intact":true`)
	assert.Contains(t, body, `"entries":2`, "the incident and the follow-up are audited")

	code, body = get(t, a.url+"api/backup")
	assert.Equal(t, http.StatusOK, code)
	assert.Greater(t, len(body), 4096, "a bbolt file")

	// The bot holds the database: `report` asks its API instead.
	code, out, errOut := cli(t, nil, "report", "--db", a.opts.DB, "--url", strings.TrimSuffix(a.url, "/"),
		"--since", "2026-11-30", "--until", "2026-12-07", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "triage@20261130T083000Z")
}

func TestAPIRejectsBadQueries(t *testing.T) {
	a := startApp(t, nil, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	for _, tt := range []struct{ path, want string }{
		{"api/report?from=yesterday", `from: "yesterday" is neither YYYY-MM-DD nor RFC 3339`},
		{"api/report?weeks=0", "weeks: want a number from 1 to 520"},
		{"api/report?format=xml", `format: want json, csv, md or text, got "xml"`},
		{"api/report?from=2026-12-01&to=2026-11-01", "must be before"},
		{"api/occurrences?ritual=nope", `ritual: unknown ritual "nope"`},
		{"api/audit?since=soon", "since:"},
	} {
		code, body := get(t, a.url+tt.path)
		assert.Equal(t, http.StatusBadRequest, code, tt.path)
		assert.Contains(t, body, tt.want, tt.path)
	}
}

func TestSecondProcessGetsLockedError(t *testing.T) {
	cfg, err := config.Parse("app.toml", []byte(appConfig))
	require.NoError(t, err)
	db := filepath.Join(t.TempDir(), "app.db")
	opts := appOptions{Listen: "127.0.0.1:0", DB: db, Getenv: func(string) string { return "" }, Log: zerolog.Nop()}
	first, err := newApp(cfg, opts)
	require.NoError(t, err)
	defer first.Close()
	_, err = newApp(cfg, opts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is locked by another cadencebot process")
}

func TestBadCredentialsStopTheBotWithoutLeakingThem(t *testing.T) {
	cfg, err := config.Parse("app.toml", []byte(appConfig))
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		vars map[string]string
		want string
	}{
		{"slack bot token of the wrong kind", map[string]string{"SLACK_BOT_TOKEN": "xoxp-secret-1234", "SLACK_APP_TOKEN": "xapp-1-A-1-abc"}, "SLACK_BOT_TOKEN"},
		{"slack app token missing its prefix", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_APP_TOKEN": "secret-app-token"}, "SLACK_APP_TOKEN"},
		{"teams without password", map[string]string{"TEAMS_APP_ID": "00000000-0000-0000-0000-000000000001", "TEAMS_TENANT_ID": "00000000-0000-0000-0000-000000000002"}, "TEAMS_APP_PASSWORD"},
		{"dashboard on all interfaces without credentials", map[string]string{"LISTEN": "0.0.0.0:0"}, "CADENCEBOT_DASHBOARD_TOKEN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			listen := "127.0.0.1:0"
			if l := tt.vars["LISTEN"]; l != "" {
				listen = l
			}
			_, err := newApp(cfg, appOptions{Listen: listen, DB: filepath.Join(t.TempDir(), "x.db"),
				Getenv: func(k string) string { return tt.vars[k] }, Log: zerolog.Nop()})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			for k, v := range tt.vars {
				if strings.Contains(k, "TOKEN") || strings.Contains(k, "PASSWORD") {
					assert.NotContains(t, err.Error(), v, "the secret itself is never printed")
				}
			}
		})
	}
}

func TestRitualOnUnconfiguredPlatformIsRefused(t *testing.T) {
	cfg, err := config.Parse("app.toml", []byte(strings.Replace(appConfig, `channel = "mlops"`, "channel = \"mlops\"\nplatform = \"teams\"", 1)))
	require.NoError(t, err)
	_, err = newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "x.db"), Getenv: func(string) string { return "" }, Log: zerolog.Nop()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `ritual "triage" runs on teams but TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID are not set`)
}

// Off loopback, the API, the local chat and the dashboard need the
// dashboard credentials; health and metrics stay open for probes.
func TestCredentialsGuardAPIAndChat(t *testing.T) {
	cfg, err := config.Parse("app.toml", []byte(appConfig))
	require.NoError(t, err)
	vars := map[string]string{"CADENCEBOT_DASHBOARD_TOKEN": "s3cret-token"}
	app, err := newApp(cfg, appOptions{Listen: "0.0.0.0:0", DB: filepath.Join(t.TempDir(), "app.db"),
		Getenv: func(k string) string { return vars[k] }, Log: zerolog.Nop(), Clock: cadence.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))})
	require.NoError(t, err)
	defer app.Close()
	srv := httptest.NewServer(app.mux)
	defer srv.Close()
	do := func(path, token string) int {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, path := range []string{"/api/report", "/api/backup", "/api/audit", "/", "/me", "/dashboard/"} {
		assert.Equal(t, http.StatusUnauthorized, do(path, ""), path)
		assert.Equal(t, http.StatusUnauthorized, do(path, "wrong"), path)
		assert.NotEqual(t, http.StatusUnauthorized, do(path, "s3cret-token"), path)
	}
	for _, path := range []string{"/healthz", "/metrics"} {
		assert.Equal(t, http.StatusOK, do(path, ""), path)
	}

	// `report` against the locked database asks the API with the
	// credentials from its environment.
	args := []string{"report", "--db", app.opts.DB, "--url", srv.URL, "--since", "2026-11-23", "--until", "2026-11-30", "--format", "csv"}
	code, _, errOut := cli(t, nil, args...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "401")
	code, out, errOut := cli(t, vars, args...)
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "scope,id,name,"), out)
}
