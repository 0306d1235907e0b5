package cadence_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func TestEngineTriageLifecycle(t *testing.T) {
	h := cadencetest.NewHarness(t, cadencetest.Monday.Add(8*time.Hour), cadencetest.TriageRitual(t)) // 09:00 Zurich
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)                                     // 09:30 Zurich
	id := cadence.OccurrenceID("triage", fire)

	// A new ritual starts from now: nothing is back-filled or sent.
	h.At(cadencetest.Monday.Add(8 * time.Hour))
	assert.Empty(t, h.Chat.Delivered())
	assert.Empty(t, h.Occurrences(cadence.OccurrenceFilter{}))

	// One second before the fire time: still nothing.
	h.At(fire.Add(-time.Second))
	assert.Empty(t, h.Chat.Delivered())

	// Due: agenda to the channel, summary in its thread, one prompt each.
	h.At(fire)
	o, _ := h.Occurrence(id)
	assert.Equal(t, cadence.StatusOpen, o.Status)
	assert.False(t, o.Late)
	assert.Equal(t, fire, o.OpenedAt)
	assert.Equal(t, fire.Add(4*time.Hour), o.ClosesAt)
	assert.Equal(t, "ana", o.Facilitator, "first facilitator of the rotation")
	assert.Equal(t, []string{"lea", "ana", "bo", "cy"}, o.Expected)

	agenda := delivered(h, cadence.AgendaKey(id))
	assert.Equal(t, cadence.Recipient{Channel: "mlops"}, agenda.Message.To)
	assert.Equal(t, "Weekly triage · Mon 30 Nov 2026", agenda.Message.Body.Title)
	assert.Contains(t, agenda.Message.Body.Text, "answer by Mon 30 Nov 13:30 CET")
	summary := delivered(h, cadence.SummaryKey(id))
	assert.Equal(t, agenda.Ref, summary.Thread, "summary threaded under the agenda")
	assert.Equal(t, "0 of 4 answered", summary.Message.Body.Text)
	for _, p := range []string{"lea", "ana", "bo", "cy"} {
		prompt := delivered(h, cadence.PromptKey(id, p))
		assert.Equal(t, cadence.Recipient{Person: p}, prompt.Message.To)
		assert.Len(t, prompt.Message.Body.Questions, 3)
	}
	assert.Contains(t, delivered(h, cadence.PromptKey(id, "cy")).Message.Body.Text, "by Mon 30 Nov 17:30 +05", "deadline in Cy's own zone")
	assert.Equal(t, 4, h.Obs.Prompts)

	// Replaying the tick changes nothing.
	before := len(h.Messages())
	h.At(fire)
	h.At(fire.Add(time.Minute))
	assert.Len(t, h.Messages(), before)
	assert.Empty(t, h.Chat.Duplicates())

	// Ana answers: stored, receipt, summary updated in place.
	h.Clock.Set(fire.Add(10 * time.Minute))
	a, err := triageAnswer(h, id, "ana", "none")
	require.NoError(t, err)
	assert.Equal(t, fire.Add(10*time.Minute), a.SubmittedAt)
	h.Dispatch()
	assert.Contains(t, delivered(h, cadence.ReceiptKey(id, "ana", 0)).Message.Body.Text, "saved")
	summary = delivered(h, cadence.SummaryKey(id))
	assert.Equal(t, 1, summary.Updates)
	assert.Equal(t, "1 of 4 answered", summary.Message.Body.Text)

	// Ana edits: still one answer, a second receipt.
	h.Clock.Set(fire.Add(20 * time.Minute))
	a, err = triageAnswer(h, id, "ana", "waiting for the data contract review")
	require.NoError(t, err)
	assert.Equal(t, 1, a.Edits)
	assert.Equal(t, fire.Add(10*time.Minute), a.SubmittedAt, "latency is measured to the first submission")
	h.Dispatch()
	delivered(h, cadence.ReceiptKey(id, "ana", 1))
	assert.Equal(t, "1 of 4 answered, 1 blocker", delivered(h, cadence.SummaryKey(id)).Message.Body.Text)

	// Bo declines: no reminders for Bo, not counted as missing.
	require.NoError(t, h.Eng.Decline(h.Ctx, id, "bo", "on call"))
	require.NoError(t, h.Eng.Decline(h.Ctx, id, "bo", "on call"), "declining twice is a no-op")
	h.Dispatch()
	o, _ = h.Occurrence(id)
	assert.Equal(t, []string{"lea", "ana", "cy"}, o.Expected)
	assert.Equal(t, "declined: on call", o.Excused["bo"])

	// 1h before close: reminders to those who have not answered.
	h.At(fire.Add(3*time.Hour - time.Second))
	assert.Empty(t, h.Chat.Kinds()[cadence.KindReminder])
	h.At(fire.Add(3 * time.Hour))
	assert.Equal(t, 2, h.Chat.Kinds()[cadence.KindReminder])
	delivered(h, cadence.ReminderKey(id, "lea", 0))
	delivered(h, cadence.ReminderKey(id, "cy", 0))
	assert.Contains(t, delivered(h, cadence.ReminderKey(id, "cy", 0)).Message.Body.Text, "closes in 1h")

	// Cy answers with a blocker before the second reminder.
	h.Clock.Set(fire.Add(3*time.Hour + 10*time.Minute))
	_, err = triageAnswer(h, id, "cy", "GPU quota for retraining")
	require.NoError(t, err)

	// 30m before close: only Lea is reminded again.
	h.At(fire.Add(3*time.Hour + 30*time.Minute))
	assert.Equal(t, 3, h.Chat.Kinds()[cadence.KindReminder])
	delivered(h, cadence.ReminderKey(id, "lea", 1))

	// Close: the summary says who answered, who did not, and the blockers.
	h.At(fire.Add(4 * time.Hour))
	o, _ = h.Occurrence(id)
	assert.Equal(t, cadence.StatusClosed, o.Status)
	final := delivered(h, cadence.SummaryKey(id)).Message.Body
	assert.Equal(t, "Closed: 2 of 3 answered, 2 blockers", final.Text)
	assert.Equal(t, "Blockers", final.Sections[0].Heading)
	assert.Equal(t, []string{"Ana: waiting for the data contract review", "Cy: GPU quota for retraining"}, final.Sections[0].Lines)
	assert.Contains(t, cadencetest.SectionLines(final, "Did not answer"), "Lea")
	assert.Contains(t, cadencetest.SectionLines(final, "Excused"), "Bo: declined: on call")
	assert.Equal(t, 1, h.Obs.Closed)

	// After close: edits are refused, a first answer is late but accepted.
	_, err = triageAnswer(h, id, "ana", "none")
	require.ErrorIs(t, err, cadence.ErrClosed)
	assert.Contains(t, err.Error(), "can no longer be edited")
	h.Clock.Set(fire.Add(5 * time.Hour))
	_, err = triageAnswer(h, id, "lea", "none")
	require.NoError(t, err)
	h.Dispatch()
	assert.Contains(t, delivered(h, cadence.ReceiptKey(id, "lea", 0)).Message.Body.Text, "count as late")
	assert.Contains(t, delivered(h, cadence.SummaryKey(id)).Message.Body.Text, "Closed: 3 of 3 answered")
	assert.Equal(t, 1, h.Obs.LateAnswers)

	// Next week the rotation moves to Bo.
	h.At(fire.Add(7 * 24 * time.Hour))
	next, _ := h.Occurrence(cadence.OccurrenceID("triage", fire.Add(7*24*time.Hour)))
	assert.Equal(t, "bo", next.Facilitator)
	assert.Empty(t, h.Chat.Duplicates())
	for _, m := range h.Messages() {
		assert.Equal(t, cadence.StateSent, m.State, m.Key)
		assert.Equal(t, m.Revision, m.SentRevision, m.Key)
	}
}

func TestSubmitAnswerRefusals(t *testing.T) {
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	id := cadence.OccurrenceID("triage", fire)
	h := cadencetest.NewHarness(t, fire.Add(-time.Hour), cadencetest.TriageRitual(t))
	h.At(fire.Add(-time.Hour))
	h.At(fire)

	long := strings.Repeat("é", cadence.MaxAnswerLen+1)
	tests := []struct {
		name    string
		occ     string
		person  string
		rs      []string
		is      error
		wantMsg string
		fields  map[string]string
	}{
		{name: "over 4000 characters", occ: id, person: "ana", rs: []string{"incidents", long},
			is: cadence.ErrInvalidInput, fields: map[string]string{"incidents": "answer is too long: 4001 characters, the limit is 4000"}},
		{name: "required left empty", occ: id, person: "ana", rs: []string{"incidents", "  ", "alerts", "x"},
			is: cadence.ErrInvalidInput, fields: map[string]string{"incidents": "this question needs an answer"}},
		{name: "unknown question", occ: id, person: "ana", rs: []string{"incidents", "x", "mood", "fine"},
			is: cadence.ErrInvalidInput, fields: map[string]string{"mood": "unknown question"}},
		{name: "not a participant", occ: id, person: "dan", rs: []string{"incidents", "x"},
			is: cadence.ErrForbidden, wantMsg: "dan is not asked to answer " + id},
		{name: "not in the roster", occ: id, person: "zed", rs: []string{"incidents", "x"},
			is: cadence.ErrForbidden, wantMsg: `"zed" is not in the roster`},
		{name: "unknown occurrence", occ: cadence.OccurrenceID("triage", fire.Add(time.Hour)), person: "ana", rs: []string{"incidents", "x"},
			is: cadence.ErrNotFound},
		{name: "malformed occurrence id", occ: "triage", person: "ana", rs: []string{"incidents", "x"},
			is: cadence.ErrNotFound, wantMsg: "want RITUAL@YYYYMMDDTHHMMSSZ"},
		{name: "unknown ritual", occ: cadence.OccurrenceID("retro", fire), person: "ana", rs: []string{"incidents", "x"},
			is: cadence.ErrNotFound, wantMsg: `ritual "retro" is not configured`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.Answer(tc.occ, tc.person, tc.rs...)
			require.ErrorIs(t, err, tc.is)
			if tc.wantMsg != "" {
				assert.Contains(t, err.Error(), tc.wantMsg)
			}
			if tc.fields != nil {
				var fe cadence.FieldErrors
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, tc.fields, map[string]string(fe))
			}
		})
	}
	// Nothing was stored, and nobody was told anything was received.
	_, as := h.Occurrence(id)
	assert.Empty(t, as)
	h.Dispatch()
	assert.Zero(t, h.Chat.Kinds()[cadence.KindReceipt])

	// Exactly 4000 characters is fine.
	_, err := h.Answer(id, "ana", "incidents", strings.Repeat("é", cadence.MaxAnswerLen))
	require.NoError(t, err)

	// A first answer is accepted late for the grace period (7 days), not after.
	h.At(fire.Add(4 * time.Hour)) // closes
	h.Clock.Set(fire.Add(4*time.Hour + 7*24*time.Hour))
	_, err = triageAnswer(h, id, "bo", "none")
	require.NoError(t, err, "last instant of the grace period")
	h.Clock.Set(fire.Add(4*time.Hour + 7*24*time.Hour + time.Second))
	_, err = triageAnswer(h, id, "cy", "none")
	require.ErrorIs(t, err, cadence.ErrClosed)
	assert.Contains(t, err.Error(), "too long ago for a late answer")
}

func TestDeclineRules(t *testing.T) {
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	id := cadence.OccurrenceID("triage", fire)
	h := cadencetest.NewHarness(t, fire.Add(-time.Hour), cadencetest.TriageRitual(t))
	h.At(fire.Add(-time.Hour))
	h.At(fire)

	_, err := triageAnswer(h, id, "ana", "none")
	require.NoError(t, err)
	err = h.Eng.Decline(h.Ctx, id, "ana", "")
	require.ErrorIs(t, err, cadence.ErrConflict, "declining after answering")
	require.ErrorIs(t, h.Eng.Decline(h.Ctx, id, "dan", ""), cadence.ErrForbidden)

	// Someone who declined and answers anyway is expected again.
	require.NoError(t, h.Eng.Decline(h.Ctx, id, "bo", "sick"))
	_, err = triageAnswer(h, id, "bo", "none")
	require.NoError(t, err)
	o, _ := h.Occurrence(id)
	assert.Equal(t, []string{"lea", "ana", "bo", "cy"}, o.Expected, "back in participant order")
	assert.NotContains(t, o.Excused, "bo")

	h.At(fire.Add(4 * time.Hour))
	require.ErrorIs(t, h.Eng.Decline(h.Ctx, id, "cy", ""), cadence.ErrClosed)
}

func TestNewRefusesBadConfig(t *testing.T) {
	roster := cadencetest.TestRoster(t)
	store := newMemStore()
	bad := func(mut func(r *cadence.Ritual)) []*cadence.Ritual {
		r := cadencetest.TriageRitual(t)
		mut(r)
		return []*cadence.Ritual{r}
	}
	tests := []struct {
		name    string
		cfg     cadence.EngineConfig
		wantErr string
	}{
		{"no store", cadence.EngineConfig{Roster: roster}, "engine: no store"},
		{"no schedule", cadence.EngineConfig{Store: store, Roster: roster, Rituals: bad(func(r *cadence.Ritual) { r.Schedule = nil })}, `ritual "triage" has no schedule`},
		{"no window", cadence.EngineConfig{Store: store, Roster: roster, Rituals: bad(func(r *cadence.Ritual) { r.Window = 0 })}, `ritual "triage": response window must be positive`},
		{"no questions", cadence.EngineConfig{Store: store, Roster: roster, Rituals: bad(func(r *cadence.Ritual) { r.Questions = nil })}, `ritual "triage" has no questions`},
		{"unknown participant", cadence.EngineConfig{Store: store, Roster: roster, Rituals: bad(func(r *cadence.Ritual) { r.Participants = append(r.Participants, "zed") })}, `participant "zed" is not in the roster`},
		{"reminder outside window", cadence.EngineConfig{Store: store, Roster: roster, Rituals: bad(func(r *cadence.Ritual) { r.Reminders = []time.Duration{5 * time.Hour} })}, `reminder 5h0m0s before close must be within the 4h0m0s window`},
		{"duplicate", cadence.EngineConfig{Store: store, Roster: roster, Rituals: []*cadence.Ritual{cadencetest.TriageRitual(t), cadencetest.TriageRitual(t)}}, `ritual "triage" is defined twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cadence.New(tc.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

type agendaFunc func(tx cadence.Tx, r *cadence.Ritual, o *cadence.Occurrence, now time.Time) ([]cadence.Section, error)

func (f agendaFunc) AgendaSections(tx cadence.Tx, r *cadence.Ritual, o *cadence.Occurrence, now time.Time) ([]cadence.Section, error) {
	return f(tx, r, o, now)
}

// TestAgendaContributorAndWakeUp: live sections join the agenda inside the
// opening transaction; a failing contributor leaves nothing half-opened;
// the dispatcher is woken only after a commit that queued messages.
func TestAgendaContributorAndWakeUp(t *testing.T) {
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	id := cadence.OccurrenceID("triage", fire)
	var fail error
	wakes := 0
	h := cadencetest.NewHarness(t, fire.Add(-time.Hour), cadencetest.TriageRitual(t))
	h.Cfg = func(c *cadence.EngineConfig) {
		c.Agenda = agendaFunc(func(tx cadence.Tx, r *cadence.Ritual, o *cadence.Occurrence, now time.Time) ([]cadence.Section, error) {
			if fail != nil {
				return nil, fail
			}
			return []cadence.Section{{Heading: "Open incidents", Lines: []string{"INC-7 ranker drift (" + o.ID + ")"}}}, nil
		})
		c.Enqueued = func() { wakes++ }
	}
	h.Restart()
	h.At(fire.Add(-time.Hour))
	assert.Zero(t, wakes, "starting a ritual queues nothing")

	fail = errors.New("incident store unreadable")
	h.Clock.Set(fire)
	err := h.Eng.Tick(h.Ctx)
	require.ErrorIs(t, err, fail)
	assert.Contains(t, err.Error(), "tick triage: agenda of "+id)
	assert.Empty(t, h.Occurrences(cadence.OccurrenceFilter{}), "the open step rolled back")
	assert.Empty(t, h.Messages())
	assert.Zero(t, wakes)

	fail = nil
	h.At(fire)
	assert.Equal(t, 1, wakes)
	assert.Equal(t, []string{"INC-7 ranker drift (" + id + ")"}, cadencetest.SectionLines(delivered(h, cadence.AgendaKey(id)).Message.Body, "Open incidents"))
}
