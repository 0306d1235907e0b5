package slack_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
)

// downChat is Slack out of reach: every send fails as a network error would.
type downChat struct {
	cadence.Chat
	down *bool
}

func (c downChat) Send(ctx context.Context, m *cadence.Message, thread cadence.Ref) (cadence.Ref, error) {
	if *c.down {
		return cadence.Ref{}, &cadence.SendError{Retryable: true, Code: "unreachable", Err: errors.New("dial tcp: connection refused")}
	}
	return c.Chat.Send(ctx, m, thread)
}

func (w *engineWorld) message(channel, key string) slacktest.Message {
	w.t.Helper()
	for _, m := range w.fake.Messages(channel) {
		if k, part := metadataKey(w.t, m); k == key && part == 1 {
			return m
		}
	}
	w.t.Fatalf("no message %s in %s", key, channel)
	return slacktest.Message{}
}

// A Slack outage that outlasts the window: once Slack is back, no
// reminder goes out, the prompt and the agenda say the ritual closed,
// and the prompt's button opens the late answer the rules still allow.
func TestSlackOutageThenLateAnswer(t *testing.T) {
	w := newEngineWorld(t, 2)
	down := true
	_, d := w.process(func(c cadence.Chat) cadence.Chat { return downChat{Chat: c, down: &down} })
	occ := cadence.OccurrenceID("standup", monday.Add(15*time.Minute))
	w.tickAndDispatch(d) // 09:00: the ritual starts

	for _, at := range []time.Duration{15 * time.Minute, 3*time.Hour + 15*time.Minute, 4*time.Hour + 15*time.Minute} {
		w.clock.Set(monday.Add(at))
		w.tickAndDispatch(d)
	}
	assert.Empty(t, w.keys(), "nothing reached Slack during the outage")

	down = false
	w.clock.Set(monday.Add(5*time.Hour + 30*time.Minute))
	w.tickAndDispatch(d)
	keys := w.keys()
	assert.Zero(t, keys[cadence.ReminderKey(occ, "p00", 0)], "no reminder after the close")
	assert.Zero(t, keys[cadence.ReminderKey(occ, "p01", 0)], "no reminder after the close")
	dm := w.fake.DM("U0P000000")
	prompt := w.message(dm, cadence.PromptKey(occ, "p00"))
	assert.Contains(t, string(prompt.Blocks), "This closed at Mon 30 Nov 13:15 CET, before this message could reach you. You can still answer late until Mon 7 Dec 13:15 CET")
	assert.Contains(t, string(prompt.Blocks), `"text":"Answer late"`)
	assert.NotContains(t, string(prompt.Blocks), "Skip this one", "declining after the close is refused: no such button")
	agenda := w.message(cMLOps, cadence.AgendaKey(occ))
	assert.Contains(t, string(agenda.Blocks), `Daily standup closed at \u003c!date^1796040900^{date_short_pretty} at {time}|Mon 30 Nov 13:15 CET\u003e; the summary is in the thread.`, "in each reader's zone")
	assert.NotContains(t, string(agenda.Blocks), "is open")

	// The late prompt's button opens the modal, worded for a late answer.
	e := &env{t: t, fake: w.fake}
	e.ack(w.fake.Send("interactive", blockAction(t, "U0P000000", cadence.ActionAnswer, occ, dm, prompt.TS, w.fake.NewTrigger("U0P000000"))))
	eventually(t, "the late modal", func() bool { return len(w.fake.OpenedViews()) == 1 })
	view := string(w.fake.OpenedViews()[0].JSON)
	assert.Contains(t, view, "You can still answer late until")
	assert.Contains(t, view, `"text":"Send late"`)
	ack := e.ack(w.fake.Send("interactive", viewSubmission(t, "U0P000000", occ, map[string]string{
		"yesterday": "drift alerts", "today": "retrain", "blockers": "none"})))
	assert.Equal(t, "null", string(orNull(ack)), "the late answer is accepted")
	_, answers, err := w.engine.Occurrence(context.Background(), occ)
	require.NoError(t, err)
	require.Len(t, answers, 1)
	assert.True(t, answers[0].SubmittedAt.After(monday.Add(4*time.Hour+15*time.Minute)), "stored as late")

	// A second click: the late answer stands, and the person is told why.
	e.ack(w.fake.Send("interactive", blockAction(t, "U0P000000", cadence.ActionAnswer, occ, dm, prompt.TS, w.fake.NewTrigger("U0P000000"))))
	eventually(t, "the refusal", func() bool { return len(w.fake.Ephemerals()) == 1 })
	assert.Equal(t, "Your answer to Daily standup can no longer be edited: it closed Mon 30 Nov 13:15 CET.", w.fake.Ephemerals()[0].Text)
	assert.Len(t, w.fake.OpenedViews(), 1)
}

// Without an outage: at the close the agenda is redrawn in place, and the
// Answer button of the prompt delivered on time leads to the late answer.
func TestSlackAgendaRedrawnAtCloseAndLateAnswerFromTheOnTimePrompt(t *testing.T) {
	w := newEngineWorld(t, 2)
	_, d := w.process(nil)
	occ := cadence.OccurrenceID("standup", monday.Add(15*time.Minute))
	w.tickAndDispatch(d) // 09:00: the ritual starts
	w.clock.Set(monday.Add(15 * time.Minute))
	w.tickAndDispatch(d)
	assert.Contains(t, string(w.message(cMLOps, cadence.AgendaKey(occ)).Blocks), "is open")

	w.clock.Set(monday.Add(4*time.Hour + 20*time.Minute))
	w.tickAndDispatch(d)
	agenda := w.message(cMLOps, cadence.AgendaKey(occ))
	assert.Equal(t, 1, agenda.Updates, "redrawn in place")
	assert.Contains(t, string(agenda.Blocks), "Daily standup closed at ")
	assert.Contains(t, string(agenda.Blocks), `"text":"Answer late"`)

	dm := w.fake.DM("U0P000001")
	prompt := w.message(dm, cadence.PromptKey(occ, "p01"))
	assert.Contains(t, string(prompt.Blocks), "Please answer by", "delivered on time, worded on time")
	e := &env{t: t, fake: w.fake}
	e.ack(w.fake.Send("interactive", blockAction(t, "U0P000001", cadence.ActionAnswer, occ, dm, prompt.TS, w.fake.NewTrigger("U0P000001"))))
	eventually(t, "the late modal", func() bool { return len(w.fake.OpenedViews()) == 1 })
	assert.Contains(t, string(w.fake.OpenedViews()[0].JSON), "You can still answer late until")
	for _, eph := range w.fake.Ephemerals() {
		assert.False(t, strings.Contains(eph.Text, "no longer accepted"), eph.Text)
	}
}
