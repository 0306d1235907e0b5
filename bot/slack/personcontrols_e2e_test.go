package slack_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
)

// oooSubmission is the view_submission of the out-of-office modal: the
// datepickers' selected_date and the note's value, as Slack sends them.
func oooSubmission(t testing.TB, user, metadata, from, to, note string) map[string]any {
	date := func(block, d string) map[string]any {
		return map[string]any{block: map[string]any{"type": "datepicker", "selected_date": d}}
	}
	return sample(t, "ViewSubmissionPayload.json", map[string]any{
		"user":                  map[string]any{"id": user, "username": "someone", "name": "someone", "team_id": slacktest.TeamID},
		"view.type":             "modal",
		"view.callback_id":      "cadence_ooo",
		"view.private_metadata": metadata,
		"view.state": map[string]any{"values": map[string]any{
			bot.OOOFieldFrom: date(bot.OOOFieldFrom, from),
			bot.OOOFieldTo:   date(bot.OOOFieldTo, to),
			bot.OOOFieldNote: map[string]any{bot.OOOFieldNote: map[string]any{"type": "plain_text_input", "value": note}},
		}},
	})
}

// outbox reads one outbox message.
func (w *engineWorld) outbox(key string) (*cadence.Message, error) {
	var m *cadence.Message
	err := w.store.View(context.Background(), func(tx cadence.Tx) error {
		var err error
		m, err = tx.Message(key)
		return err
	})
	return m, err
}

// promptOf is the DM prompt of a participant, as the workspace holds it.
func (w *engineWorld) promptOf(user string) slacktest.Message {
	w.t.Helper()
	msgs := w.fake.Messages(w.fake.DM(user))
	require.NotEmpty(w.t, msgs)
	return msgs[0]
}

func TestSnoozeButtonsThroughEngineAndSlack(t *testing.T) {
	w := newEngineWorld(t, 2)
	_, d := w.process(nil)
	e := &env{t: t, fake: w.fake}
	occ := cadence.OccurrenceID("standup", time.Date(2026, 11, 30, 8, 15, 0, 0, time.UTC))
	w.tickAndDispatch(d)
	w.clock.Set(monday.Add(15 * time.Minute))
	w.tickAndDispatch(d) // 09:15 Zurich: the prompts

	const user = "U0P000000"
	dm := w.fake.DM(user)
	p := w.promptOf(user)
	for _, id := range []string{cadence.ActionSnoozeHour, cadence.ActionSnoozeTomorrow, cadence.ActionOOO} {
		assert.Contains(t, string(p.Blocks), `"action_id":"`+id+`"`, "the prompt carries %s", id)
	}
	assert.Contains(t, string(p.Blocks), `"text":"Snooze 1 h"`)

	// Snooze 1 h: acked at once, the prompt says until when, in p00's zone.
	e.ack(w.fake.Send("interactive", blockAction(t, user, cadence.ActionSnoozeHour, occ, dm, p.TS, w.fake.NewTrigger(user))))
	eventually(t, "the prompt updated", func() bool { return w.promptOf(user).Updates == 1 })
	p = w.promptOf(user)
	assert.Contains(t, string(p.Blocks), "Snoozed: I will remind you about Daily standup on Mon 30 Nov 10:15 CET.")
	assert.Contains(t, string(p.Blocks), `"action_id":"answer"`, "the buttons stay: answering now is still possible")
	snooze, err := w.outbox(cadence.SnoozeKey(occ, "p00", 0))
	require.NoError(t, err)
	assert.Equal(t, monday.Add(75*time.Minute), snooze.NextAttemptAt.UTC())

	// 10:15: the reminder arrives.
	w.clock.Set(monday.Add(75 * time.Minute))
	w.tickAndDispatch(d)
	assert.Equal(t, 1, w.keys()[cadence.SnoozeKey(occ, "p00", 0)])

	// Answered: a snooze says so and changes nothing.
	_, err = w.engine.SubmitAnswer(context.Background(), cadence.AnswerInput{OccurrenceID: occ, PersonID: "p00", Via: "test",
		Responses: []cadence.Response{{QuestionID: "yesterday", Text: "a"}, {QuestionID: "today", Text: "b"}}})
	require.NoError(t, err)
	e.ack(w.fake.Send("interactive", blockAction(t, user, cadence.ActionSnoozeTomorrow, occ, dm, p.TS, w.fake.NewTrigger(user))))
	eventually(t, "the refusal", func() bool { return len(w.fake.Ephemerals()) == 1 })
	assert.Equal(t, ":information_source: You already answered Daily standup; there is nothing to snooze.", w.fake.Ephemerals()[0].Text)
	assert.Equal(t, 1, w.promptOf(user).Updates, "the prompt is left as it was")
	_, err = w.outbox(cadence.SnoozeKey(occ, "p00", 1))
	assert.ErrorIs(t, err, cadence.ErrNotFound, "nothing queued")

	// Closed: said so too.
	w.clock.Set(monday.Add(5 * 24 * time.Hour))
	w.tickAndDispatch(d)
	const other = "U0P000001"
	e.ack(w.fake.Send("interactive", blockAction(t, other, cadence.ActionSnoozeHour, occ, w.fake.DM(other), w.promptOf(other).TS, w.fake.NewTrigger(other))))
	eventually(t, "the refusal", func() bool { return len(w.fake.Ephemerals()) == 2 })
	assert.Equal(t, ":information_source: Daily standup is closed; there is nothing to snooze.", w.fake.Ephemerals()[1].Text)
}

func TestOOOButtonAsksForTheRange(t *testing.T) {
	w := newEngineWorld(t, 2)
	_, d := w.process(nil)
	e := &env{t: t, fake: w.fake}
	occ := cadence.OccurrenceID("standup", time.Date(2026, 11, 30, 8, 15, 0, 0, time.UTC))
	w.tickAndDispatch(d)
	w.clock.Set(monday.Add(15 * time.Minute))
	w.tickAndDispatch(d)

	const user = "U0P000000"
	dm := w.fake.DM(user)
	p := w.promptOf(user)
	e.ack(w.fake.Send("interactive", blockAction(t, user, cadence.ActionOOO, occ, dm, p.TS, w.fake.NewTrigger(user))))
	eventually(t, "the modal", func() bool { return len(w.fake.OpenedViews()) == 1 })
	var view struct {
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
		Blocks          []struct {
			BlockID string `json:"block_id"`
			Element struct {
				Type        string `json:"type"`
				InitialDate string `json:"initial_date"`
			} `json:"element"`
		} `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(w.fake.OpenedViews()[0].JSON, &view))
	assert.Equal(t, "cadence_ooo", view.CallbackID)
	var pickers []string
	for _, b := range view.Blocks {
		if b.Element.Type == "datepicker" {
			pickers = append(pickers, b.BlockID+"="+b.Element.InitialDate)
		}
	}
	assert.Equal(t, []string{"ooo_from=2026-11-30", "ooo_to=2026-11-30"}, pickers, "from and to start today in the person's zone")
	o, _, err := w.engine.Occurrence(context.Background(), occ)
	require.NoError(t, err)
	assert.NotContains(t, o.Excused, "p00", "opening the form excuses nobody")

	// Errors go next to their field.
	tests := []struct{ from, to, want string }{
		{"2026-12-04", "2026-12-01", `{"response_action":"errors","errors":{"ooo_to":"The last day is before the first (Fri 4 Dec 2026)."}}`},
		{"2026-11-01", "2026-11-20", `{"response_action":"errors","errors":{"ooo_to":"That day is past (today is Mon 30 Nov 2026)."}}`},
		{"2026-11-30", "2028-01-01", `{"response_action":"errors","errors":{"ooo_to":"That is 398 days; the limit is 366."}}`},
		{"", "2026-12-01", `{"response_action":"errors","errors":{"ooo_from":"Pick a day."}}`},
	}
	for _, tt := range tests {
		env := w.fake.Send("interactive", oooSubmission(t, user, view.PrivateMetadata, tt.from, tt.to, ""))
		assert.JSONEq(t, tt.want, string(e.ack(env)), "%s..%s", tt.from, tt.to)
	}
	st, err := w.engine.Status(context.Background(), "p00")
	require.NoError(t, err)
	assert.Empty(t, st.OutOfOffice, "nothing recorded while the form has errors")

	env := w.fake.Send("interactive", oooSubmission(t, user, view.PrivateMetadata, "2026-11-30", "2026-12-11", "holidays"))
	assert.Equal(t, "null", string(orNull(e.ack(env))), "a valid range closes the modal")
	st, err = w.engine.Status(context.Background(), "p00")
	require.NoError(t, err)
	assert.Equal(t, []cadence.DateRange{{From: cadence.Date{Year: 2026, Month: 11, Day: 30}, To: cadence.Date{Year: 2026, Month: 12, Day: 11}, Note: "holidays"}}, st.OutOfOffice)
	o, _, err = w.engine.Occurrence(context.Background(), occ)
	require.NoError(t, err)
	assert.Contains(t, o.Excused, "p00", "today's prompt falls in the range")

	eventually(t, "the prompt updated", func() bool { return w.promptOf(user).Updates == 1 })
	blocks := string(w.promptOf(user).Blocks)
	assert.Contains(t, blocks, "Out of office from Mon 30 Nov 2026 to Fri 11 Dec 2026")
	assert.Contains(t, blocks, "You are excused from Daily standup.")
	assert.False(t, strings.Contains(blocks, `"type":"actions"`), "nothing left to click")

	// Tomorrow's standup does not prompt p00.
	w.clock.Set(monday.Add(24*time.Hour + 15*time.Minute))
	w.tickAndDispatch(d)
	next := cadence.OccurrenceID("standup", time.Date(2026, 12, 1, 8, 15, 0, 0, time.UTC))
	assert.Zero(t, w.keys()[cadence.PromptKey(next, "p00")])
	assert.Equal(t, 1, w.keys()[cadence.PromptKey(next, "p01")])
}
