package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
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

// The same signed slash command sent twice within Slack's five minutes
// opens one incident, not INC-1 and INC-2; the second copy is refused
// with 409, and still is after a restart within the window.
func TestReplayedSlashCommandActsOnce(t *testing.T) {
	const bot, secret = "xoxb-1-2-replay", "8f742231b10e8888abcd99yyyzzz85a5"
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	clock := cadence.NewManualClock(monday)
	fake := slacktest.New(bot, "xapp-1-A0CADENCE-3-replay")
	t.Cleanup(fake.Close)
	fake.Now = clock.Now
	fake.AddUser(slacktest.User{ID: "U0LEA0001", Name: "lea", Email: "lea@example.com", TZ: "Europe/Zurich"})
	fake.AddUser(slacktest.User{ID: "U0ANA0002", Name: "ana", Email: "ana@example.com", TZ: "Europe/Bucharest"})
	fake.AddChannel(slacktest.Channel{ID: "C0MLOPS01", Name: "mlops"})
	cfg, err := config.Parse("slack.toml", []byte(strings.Replace(slackConfig, "%s", fake.URL, 1)))
	require.NoError(t, err)
	vars := map[string]string{"SLACK_BOT_TOKEN": bot, "SLACK_SIGNING_SECRET": secret}
	db := filepath.Join(t.TempDir(), "slack.db")
	start := func() (*App, func()) {
		a, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: db, Getenv: func(k string) string { return vars[k] },
			Clock: clock, Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond})
		require.NoError(t, err)
		_, err = a.Listen()
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx) }()
		return a, func() { cancel(); require.NoError(t, <-done); require.NoError(t, a.Close()) }
	}

	form := url.Values{"token": {"gIkuvaNzQIHg97ATvDxqgjtO"}, "team_id": {slacktest.TeamID}, "channel_id": {"C0MLOPS01"},
		"user_id": {"U0LEA0001"}, "user_name": {"lea"}, "command": {"/cadence"}, "text": {"incident new Drift on ranker-v3 --sev 2"},
		"trigger_id": {"13345224609.738474920.8088930838d88f008e0"}, "response_url": {"https://hooks.slack.com/commands/T/1/x"}}.Encode()
	ts := fmt.Sprint(clock.Now().Unix())
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, form)
	sig := "v0=" + hex.EncodeToString(mac.Sum(nil))
	send := func(a *App) (int, string) {
		req, err := http.NewRequest(http.MethodPost, a.listenURL+"slack/commands", strings.NewReader(form))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	incidents := func(a *App) []string {
		var ids []string
		require.NoError(t, a.db.View(context.Background(), func(tx cadence.Tx) error {
			incs, err := tx.Incidents(cadence.IncidentFilter{})
			for _, i := range incs {
				ids = append(ids, i.ID())
			}
			return err
		}))
		return ids
	}

	a, stop := start()
	// Someone the roster does not know is refused, and that is audited.
	stranger := strings.Replace(form, "U0LEA0001", "U0NOBODY9", 1)
	{
		ts := fmt.Sprint(clock.Now().Unix())
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "v0:%s:%s", ts, stranger)
		req, err := http.NewRequest(http.MethodPost, a.listenURL+"slack/commands", strings.NewReader(stranger))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Contains(t, string(b), "not on the cadencebot roster")
		var last *cadence.AuditEntry
		require.NoError(t, a.db.View(context.Background(), func(tx cadence.Tx) (err error) { last, err = tx.LastAudit(); return err }))
		assert.Equal(t, cadence.AuditRefused, last.Outcome)
		assert.Equal(t, map[string]string{"platform": "slack", "user": "U0NOBODY9"}, last.Details)
	}
	code, body := send(a)
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, "INC-1")
	clock.Advance(2 * time.Minute)
	code, body = send(a)
	assert.Equal(t, http.StatusConflict, code)
	assert.Contains(t, body, "already received")
	assert.Equal(t, []string{"INC-1"}, incidents(a))
	stop()

	// A restart within the window remembers what was taken.
	clock.Advance(time.Minute)
	a, stop = start()
	defer stop()
	code, _ = send(a)
	assert.Equal(t, http.StatusConflict, code)
	assert.Equal(t, []string{"INC-1"}, incidents(a))
}
