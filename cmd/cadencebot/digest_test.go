package main

import (
	"bytes"
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/dashboard"
)

// The app test's team with a manager, and a digest to the leads' channel
// and to every manager, Mondays 09:00 Zurich.
const digestConfig = appConfig + `
[[people]]
id = "mo"
name = "Mo"
role = "manager"

[digest]
channel = "leads"
recipients = ["role:manager"]
weeks = 4
threshold = 70
`

// runApp runs an app on db until the returned stop is called (or the test
// ends), so a test can restart the bot on the same database.
func runApp(t *testing.T, cfgText, db string, clock *cadence.ManualClock) (*App, string, func()) {
	t.Helper()
	return runAppEnv(t, cfgText, db, clock, nil)
}

// runAppEnv is runApp with environment variables.
func runAppEnv(t *testing.T, cfgText, db string, clock *cadence.ManualClock, vars map[string]string) (*App, string, func()) {
	t.Helper()
	cfg, err := config.Parse("digest.toml", []byte(cfgText))
	require.NoError(t, err)
	app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: db, Getenv: func(k string) string { return vars[k] },
		Clock: clock, Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond})
	require.NoError(t, err)
	u, err := app.Listen()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("app did not stop within 10s")
		}
		require.NoError(t, app.Close())
	}
	t.Cleanup(stop)
	return app, u, stop
}

// digests lists the digest messages in the store, by key.
func digests(t *testing.T, a *App) map[string]*cadence.Message {
	t.Helper()
	out := map[string]*cadence.Message{}
	require.NoError(t, a.db.View(context.Background(), func(tx cadence.Tx) error {
		ms, err := tx.Messages(cadence.MessageFilter{})
		for _, m := range ms {
			if m.Kind == cadence.KindDigest {
				out[m.Key] = m
			}
		}
		return err
	}))
	return out
}

func TestAppPostsTheWeeklyDigestOncePerRecipient(t *testing.T) {
	db := filepath.Join(t.TempDir(), "app.db")
	monday := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC) // 09:00 Zurich, 2026-W48
	clock := cadence.NewManualClock(monday)
	a, base, stop := runApp(t, digestConfig, db, clock)

	// A week with one triage for everyone: Ana answers, Lea and Mo do not.
	require.Eventually(t, func() bool { c, _ := get(t, base+"readyz"); return c == 200 }, 5*time.Second, 10*time.Millisecond)
	clock.Set(monday.Add(30 * time.Minute))
	occ := "triage@20261123T083000Z"
	require.Eventually(t, func() bool {
		_, _, err := a.eng.Occurrence(context.Background(), occ)
		return err == nil
	}, 5*time.Second, 10*time.Millisecond)
	_, err := a.eng.SubmitAnswer(context.Background(), cadence.AnswerInput{OccurrenceID: occ, PersonID: "ana", Via: "test",
		Responses: []cadence.Response{{QuestionID: "incidents", Text: "none"}}})
	require.NoError(t, err)
	assert.Empty(t, digests(t, a), "nothing before the first fire time")

	// Monday 30 November 09:00 Zurich: one digest per recipient.
	fire := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	clock.Set(fire)
	keys := []string{"digest/20261130T080000Z/#leads", "digest/20261130T080000Z/@mo"}
	require.Eventually(t, func() bool {
		ds := digests(t, a)
		return len(ds) == 2 && ds[keys[0]] != nil && ds[keys[0]].State == cadence.StateSent && ds[keys[1]] != nil && ds[keys[1]].State == cadence.StateSent
	}, 10*time.Second, 10*time.Millisecond, "both digests delivered to the local chat")
	for _, m := range digests(t, a) {
		assert.Equal(t, "Cadence digest · 2026-W48", m.Body.Title)
		assert.Equal(t, "local", m.Platform)
		assert.Contains(t, strings.Join(m.Body.Sections[0].Lines, "\n"), "Answers: 1 of 3 expected (33.3%)")
		var headings []string
		for _, s := range m.Body.Sections {
			headings = append(headings, s.Heading)
		}
		assert.Contains(t, headings, "Below 70% of prompts answered on time", "the configured threshold")
		require.NotNil(t, m.Body.Image, m.Key)
		assert.Equal(t, "adherence-2026-W48.png", m.Body.Image.Name)
		assert.Contains(t, m.Body.Image.Alt, "2026-W48")
		assert.True(t, bytes.HasPrefix(m.Body.Image.PNG, []byte("\x89PNG\r\n\x1a\n")), "a PNG")
		// The score in a sentence, and a page the bot serves, not the README.
		assert.NotContains(t, m.Body.Footer, "README")
		assert.Contains(t, m.Body.Footer, dashboard.ScoreSentence+" How it works: "+base+"dashboard/score")
	}
	code, page := get(t, base+"dashboard/score")
	assert.Equal(t, 200, code)
	assert.Contains(t, page, "How the score works")
	assert.Contains(t, page, "held on time")

	// The local chat shows the chart inline, in the channel and in Mo's DM.
	_, page = get(t, base+"c/leads")
	assert.Contains(t, page, "Cadence digest · 2026-W48")
	assert.Contains(t, page, `<img src="/img/`+url.PathEscape(keys[0])+`"`)
	assert.Contains(t, page, `href="/c/leads"`, "the managers' channel is in the navigation")
	for _, k := range keys {
		code, png := get(t, base+"img/"+url.PathEscape(k))
		assert.Equal(t, 200, code, k)
		assert.True(t, strings.HasPrefix(png, "\x89PNG"), k)
	}

	// Restart later the same morning: no second digest.
	stop()
	clock.Set(fire.Add(20 * time.Minute))
	a, _, stop = runApp(t, digestConfig, db, clock)
	require.NotNil(t, a.digest)
	require.NoError(t, a.digest.Tick(context.Background()), "a tick after the restart, for sure")
	assert.Len(t, digests(t, a), 2)

	// Down for the next two Mondays: one late digest for the latest only.
	stop()
	back := time.Date(2026, 12, 15, 9, 0, 0, 0, time.UTC)
	clock.Set(back)
	a, _, _ = runApp(t, digestConfig, db, clock)
	require.NoError(t, a.digest.Tick(context.Background()))
	ds := digests(t, a)
	assert.Len(t, ds, 4)
	for _, k := range []string{"digest/20261214T080000Z/#leads", "digest/20261214T080000Z/@mo"} {
		require.Contains(t, ds, k)
		assert.Equal(t, back, ds[k].CreatedAt)
		assert.Equal(t, "Cadence digest · 2026-W50", ds[k].Body.Title)
	}
}

func TestDigestOnAPlatformWithoutCredentialsIsRefused(t *testing.T) {
	// To the channel only: Slack DMs would also need Mo's Slack handle.
	text := strings.Replace(digestConfig, `recipients = ["role:manager"]`, `platform = "slack"`, 1)
	cfg, err := config.Parse("digest.toml", []byte(text))
	require.NoError(t, err)
	_, err = newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "app.db"),
		Getenv: func(string) string { return "" }, Log: zerolog.Nop()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the digest runs on slack but SLACK_BOT_TOKEN is not set")
}
