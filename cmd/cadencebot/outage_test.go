package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// A restart during a Slack outage: the bot starts anyway, serves its
// pages and API, schedules and queues, says on /readyz that Slack is
// down, and delivers the queue once Slack is back.
func TestDaemonStartsWhileSlackIsUnreachable(t *testing.T) {
	const bot, app = "xoxb-1-2-outage", "xapp-1-A0CADENCE-3-outage"
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // 09:00 Zurich
	clock := cadence.NewManualClock(monday)
	fake := slacktest.New(bot, app)
	t.Cleanup(fake.Close)
	fake.Now = clock.Now
	fake.AddUser(slacktest.User{ID: "U0LEA0001", Name: "lea", Email: "lea@example.com", TZ: "Europe/Zurich"})
	fake.AddUser(slacktest.User{ID: "U0ANA0002", Name: "ana", Email: "ana@example.com", TZ: "Europe/Bucharest"})
	// A member already: a retry after a network failure reads the history
	// to learn whether the lost attempt posted (not_in_channel there is
	// item 2 of issue 9, not this test's subject).
	fake.AddChannel(slacktest.Channel{ID: "C0MLOPS01", Name: "mlops", BotMember: true})
	fake.SetReachable(false)

	cfg, err := config.Parse("slack.toml", []byte(strings.Replace(slackConfig, "%s", fake.URL, 1)))
	require.NoError(t, err)
	vars := map[string]string{"SLACK_BOT_TOKEN": bot, "SLACK_APP_TOKEN": app}
	a, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "slack.db"),
		Getenv: func(k string) string { return vars[k] }, Clock: clock, Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond})
	require.NoError(t, err)
	url, err := a.Listen()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
		require.NoError(t, a.Close())
	})
	select {
	case err := <-done:
		done <- nil // for the cleanup
		t.Fatalf("Run returned while Slack was unreachable: %v", err)
	case <-time.After(300 * time.Millisecond):
	}

	// Ready (the store and the scheduler work), with Slack named as down.
	var body string
	require.Eventually(t, func() bool {
		var code int
		code, body = get(t, url+"readyz")
		return code == http.StatusOK && strings.Contains(body, "slack: down")
	}, 5*time.Second, 10*time.Millisecond, "readyz: %s", body)
	assert.True(t, strings.HasPrefix(body, "degraded\n"), body)
	for _, path := range []string{"healthz", "", "dashboard/", "api/report?weeks=1"} {
		code, _ := get(t, url+path)
		assert.Equal(t, http.StatusOK, code, "/%s", path)
	}

	// 09:30: the triage opens on schedule; its messages wait in the outbox.
	clock.Set(monday.Add(30 * time.Minute))
	require.Eventually(t, func() bool {
		_, body := get(t, url+"api/occurrences?from=2026-11-30&to=2026-12-01")
		var rows []occurrenceRow
		return json.Unmarshal([]byte(body), &rows) == nil && len(rows) == 1 && rows[0].Status == "open" && !rows[0].Late
	}, 5*time.Second, 10*time.Millisecond, "the triage opened on time")
	assert.False(t, outboxDrained(t, a), "agenda and prompts queued")
	assert.Empty(t, fake.AllMessages())

	// Slack comes back: the bot connects without a restart and delivers.
	fake.SetReachable(true)
	require.True(t, fake.WaitConnections(1, 10*time.Second), "Socket Mode connected after the outage")
	require.Eventually(t, func() bool {
		clock.Advance(10 * time.Second) // past the outbox's retry times
		return len(fake.Messages("C0MLOPS01")) > 0 && len(fake.Messages(fake.DM("U0ANA0002"))) > 0
	}, 10*time.Second, 20*time.Millisecond, "queued agenda and prompts delivered")
	require.Eventually(t, func() bool {
		code, body := get(t, url+"readyz")
		return code == http.StatusOK && strings.Contains(body, "slack: up")
	}, 5*time.Second, 10*time.Millisecond)

	// Slack goes away again while the bot runs: readiness says so as
	// Socket Mode fails to reconnect, and recovers with it.
	fake.SetReachable(false)
	require.Eventually(t, func() bool {
		code, body := get(t, url+"readyz")
		return code == http.StatusOK && strings.Contains(body, "slack: down since ")
	}, 10*time.Second, 20*time.Millisecond)
	fake.SetReachable(true)
	require.True(t, fake.WaitConnections(2, 15*time.Second), "Socket Mode reconnected")
	require.Eventually(t, func() bool {
		_, body := get(t, url+"readyz")
		return strings.HasPrefix(body, "ready\n") && strings.Contains(body, "slack: up")
	}, 5*time.Second, 10*time.Millisecond)
}

// Slack refusing the token is not an outage: no retry can fix it, so the
// bot stops with the variable named, as before.
func TestDaemonStopsWhenSlackRefusesTheToken(t *testing.T) {
	fake := slacktest.New("xoxb-1-2-right-token-abc", "xapp-1-A0CADENCE-3-right-token-abc")
	t.Cleanup(fake.Close)
	cfg, err := config.Parse("slack.toml", []byte(strings.Replace(slackConfig, "%s", fake.URL, 1)))
	require.NoError(t, err)
	vars := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1-2-wrong-token-abc", "SLACK_APP_TOKEN": "xapp-1-A0CADENCE-3-right-token-abc"}
	a, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "slack.db"),
		Getenv: func(k string) string { return vars[k] }, Log: zerolog.Nop()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Close()) })
	done := make(chan error, 1)
	go func() { done <- a.Run(context.Background()) }()
	select {
	case err := <-done:
		require.ErrorIs(t, err, slack.ErrRefused)
		assert.Contains(t, err.Error(), "slack refused SLACK_BOT_TOKEN (invalid_auth)")
	case <-time.After(10 * time.Second):
		t.Fatal("the bot kept running with a token Slack refuses")
	}
}

// Teams needs no network to start; when the Bot Framework cannot be
// reached, /readyz names Teams as down and the bot keeps serving.
func TestReadyzNamesTeamsWhenItCannotBeReached(t *testing.T) {
	dead := deadURL(t)
	cfg, err := config.Parse("teams.toml", []byte(`
[bot]
timezone = "Europe/Zurich"
platform = "teams"

[teams]
service_url = "`+dead+`"

[[people]]
id = "lea"
name = "Lea"
role = "lead"
teams = "29:lea"

[[rituals]]
id = "standup"
title = "Standup"
kind = "standup"
schedule = "30 9 * * 1"
channel = "19:standup@thread.tacv2"
participants = ["all"]
window = "1h"
`))
	require.NoError(t, err)
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	vars := map[string]string{"TEAMS_APP_ID": "00000000-0000-0000-0000-000000000001", "TEAMS_APP_PASSWORD": "pw",
		"TEAMS_TENANT_ID": "00000000-0000-0000-0000-000000000002", "TEAMS_TOKEN_URL": dead + "token"}
	clock := cadence.NewManualClock(monday)
	a, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "teams.db"),
		Getenv: func(k string) string { return vars[k] }, Clock: clock, Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond})
	require.NoError(t, err)
	url := runDaemon(t, a)

	require.Eventually(t, func() bool {
		c, body := get(t, url+"readyz")
		return c == 200 && strings.Contains(body, "teams: connecting")
	},
		5*time.Second, 10*time.Millisecond)
	clock.Set(monday.Add(30 * time.Minute)) // the standup's prompt needs a token
	var body string
	require.Eventually(t, func() bool {
		var code int
		code, body = get(t, url+"readyz")
		return code == http.StatusOK && strings.Contains(body, "teams: down since 2026-11-30T08:30:00Z: POST "+strings.TrimPrefix(strings.TrimSuffix(dead, "/"), "http://"))
	}, 5*time.Second, 10*time.Millisecond, "readyz: %s", body)
	assert.True(t, strings.HasPrefix(body, "degraded\n"), body)
	_, metrics := get(t, url+"metrics")
	assert.Contains(t, metrics, `cadencebot_platform_up{platform="teams"} 0`)
}

// deadURL is an http URL on the loopback where nothing listens.
func deadURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr + "/"
}

// Slack's Web API answering while its Socket Mode connection is down (a
// disconnect, then apps.connections.open failing) is still degraded:
// clicks and answers cannot reach the bot.
func TestReadyzNamesTheSlackEventsConnection(t *testing.T) {
	const bot, app = "xoxb-1-2-events", "xapp-1-A0CADENCE-3-events"
	fake := slacktest.New(bot, app)
	t.Cleanup(fake.Close)
	fake.AddUser(slacktest.User{ID: "U0LEA0001", Name: "lea", Email: "lea@example.com", TZ: "Europe/Zurich"})
	fake.AddUser(slacktest.User{ID: "U0ANA0002", Name: "ana", Email: "ana@example.com", TZ: "Europe/Bucharest"})
	fake.AddChannel(slacktest.Channel{ID: "C0MLOPS01", Name: "mlops", BotMember: true})
	cfg, err := config.Parse("slack.toml", []byte(strings.Replace(slackConfig, "%s", fake.URL, 1)))
	require.NoError(t, err)
	vars := map[string]string{"SLACK_BOT_TOKEN": bot, "SLACK_APP_TOKEN": app}
	a, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "slack.db"),
		Getenv: func(k string) string { return vars[k] }, Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond})
	require.NoError(t, err)
	url := runDaemon(t, a)
	readyz := func(want ...string) {
		t.Helper()
		var body string
		require.Eventually(t, func() bool {
			_, body = get(t, url+"readyz")
			for _, w := range want {
				if !strings.Contains(body, w) {
					return false
				}
			}
			return true
		}, 15*time.Second, 20*time.Millisecond, "readyz: %s", body)
	}
	require.True(t, fake.WaitConnections(1, 10*time.Second))
	readyz("ready\n", "slack events (Socket Mode): connected")

	// Slack asks the bot to reconnect (as it does every few hours) and
	// then fails to open the next connection twice.
	fake.FailNext("apps.connections.open", slacktest.Failure{Error: "internal_error"}, slacktest.Failure{Error: "internal_error"})
	fake.SendRaw(`{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"applink-1"}}`)
	readyz("degraded\n", "slack: up", "slack events (Socket Mode): not connected, reconnecting")
	readyz("ready\n", "slack events (Socket Mode): connected")
}
