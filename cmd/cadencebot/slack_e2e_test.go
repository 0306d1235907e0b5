package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// The daemon as a user sets it up for Slack: a config with platform
// "slack" and handles, the two tokens in the environment, [slack] api_url
// pointing at a Slack workspace (the fake, over real HTTP and websocket).
const slackConfig = `
[bot]
timezone = "Europe/Zurich"
platform = "slack"

[slack]
api_url = "%s"

[[people]]
id = "lea"
name = "Lea"
role = "lead"
slack = "U0LEA0001"

[[people]]
id = "ana"
name = "Ana"
role = "specialist"
slack = "ana@example.com"

[[rituals]]
id = "triage"
title = "Triage"
kind = "triage"
schedule = "30 9 * * 1"
channel = "mlops"
participants = ["all"]
window = "1h"
`

func TestDaemonRunsARitualInSlack(t *testing.T) {
	const bot, app = "xoxb-1-2-daemon", "xapp-1-A0CADENCE-3-daemon"
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // 09:00 Zurich
	clock := cadence.NewManualClock(monday)
	fake := slacktest.New(bot, app)
	t.Cleanup(fake.Close)
	fake.Now = clock.Now
	fake.AddUser(slacktest.User{ID: "U0LEA0001", Name: "lea", Email: "lea@example.com", TZ: "Europe/Zurich"})
	fake.AddUser(slacktest.User{ID: "U0ANA0002", Name: "ana", Email: "ana@example.com", TZ: "Europe/Bucharest"})
	fake.AddChannel(slacktest.Channel{ID: "C0MLOPS01", Name: "mlops"})

	cfg, err := config.Parse("slack.toml", []byte(strings.Replace(slackConfig, "%s", fake.URL, 1)))
	require.NoError(t, err)
	vars := map[string]string{"SLACK_BOT_TOKEN": bot, "SLACK_APP_TOKEN": app}
	a, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "slack.db"),
		Getenv: func(k string) string { return vars[k] }, Clock: clock, Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond})
	require.NoError(t, err)
	_, err = a.Listen()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
		require.NoError(t, a.Close())
	})
	require.True(t, fake.WaitConnections(1, 5*time.Second), "Socket Mode connected")
	require.Eventually(t, a.ready.ok.Load, 5*time.Second, time.Millisecond, "first tick done at 09:00")

	// 09:30: the agenda goes to #mlops (joined by name), prompts to each
	// person's user id (ana's resolved from her email).
	clock.Set(monday.Add(30 * time.Minute))
	require.Eventually(t, func() bool { return len(fake.Messages("C0MLOPS01")) > 0 }, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, fake.Messages("C0MLOPS01")[0].Text, "Triage")
	require.Eventually(t, func() bool {
		return len(fake.Messages(fake.DM("U0ANA0002"))) > 0 && len(fake.Messages(fake.DM("U0LEA0001"))) > 0
	}, 5*time.Second, 10*time.Millisecond)
	assert.Zero(t, fake.Calls("conversations.open"), "prompts are posted to the user id directly")

	// A restart of the daemon on the same database posts nothing again.
	require.Eventually(t, func() bool { return outboxDrained(t, a) }, 5*time.Second, 10*time.Millisecond)
	before := len(fake.AllMessages())
	assert.Equal(t, 4, before, "agenda, two prompts, the summary in the thread")
	cancel()
	require.NoError(t, <-done)
	require.NoError(t, a.Close())
	a2, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: a.opts.DB,
		Getenv: func(k string) string { return vars[k] }, Clock: clock, Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond})
	require.NoError(t, err)
	a = a2
	_, err = a.Listen()
	require.NoError(t, err)
	ctx, cancel = context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { done <- a.Run(ctx) }()
	require.True(t, fake.WaitConnections(2, 5*time.Second), "reconnected after the restart")
	time.Sleep(100 * time.Millisecond) // several ticks and dispatcher passes
	assert.Equal(t, before, len(fake.AllMessages()), "nothing posted twice after a restart")
}

// outboxDrained reports whether every queued message reached the platform.
func outboxDrained(t *testing.T, a *App) bool {
	var n int
	require.NoError(t, a.db.View(context.Background(), func(tx cadence.Tx) error {
		due, err := tx.Due(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 10)
		n = len(due)
		return err
	}))
	return n == 0
}
