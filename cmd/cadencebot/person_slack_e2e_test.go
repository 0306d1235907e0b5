package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
	"github.com/cadencebot/cadencebot/config"
)

// slackWorld is the daemon on a config file, connected to the fake Slack
// workspace over Socket Mode.
type slackWorld struct {
	t    *testing.T
	a    *App
	fake *slacktest.Server
	path string
}

func startSlackDaemon(t *testing.T, start time.Time) *slackWorld {
	t.Helper()
	const bot, app = "xoxb-1-2-people", "xapp-1-A0CADENCE-3-people"
	clock := cadence.NewManualClock(start)
	fake := slacktest.New(bot, app)
	t.Cleanup(fake.Close)
	fake.Now = clock.Now
	fake.AddUser(slacktest.User{ID: "U0LEA0001", Name: "lea", Email: "lea@example.com", TZ: "Europe/Zurich"})
	fake.AddUser(slacktest.User{ID: "U0ANA0002", Name: "ana", Email: "ana@example.com", TZ: "Europe/Bucharest"})
	fake.AddUser(slacktest.User{ID: "U0KIM0003", Name: "kim", Email: "kim@example.com", TZ: "Europe/Warsaw"})
	fake.AddChannel(slacktest.Channel{ID: "C0MLOPS01", Name: "mlops"})
	path := filepath.Join(t.TempDir(), "cadence.toml")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(slackConfig, "%s", fake.URL, 1)), 0o600))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	vars := map[string]string{"SLACK_BOT_TOKEN": bot, "SLACK_APP_TOKEN": app}
	a, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "slack.db"), ConfigPath: path,
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
	require.Eventually(t, a.ready.ok.Load, 5*time.Second, time.Millisecond)
	return &slackWorld{t: t, a: a, fake: fake, path: path}
}

// slackSample is a recorded payload of bot/slack's testdata with fields
// set by dotted path.
func slackSample(t *testing.T, name string, set map[string]any) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "bot", "slack", "testdata", "samples", name))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	for path, v := range set {
		cur, keys := m, strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			next, ok := cur[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[k] = next
			}
			cur = next
		}
		cur[keys[len(keys)-1]] = v
	}
	return m
}

func (w *slackWorld) ack(typ string, payload map[string]any) string {
	w.t.Helper()
	p, ok := w.fake.WaitAck(w.fake.Send(typ, payload), 5*time.Second)
	require.True(w.t, ok, "not acked")
	if len(p) == 0 {
		return "null"
	}
	return string(p)
}

func (w *slackWorld) slash(user, text string) string {
	w.t.Helper()
	return w.ack("slash_commands", slackSample(w.t, "SlashCommandPayload.json", map[string]any{
		"user_id": user, "user_name": "someone", "command": "/cadence", "text": text, "team_id": slacktest.TeamID,
		"channel_id": "C0MLOPS01", "trigger_id": w.fake.NewTrigger(user), "response_url": "https://hooks.slack.com/commands/T/1/x",
	}))
}

type openedModal struct {
	CallbackID      string `json:"callback_id"`
	PrivateMetadata string `json:"private_metadata"`
	raw             string
}

func (w *slackWorld) modal(n int) openedModal {
	w.t.Helper()
	require.Eventually(w.t, func() bool { return len(w.fake.OpenedViews()) >= n }, 5*time.Second, 5*time.Millisecond)
	v := w.fake.OpenedViews()[n-1]
	var m openedModal
	require.NoError(w.t, json.Unmarshal(v.JSON, &m))
	m.raw = string(v.JSON)
	return m
}

type submitAck struct {
	Action string            `json:"response_action"`
	Errors map[string]string `json:"errors,omitempty"`
	View   *struct {
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
	} `json:"view,omitempty"`
	raw string
}

func (w *slackWorld) submit(user string, m openedModal, values map[string]string) submitAck {
	w.t.Helper()
	state := map[string]any{}
	for k, v := range values {
		state[k] = map[string]any{k: map[string]any{"type": "plain_text_input", "value": v}}
	}
	raw := w.ack("interactive", slackSample(w.t, "ViewSubmissionPayload.json", map[string]any{
		"user":      map[string]any{"id": user, "username": "someone", "name": "someone", "team_id": slacktest.TeamID},
		"view.type": "modal", "view.callback_id": m.CallbackID, "view.private_metadata": m.PrivateMetadata,
		"view.state": map[string]any{"values": state},
	}))
	var ack submitAck
	if raw != "null" {
		require.NoError(w.t, json.Unmarshal([]byte(raw), &ack))
		ack.raw = raw
	}
	return ack
}

// A lead adds a person from Slack with the config file's rules, then
// removes them: the confirmation says what happens, their open
// follow-up goes to the ritual's lead, who is told in a DM.
func TestSlackPersonLifecycle(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	w := startSlackDaemon(t, monday)
	const lea, ana = "U0LEA0001", "U0ANA0002"

	assert.Contains(t, w.slash(ana, "person new"), "Only leads and admins add, change and remove people; you are a specialist.")
	assert.Contains(t, w.slash(lea, "person edit ana"), "ana is managed in the config file "+w.path)

	require.Equal(t, "null", w.slash(lea, "person new"))
	m := w.modal(1)
	good := map[string]string{"id": "kim", "name": "Kim Lee", "role": "specialist", "timezone": "Europe/Warsaw", "slack": "U0KIM0003"}
	with := func(set map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range good {
			out[k] = v
		}
		for k, v := range set {
			out[k] = v
		}
		return out
	}
	for _, tc := range []struct {
		name string
		set  map[string]string
		want map[string]string // block → part of its error
	}{
		{"bad zone", map[string]string{"timezone": "Mars/Olympus"}, map[string]string{"timezone": "Mars/Olympus"}},
		{"unknown role", map[string]string{"role": "boss"}, map[string]string{"role": "boss"}},
		{"duplicate id", map[string]string{"id": "ana"}, map[string]string{"id": "There is already a person ana in the config file " + w.path}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ack := w.submit(lea, m, with(tc.set))
			assert.Equal(t, "errors", ack.Action)
			for block, part := range tc.want {
				assert.Contains(t, ack.Errors[block], part)
			}
			assert.Len(t, ack.Errors, len(tc.want), "%v", ack.Errors)
		})
	}
	assert.Nil(t, w.a.eng.Roster().Person("kim"))
	require.Equal(t, submitAck{}, w.submit(lea, m, good))
	require.NotNil(t, w.a.eng.Roster().Person("kim"), "on the roster at once")
	assert.Equal(t, "Europe/Warsaw", w.a.eng.Roster().Person("kim").Location.String())

	// Edited from an older version: refused with who and when.
	require.Equal(t, "null", w.slash(lea, "person edit kim"))
	edit := w.modal(2)
	assert.Contains(t, edit.raw, "Kim Lee")
	_, err := w.a.editor.Save(context.Background(), "lea", cadence.DefPerson, "kim", "name = \"Kim L.\"\nrole = \"specialist\"\ntimezone = \"Europe/Warsaw\"\nslack = \"U0KIM0003\"\n", 1)
	require.NoError(t, err)
	// The modal comes back with what was typed, the newer version and
	// whose change it was on top; saving again overwrites on purpose.
	typed := with(map[string]string{"name": "Kim Lee-Park"})
	ack := w.submit(lea, edit, typed)
	require.Equal(t, "update", ack.Action, ack.raw)
	assert.Contains(t, ack.raw, "Changed by Lea at Mon 30 Nov 09:00 CET (now version 2)")
	assert.Contains(t, ack.raw, "Kim Lee-Park", "what was typed is kept")
	require.NotNil(t, ack.View)
	assert.Equal(t, "Kim L.", w.a.eng.Roster().Person("kim").Name, "nothing saved yet")
	edit.PrivateMetadata = ack.View.PrivateMetadata
	require.Equal(t, "", w.submit(lea, edit, typed).Action, "the second save overwrites")
	assert.Equal(t, "Kim Lee-Park", w.a.eng.Roster().Person("kim").Name)

	// Kim owns an open follow-up; removing hands it to triage's lead.
	inc, err := w.a.ops.OpenIncident(context.Background(), "lea", ops.IncidentInput{Title: "Churn model drift", Severity: 2})
	require.NoError(t, err)
	due, _ := cadence.ParseDate("2026-12-04")
	f, err := w.a.ops.AddFollowUp(context.Background(), "lea", ops.FollowUpInput{Incident: inc.ID(), Owner: "kim", Due: due, Title: "Tighten drift alert"})
	require.NoError(t, err)

	assert.Contains(t, w.slash(ana, "person remove kim"), "you are a specialist")
	require.Equal(t, "null", w.slash(lea, "person remove kim"))
	rm := w.modal(3)
	assert.Equal(t, "config_person_remove", rm.CallbackID)
	for _, s := range []string{"Remove Kim Lee-Park (kim) from the roster?", "They leave: Triage.",
		"Their open follow-up " + f.ID() + " goes to Lea, who is told in chat.", "Their history is kept"} {
		assert.Contains(t, rm.raw, s)
	}
	require.Equal(t, submitAck{}, w.submit(lea, rm, nil))
	assert.Nil(t, w.a.eng.Roster().Person("kim"))
	require.Eventually(t, func() bool {
		for _, msg := range w.fake.Messages(w.fake.DM(lea)) {
			if strings.Contains(string(msg.Blocks)+msg.Text, "Kim Lee-Park left the roster; their follow-up is yours now.") {
				return true
			}
		}
		return false
	}, 5*time.Second, 10*time.Millisecond, "the lead is told in chat")
	require.Eventually(t, func() bool {
		for _, e := range w.fake.Ephemerals() {
			if e.User == lea && strings.Contains(e.Text, "Removed kim from the roster; their history is kept.") {
				return true
			}
		}
		return false
	}, 5*time.Second, 10*time.Millisecond, "the remover is told")
	var got *cadence.FollowUp
	require.NoError(t, w.a.db.View(context.Background(), func(tx cadence.Tx) error {
		fus, err := tx.FollowUps(cadence.FollowUpFilter{Owner: "lea"})
		for _, x := range fus {
			if x.ID() == f.ID() {
				got = x
			}
		}
		return err
	}))
	require.NotNil(t, got, "the follow-up is the lead's now")
}
