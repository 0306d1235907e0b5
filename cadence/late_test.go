package cadence_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func TestFreshnessAt(t *testing.T) {
	t0 := cadencetest.Monday.Add(12 * time.Hour)
	late := &cadence.Body{Text: "closed; answer late"}
	tests := []struct {
		name string
		m    cadence.Message
		now  time.Time
		want cadence.Freshness
	}{
		{"no moment at all", cadence.Message{}, t0, cadence.Fresh},
		{"before it goes stale", cadence.Message{StaleAt: t0.Add(time.Second), LateBody: late}, t0, cadence.Fresh},
		{"stale at the instant, with a late wording", cadence.Message{StaleAt: t0, LateBody: late}, t0, cadence.Reworded},
		{"stale, nothing left to say", cadence.Message{StaleAt: t0}, t0.Add(time.Hour), cadence.Stale},
		{"reworded until it expires", cadence.Message{StaleAt: t0, LateBody: late, ExpiresAt: t0.Add(time.Hour)}, t0.Add(time.Hour - 1), cadence.Reworded},
		{"expired at the instant", cadence.Message{StaleAt: t0, LateBody: late, ExpiresAt: t0.Add(time.Hour)}, t0.Add(time.Hour), cadence.Stale},
		{"expired even before it would go stale", cadence.Message{StaleAt: t0.Add(2 * time.Hour), ExpiresAt: t0}, t0, cadence.Stale},
		{"fresh until it expires", cadence.Message{ExpiresAt: t0}, t0.Add(-time.Second), cadence.Fresh},
		{"delivered: updates always go", cadence.Message{StaleAt: t0, ExpiresAt: t0, Ref: cadence.Ref{Channel: "C", ID: "1"}}, t0.Add(time.Hour), cadence.Fresh},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, cadence.FreshnessAt(&tc.m, tc.now))
		})
	}
}

func TestAnswerStateAt(t *testing.T) {
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	closes := fire.Add(4 * time.Hour)
	grace := 7 * 24 * time.Hour
	occ := func(st cadence.Status) *cadence.Occurrence {
		return &cadence.Occurrence{ID: "triage@x", Status: st, Scheduled: fire, ClosesAt: closes,
			Expected: []string{"ana", "bo"}, Excused: map[string]string{"cy": "declined"},
			CloseAt: map[string]time.Time{"bo": closes.Add(-time.Hour)}}
	}
	tests := []struct {
		name     string
		o        *cadence.Occurrence
		person   string
		answered bool
		now      time.Time
		want     cadence.AnswerMode
	}{
		{"open, first answer", occ(cadence.StatusOpen), "ana", false, fire, cadence.AnswerNew},
		{"open, answered: edit", occ(cadence.StatusOpen), "ana", true, fire, cadence.AnswerEdit},
		{"excused people may still answer", occ(cadence.StatusOpen), "cy", false, fire, cadence.AnswerNew},
		{"not asked", occ(cadence.StatusOpen), "dan", false, fire, cadence.AnswerNotAsked},
		{"own close passed while the occurrence is open", occ(cadence.StatusOpen), "bo", false, closes.Add(-time.Hour), cadence.AnswerLate},
		{"own close passed, answered", occ(cadence.StatusOpen), "bo", true, closes.Add(-time.Hour), cadence.AnswerFinal},
		{"closed, no answer: late", occ(cadence.StatusClosed), "ana", false, closes, cadence.AnswerLate},
		{"last instant of the grace", occ(cadence.StatusClosed), "ana", false, closes.Add(grace), cadence.AnswerLate},
		{"after the grace", occ(cadence.StatusClosed), "ana", false, closes.Add(grace + time.Second), cadence.AnswerExpired},
		{"closed and answered", occ(cadence.StatusClosed), "ana", true, closes, cadence.AnswerFinal},
		{"skipped, even for someone never asked", occ(cadence.StatusSkipped), "dan", false, fire, cadence.AnswerSkipped},
		{"missed", occ(cadence.StatusMissed), "ana", false, closes.Add(time.Hour), cadence.AnswerMissed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := cadence.AnswerStateAt(tc.o, tc.person, tc.answered, tc.now, grace)
			assert.Equal(t, tc.want, got.Mode)
			assert.Equal(t, tc.o.PersonCloseAt(tc.person).Add(grace), got.LateUntil)
			want := tc.want == cadence.AnswerNew || tc.want == cadence.AnswerEdit || tc.want == cadence.AnswerLate
			assert.Equal(t, want, got.CanSubmit())
		})
	}
}

// outage makes the fake platform refuse everything while down is true.
func outage(h *cadencetest.Harness, down *bool) {
	h.Chat.BeforeSend = func(*cadence.Message) error {
		if *down {
			return &cadence.SendError{Retryable: true, Code: "unreachable", Err: errors.New("platform down")}
		}
		return nil
	}
}

// After an outage that outlasts the window, the outbox drains with words
// that are true then: no reminder, prompts and the agenda say it closed
// and offer the late answer, which is accepted.
func TestOutageAfterTheCloseDropsRemindersAndRewordsPrompts(t *testing.T) {
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	closes := fire.Add(4 * time.Hour)
	id := cadence.OccurrenceID("triage", fire)
	h := cadencetest.NewHarness(t, fire.Add(-time.Hour), cadencetest.TriageRitual(t))
	h.At(fire.Add(-time.Hour))
	down := true
	outage(h, &down)
	for _, at := range []time.Time{fire, closes.Add(-time.Hour), closes.Add(-30 * time.Minute), closes} {
		h.At(at)
	}
	assert.Empty(t, h.Chat.Delivered(), "nothing got through the outage")

	down = false
	h.At(closes.Add(time.Hour + 15*time.Minute)) // past every backoff
	assert.Zero(t, h.Chat.Kinds()[cadence.KindReminder], "no reminder after the close")
	for _, p := range []string{"lea", "ana", "bo", "cy"} {
		for i := range 2 {
			m := h.Message(cadence.ReminderKey(id, p, i))
			assert.Equal(t, cadence.StateDropped, m.State, m.Key)
		}
	}
	for _, p := range []string{"lea", "ana", "bo", "cy"} {
		b := delivered(h, cadence.PromptKey(id, p)).Message.Body
		assert.Contains(t, b.Text, "This closed at ", p)
		assert.Contains(t, b.Text, "You can still answer late until ", p)
		assert.NotContains(t, b.Text, "please answer by", p)
		assert.Equal(t, []cadence.Action{{ID: cadence.ActionAnswer, Label: "Answer late", Value: id, Style: "primary", Late: true}}, b.Actions, p)
		assert.NotEmpty(t, b.Questions, "the late prompt still carries the questions")
	}
	ana := delivered(h, cadence.PromptKey(id, "ana")).Message.Body.Text
	assert.Equal(t, "This closed at Mon 30 Nov 14:30 EET, before this message could reach you. "+
		"You can still answer late until Mon 7 Dec 14:30 EET; a late answer counts as late.", ana, "Ana's own zone")
	agenda := delivered(h, cadence.AgendaKey(id)).Message.Body
	assert.Equal(t, "Weekly triage closed at Mon 30 Nov 13:30 CET; the summary is in the thread. "+
		"If you were asked and have not answered, you can still answer late until Mon 7 Dec 13:30 CET.", agenda.Text)
	assert.Equal(t, "Answer late", agenda.Actions[0].Label)
	assert.Contains(t, delivered(h, cadence.SummaryKey(id)).Message.Body.Text, "Closed: 0 of 4 answered")

	st, err := h.Eng.Status(h.Ctx, "ana")
	require.NoError(t, err)
	require.Len(t, st.Late, 1, "Ana may still answer late")
	assert.Equal(t, id, st.Late[0].Occurrence.ID)
	assert.Equal(t, closes.Add(7*24*time.Hour), st.Late[0].LateUntil.UTC())
	assert.Empty(t, st.Pending)

	_, err = triageAnswer(h, id, "ana", "none")
	require.NoError(t, err, "the late answer the prompt offers")
	st, err = h.Eng.Status(h.Ctx, "ana")
	require.NoError(t, err)
	assert.Empty(t, st.Late, "answered: nothing late left")
	h.Dispatch()
	assert.Contains(t, delivered(h, cadence.ReceiptKey(id, "ana", 0)).Message.Body.Text, "count as late")
	assert.Empty(t, h.Chat.Duplicates())
}

// An outage that ends before the close: prompts keep their words (still
// true), a reminder superseded by the next one is dropped, and a
// reminder whose "closes in …" is out of date names the close instead.
func TestOutageBeforeTheCloseKeepsOneTrueReminder(t *testing.T) {
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	closes := fire.Add(4 * time.Hour)
	id := cadence.OccurrenceID("triage", fire)
	h := cadencetest.NewHarness(t, fire.Add(-time.Hour), cadencetest.TriageRitual(t))
	h.At(fire.Add(-time.Hour))
	down := true
	outage(h, &down)
	h.At(fire)
	h.At(closes.Add(-time.Hour))
	h.At(closes.Add(-30 * time.Minute))
	_, err := triageAnswer(h, id, "bo", "none")
	require.NoError(t, err, "Bo answers through the agenda's button while his DMs are stuck")

	down = false
	h.At(closes.Add(-10 * time.Minute))
	for _, p := range []string{"lea", "ana", "cy"} {
		assert.Contains(t, delivered(h, cadence.PromptKey(id, p)).Message.Body.Text, "Please answer by", p)
		assert.Empty(t, h.Chat.ByKey(cadence.ReminderKey(id, p, 0)), "the 1h reminder is superseded by the 30m one")
		r := delivered(h, cadence.ReminderKey(id, p, 1)).Message.Body.Text
		assert.NotContains(t, r, "closes in", p)
		assert.Contains(t, r, "Weekly triage closes Mon 30 Nov", p)
	}
	for i := range 2 {
		assert.Equal(t, cadence.StateDropped, h.Message(cadence.ReminderKey(id, "bo", i)).State, "Bo answered: no reminder says otherwise")
	}
	// The agenda went out on time's words; at the close it is redrawn.
	assert.Contains(t, delivered(h, cadence.AgendaKey(id)).Message.Body.Text, "is open")
	h.At(closes)
	d := delivered(h, cadence.AgendaKey(id))
	assert.Equal(t, 1, d.Updates)
	assert.Contains(t, d.Message.Body.Text, "Weekly triage closed at Mon 30 Nov 13:30 CET")
	assert.Equal(t, "Answer late", d.Message.Body.Actions[0].Label)
}

// Reminders sent on time say "closes in …", as before.
func TestOnTimeReminderSaysClosesIn(t *testing.T) {
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	closes := fire.Add(4 * time.Hour)
	id := cadence.OccurrenceID("triage", fire)
	h := cadencetest.NewHarness(t, fire.Add(-time.Hour), cadencetest.TriageRitual(t))
	h.At(fire.Add(-time.Hour))
	h.At(fire)
	h.At(closes.Add(-time.Hour))
	assert.Contains(t, delivered(h, cadence.ReminderKey(id, "ana", 0)).Message.Body.Text, "Weekly triage closes in 1h (Mon 30 Nov 14:30 EET)")
}

func TestSkippedAgendaAndAnswers(t *testing.T) {
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	week := 7 * 24 * time.Hour
	h := cadencetest.NewHarness(t, fire.Add(-time.Hour), cadencetest.TriageRitual(t))
	h.At(fire.Add(-time.Hour))

	// Skipped in advance: nobody was asked, and an answer learns why.
	_, err := h.Eng.Skip(h.Ctx, "lea", "triage", "team offsite")
	require.NoError(t, err)
	h.At(fire)
	_, err = triageAnswer(h, cadence.OccurrenceID("triage", fire), "ana", "none")
	require.ErrorIs(t, err, cadence.ErrClosed)
	assert.EqualError(t, err, "Weekly triage of Mon 30 Nov 10:30 EET was skipped (team offsite, by Lea), so there is nothing to answer.")
	text, ok := cadence.RefusalText(err)
	assert.True(t, ok)
	assert.Equal(t, err.Error(), text)

	// Skipped while open: the agenda says so and loses its button.
	id := cadence.OccurrenceID("triage", fire.Add(week))
	h.At(fire.Add(week))
	_, err = h.Eng.Skip(h.Ctx, "lea", "triage", "release freeze")
	require.NoError(t, err)
	h.Dispatch()
	agenda := delivered(h, cadence.AgendaKey(id)).Message.Body
	assert.Equal(t, "Weekly triage was skipped: release freeze (by Lea). There is nothing to answer.", agenda.Text)
	assert.Empty(t, agenda.Actions)
}

// Status lists one late answer per ritual, the newest: a ritual firing
// every few minutes must not fill the inbox with forms.
func TestStatusOffersTheNewestLateAnswerPerRitual(t *testing.T) {
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	day := 24 * time.Hour
	r := cadencetest.TriageRitual(t)
	r.Spec, r.Schedule = "30 9 * * *", cadencetest.MustSchedule(t, "30 9 * * *", "Europe/Zurich")
	h := cadencetest.NewHarness(t, fire.Add(-time.Hour), r)
	h.At(fire.Add(-time.Hour))
	for d := range 3 {
		h.At(fire.Add(time.Duration(d) * day))
		h.At(fire.Add(time.Duration(d)*day + 4*time.Hour))
	}
	_, err := triageAnswer(h, cadence.OccurrenceID("triage", fire.Add(2*day)), "ana", "none")
	require.NoError(t, err, "Ana answers the newest late")

	st, err := h.Eng.Status(h.Ctx, "lea")
	require.NoError(t, err)
	require.Len(t, st.Late, 1)
	assert.Equal(t, cadence.OccurrenceID("triage", fire.Add(2*day)), st.Late[0].Occurrence.ID)
	st, err = h.Eng.Status(h.Ctx, "ana")
	require.NoError(t, err)
	require.Len(t, st.Late, 1, "the newest she has not answered")
	assert.Equal(t, cadence.OccurrenceID("triage", fire.Add(day)), st.Late[0].Occurrence.ID)
}
