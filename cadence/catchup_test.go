package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func statuses(os []*cadence.Occurrence) map[string]cadence.Status {
	out := map[string]cadence.Status{}
	for _, o := range os {
		out[o.ID] = o.Status
	}
	return out
}

// TestDowntimeCatchUp: fire times that passed while the bot was down are
// recorded as missed when their window is over, opened late when it is
// not; none is silently dropped.
func TestDowntimeCatchUp(t *testing.T) {
	week := 7 * 24 * time.Hour
	fire1 := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	h := cadencetest.NewHarness(t, fire1.Add(-time.Hour), cadencetest.TriageRitual(t))
	h.At(fire1.Add(-time.Hour))
	h.At(fire1)
	// Down from 10:00 Zurich on the first Monday until 11:00 Zurich two
	// weeks later: the first occurrence must close, the second is missed,
	// the third opens late.
	now := fire1.Add(2*week + 90*time.Minute)
	h.Restart()
	h.At(now)

	got := statuses(h.Occurrences(cadence.OccurrenceFilter{}))
	assert.Equal(t, map[string]cadence.Status{
		cadence.OccurrenceID("triage", fire1):             cadence.StatusClosed,
		cadence.OccurrenceID("triage", fire1.Add(week)):   cadence.StatusMissed,
		cadence.OccurrenceID("triage", fire1.Add(2*week)): cadence.StatusOpen,
	}, got)
	late, _ := h.Occurrence(cadence.OccurrenceID("triage", fire1.Add(2*week)))
	assert.True(t, late.Late)
	assert.Equal(t, 90*time.Minute, late.Delay())
	assert.Contains(t, delivered(h, cadence.AgendaKey(late.ID)).Message.Body.Text, "Opened late: it was due Mon 14 Dec 09:30 CET")
	assert.Equal(t, 1, h.Obs.Missed)
	assert.Equal(t, 2, h.Obs.Opened)
	assert.Equal(t, 1, h.Obs.Late)
	assert.Equal(t, []time.Duration{0, 90 * time.Minute}, h.Obs.Lags)

	// The first occurrence closed without sending reminders it no longer
	// needed; the missed one sent nothing at all.
	assert.Zero(t, h.Chat.Kinds()[cadence.KindReminder])
	assert.Empty(t, h.Chat.ByKey(cadence.AgendaKey(cadence.OccurrenceID("triage", fire1.Add(week)))))
	// The rotation advanced only for held occurrences.
	assert.Equal(t, "bo", late.Facilitator)
}

// TestCatchUpManyFireTimes: a daily ritual down for most of a week.
func TestCatchUpManyFireTimes(t *testing.T) {
	r := cadencetest.TriageRitual(t)
	r.ID, r.Spec = "daily", "0 8 * * *"
	r.Schedule = cadencetest.MustSchedule(t, r.Spec, "UTC")
	h := cadencetest.NewHarness(t, cadencetest.Monday, r)
	h.At(cadencetest.Monday)
	h.At(cadencetest.Monday.Add(4*24*time.Hour + 9*time.Hour)) // Friday 09:00 UTC
	var missed, open int
	for _, o := range h.Occurrences(cadence.OccurrenceFilter{}) {
		switch o.Status {
		case cadence.StatusMissed:
			missed++
		case cadence.StatusOpen:
			open++
			assert.True(t, o.Late)
		}
	}
	assert.Equal(t, 4, missed, "Monday to Thursday")
	assert.Equal(t, 1, open, "Friday, opened an hour late")
}

func TestPauseResumeSkip(t *testing.T) {
	week := 7 * 24 * time.Hour
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	h := cadencetest.NewHarness(t, fire.Add(-time.Hour), cadencetest.TriageRitual(t))
	h.At(fire.Add(-time.Hour))

	// Specialists and managers may not run rituals.
	for _, who := range []string{"ana", "max"} {
		err := h.Eng.Pause(h.Ctx, who, "triage")
		require.ErrorIs(t, err, cadence.ErrForbidden)
		assert.Contains(t, err.Error(), "only leads and admins can pause rituals")
	}
	_, err := h.Eng.Skip(h.Ctx, "ana", "triage", "x")
	require.ErrorIs(t, err, cadence.ErrForbidden)
	assert.EqualError(t, err, "only leads and admins can skip rituals; Ana is a specialist: not allowed")
	require.ErrorIs(t, h.Eng.Resume(h.Ctx, "zed", "triage"), cadence.ErrForbidden)
	require.ErrorIs(t, h.Eng.Pause(h.Ctx, "lea", "retro"), cadence.ErrNotFound)

	// Skip the next one before it opens.
	res, err := h.Eng.Skip(h.Ctx, "lea", "triage", "team offsite")
	require.NoError(t, err)
	assert.Equal(t, &cadence.SkipResult{Scheduled: fire, Next: true}, res)
	h.At(fire)
	o, _ := h.Occurrence(cadence.OccurrenceID("triage", fire))
	assert.Equal(t, cadence.StatusSkipped, o.Status)
	assert.Equal(t, "team offsite", o.SkipReason)
	assert.Equal(t, "lea", o.SkippedBy)
	assert.Zero(t, h.Chat.Kinds()[cadence.KindPrompt])
	assert.Contains(t, h.Chat.To(cadence.Recipient{Channel: "mlops"})[0].Message.Body.Text, "will be skipped: team offsite (by Lea)")

	// Skip the open one.
	h.At(fire.Add(week))
	res, err = h.Eng.Skip(h.Ctx, "root", "triage", "")
	require.NoError(t, err)
	assert.Equal(t, cadence.OccurrenceID("triage", fire.Add(week)), res.OccurrenceID)
	h.At(fire.Add(week + 3*time.Hour))
	assert.Zero(t, h.Chat.Kinds()[cadence.KindReminder], "no reminders for a skipped occurrence")
	assert.Equal(t, "Skipped: no reason given (by Root)", delivered(h, cadence.SummaryKey(res.OccurrenceID)).Message.Body.Text)
	_, err = triageAnswer(h, res.OccurrenceID, "ana", "none")
	require.ErrorIs(t, err, cadence.ErrClosed)

	// Pause: the next two fire times are recorded as skipped "paused".
	require.NoError(t, h.Eng.Pause(h.Ctx, "lea", "triage"))
	require.NoError(t, h.Eng.Pause(h.Ctx, "lea", "triage"), "pausing twice is a no-op")
	h.At(fire.Add(2 * week))
	// Resume after the third pause-time fire passed while the bot was down:
	// it is recorded as paused, not opened late.
	h.Clock.Set(fire.Add(3*week + time.Hour))
	require.NoError(t, h.Eng.Resume(h.Ctx, "lea", "triage"))
	h.At(fire.Add(3*week + time.Hour))
	for _, w := range []time.Duration{2 * week, 3 * week} {
		o, _ := h.Occurrence(cadence.OccurrenceID("triage", fire.Add(w)))
		assert.Equal(t, cadence.StatusSkipped, o.Status)
		assert.Equal(t, cadence.SkipReasonPaused, o.SkipReason)
	}
	h.At(fire.Add(4 * week))
	o, _ = h.Occurrence(cadence.OccurrenceID("triage", fire.Add(4*week)))
	assert.Equal(t, cadence.StatusOpen, o.Status, "resumed")
	assert.False(t, o.Late)
	notices := 0
	for _, d := range h.Chat.To(cadence.Recipient{Channel: "mlops"}) {
		if d.Message.Kind == cadence.KindNotice {
			notices++
		}
	}
	assert.Equal(t, 3, notices, "skip-next, pause, resume")
	assert.Equal(t, 4, h.Obs.Skipped)
}

func TestOutOfOffice(t *testing.T) {
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	id := cadence.OccurrenceID("triage", fire)
	h := cadencetest.NewHarness(t, fire.Add(-time.Hour), cadencetest.TriageRitual(t))
	h.At(fire.Add(-time.Hour))
	h.At(fire)
	_, err := triageAnswer(h, id, "ana", "none")
	require.NoError(t, err)

	day := func(d int) cadence.Date { return cadence.Date{Year: 2026, Month: 12, Day: d} }
	nov30 := cadence.Date{Year: 2026, Month: 11, Day: 30}
	// Bad ranges are refused by field.
	err = h.Eng.SetOutOfOffice(h.Ctx, "bo", cadence.DateRange{From: day(5), To: day(1)})
	require.ErrorIs(t, err, cadence.ErrInvalidInput)
	assert.EqualError(t, err, "invalid input: to: ends 2026-12-01, before it starts 2026-12-05")
	require.ErrorIs(t, h.Eng.SetOutOfOffice(h.Ctx, "zed", cadence.DateRange{From: day(1), To: day(1)}), cadence.ErrNotFound)

	// Bo and Ana are out today: Bo is excused from the open triage; Ana
	// already answered, so her answer stands.
	for _, p := range []string{"bo", "ana"} {
		require.NoError(t, h.Eng.SetOutOfOffice(h.Ctx, p, cadence.DateRange{From: nov30, To: day(8), Note: "parental leave"}))
	}
	o, _ := h.Occurrence(id)
	assert.Equal(t, []string{"lea", "ana", "cy"}, o.Expected)
	assert.Equal(t, "out of office (parental leave)", o.Excused["bo"])

	// Reminders skip Bo; next week Bo is not asked at all.
	h.At(fire.Add(3 * time.Hour))
	assert.Empty(t, h.Chat.ByKey(cadence.ReminderKey(id, "bo", 0)))
	h.At(fire.Add(7 * 24 * time.Hour))
	next, _ := h.Occurrence(cadence.OccurrenceID("triage", fire.Add(7*24*time.Hour)))
	assert.Equal(t, []string{"lea", "cy"}, next.Expected)
	assert.Equal(t, "out of office (parental leave)", next.Excused["bo"])
	assert.Equal(t, "bo", next.Facilitator, "rotation: Ana is away")
	assert.Contains(t, cadencetest.SectionLines(delivered(h, cadence.AgendaKey(next.ID)).Message.Body, "Excused"), "Ana: out of office (parental leave)")

	// Out-of-office from the roster (config) works the same way.
	h.Roster.Person("cy").OutOfOffice = []cadence.DateRange{{From: day(14), To: day(14)}}
	h.At(fire.Add(14 * 24 * time.Hour))
	third, _ := h.Occurrence(cadence.OccurrenceID("triage", fire.Add(14*24*time.Hour)))
	assert.Equal(t, []string{"lea", "ana", "bo"}, third.Expected)
}

func TestStatus(t *testing.T) {
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	h := cadencetest.NewHarness(t, cadencetest.Monday.Add(-12*time.Hour), cadencetest.TriageRitual(t), cadencetest.StandupRitual(t))
	h.At(cadencetest.Monday.Add(-12 * time.Hour))
	h.At(fire)

	st, err := h.Eng.Status(h.Ctx, "dan")
	require.NoError(t, err)
	assert.Empty(t, st.Pending, "Dan's standup prompt is at 09:15 New York")
	require.Len(t, st.Upcoming, 1)
	assert.Equal(t, "standup", st.Upcoming[0].Ritual.ID)
	assert.Equal(t, "2026-11-30 09:15 EST", st.Upcoming[0].At.Format("2006-01-02 15:04 MST"))

	st, err = h.Eng.Status(h.Ctx, "ana")
	require.NoError(t, err)
	require.Len(t, st.Pending, 2, "standup (prompted 07:15 UTC) and triage")
	assert.Equal(t, "standup", st.Pending[0].Ritual.ID, "closes first")
	assert.Equal(t, "triage", st.Pending[1].Ritual.ID)
	assert.False(t, st.Pending[1].Answered)
	assert.Equal(t, "Mon 30 Nov 14:30 EET", st.Pending[1].ClosesAt.Format("Mon 2 Jan 15:04 MST"))
	require.Len(t, st.Upcoming, 2)
	assert.Equal(t, "Tue 1 Dec 09:15 EET", st.Upcoming[0].At.Format("Mon 2 Jan 15:04 MST"))
	assert.Equal(t, "Mon 7 Dec 10:30 EET", st.Upcoming[1].At.Format("Mon 2 Jan 15:04 MST"))

	_, err = triageAnswer(h, cadence.OccurrenceID("triage", fire), "ana", "none")
	require.NoError(t, err)
	require.NoError(t, h.Eng.Pause(h.Ctx, "lea", "triage"))
	st, err = h.Eng.Status(h.Ctx, "ana")
	require.NoError(t, err)
	assert.True(t, st.Pending[1].Answered)
	assert.True(t, st.Upcoming[1].Paused)

	_, err = h.Eng.Status(h.Ctx, "zed")
	require.ErrorIs(t, err, cadence.ErrNotFound)
}

// A ritual removed from the config leaves no occurrence open forever: the
// next engine closes it on its first tick and keeps its answers.
func TestRemovedRitualsOccurrencesAreClosed(t *testing.T) {
	h := cadencetest.NewHarness(t, cadencetest.Monday.Add(8*time.Hour), cadencetest.TriageRitual(t), cadencetest.StandupRitual(t))
	h.At(cadencetest.Monday.Add(8 * time.Hour))
	h.At(cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)) // triage opens 09:30 Zurich
	occ := cadence.OccurrenceID("triage", cadencetest.Monday.Add(8*time.Hour+30*time.Minute))
	o, _ := h.Occurrence(occ)
	require.Equal(t, cadence.StatusOpen, o.Status)
	_, err := h.Eng.SubmitAnswer(h.Ctx, cadence.AnswerInput{OccurrenceID: occ, PersonID: "ana", Via: "test",
		Responses: []cadence.Response{{QuestionID: "incidents", Text: "none"}}})
	require.NoError(t, err)

	// The lead deletes the triage from the config and restarts the bot.
	h.Rituals = []*cadence.Ritual{cadencetest.StandupRitual(t)}
	h.Restart()
	h.At(cadencetest.Monday.Add(9 * time.Hour))
	got := h.Occurrences(cadence.OccurrenceFilter{RitualID: "triage"})
	require.Len(t, got, 1)
	assert.Equal(t, cadence.StatusClosed, got[0].Status)
	assert.Equal(t, cadencetest.Monday.Add(9*time.Hour), got[0].ClosedAt)
	var answers []*cadence.Answer
	require.NoError(t, h.Store.View(h.Ctx, func(tx cadence.Tx) error {
		var err error
		answers, err = tx.Answers(occ)
		return err
	}))
	assert.Len(t, answers, 1, "answers are kept")
	rep, err := h.Eng.Report(h.Ctx, cadence.ReportQuery{From: cadencetest.Monday, To: cadencetest.Monday.Add(24 * time.Hour)})
	require.NoError(t, err, "reports still work over a removed ritual's history")
	assert.Equal(t, 1, rep.Team.Answered)
	// The standup, still configured, is untouched.
	for _, o := range h.Occurrences(cadence.OccurrenceFilter{RitualID: "standup"}) {
		assert.NotEqual(t, cadencetest.Monday.Add(9*time.Hour), o.ClosedAt)
	}
}
