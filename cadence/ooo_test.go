package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// The "I'm out of office" button records the day (in the person's zone),
// not just a skip of one prompt: the other rituals of that day excuse
// them too, status shows it, and `ooo cancel` takes it back.
func TestOutOfOfficeButtonRecordsTheDay(t *testing.T) {
	review := cadencetest.TriageRitual(t)
	review.ID, review.Title, review.Channel = "review", "Model review", "review"
	review.Spec, review.Schedule = "0 13 * * 1", cadencetest.MustSchedule(t, "0 13 * * 1", "Europe/Zurich")
	h := cadencetest.NewHarness(t, cadencetest.Monday.Add(8*time.Hour), cadencetest.TriageRitual(t), review)
	h.At(cadencetest.Monday.Add(8 * time.Hour))
	triage := cadence.OccurrenceID("triage", cadencetest.Monday.Add(8*time.Hour+30*time.Minute))
	h.At(cadencetest.Monday.Add(8*time.Hour + 30*time.Minute))
	require.NotNil(t, h.Message(cadence.PromptKey(triage, "ana")))

	h.Clock.Set(cadencetest.Monday.Add(9 * time.Hour))
	require.NoError(t, h.Eng.Decline(h.Ctx, triage, "ana", cadence.ReasonOutOfOffice))
	h.Dispatch()
	o, _ := h.Occurrence(triage)
	assert.Equal(t, "declined: out of office", o.Excused["ana"])
	receipt := h.Message(cadence.MessageKey("occ", triage, "declined", "ana"))
	assert.Equal(t, "You are out of office today (Mon 30 Nov): excused from Weekly triage and from every ritual of the day, no reminders. "+
		"Not so? /cadence ooo cancel 2026-11-30. Away longer? /cadence ooo 2026-11-30 YYYY-MM-DD", receipt.Body.Text)

	day := cadence.DateRange{From: cadencetest.Date(2026, 11, 30), To: cadencetest.Date(2026, 11, 30), Note: "from the prompt's button"}
	st, err := h.Eng.Status(h.Ctx, "ana")
	require.NoError(t, err)
	assert.Equal(t, []cadence.DateRange{day}, st.OutOfOffice)
	var next *cadence.Upcoming
	for i := range st.Upcoming {
		if st.Upcoming[i].Ritual.ID == "review" {
			next = &st.Upcoming[i]
		}
	}
	require.NotNil(t, next)
	require.NotNil(t, next.Away, "status says the review will not prompt her today")
	assert.Equal(t, day, *next.Away)

	// The review of the same afternoon does not prompt her.
	rev := cadence.OccurrenceID("review", cadencetest.Monday.Add(12*time.Hour))
	h.At(cadencetest.Monday.Add(12 * time.Hour))
	o, _ = h.Occurrence(rev)
	assert.Equal(t, "out of office (from the prompt's button)", o.Excused["ana"])
	assert.NotContains(t, keysOf(h.Messages()), cadence.PromptKey(rev, "ana"))

	// Cancelled: listed no more; a config-file range cannot be cancelled.
	got, err := h.Eng.CancelOutOfOffice(h.Ctx, "ana", cadence.Date{})
	require.NoError(t, err)
	assert.Equal(t, day, got)
	st, err = h.Eng.Status(h.Ctx, "ana")
	require.NoError(t, err)
	assert.Empty(t, st.OutOfOffice)
	_, err = h.Eng.CancelOutOfOffice(h.Ctx, "ana", cadence.Date{})
	require.ErrorIs(t, err, cadence.ErrNotFound)
	assert.EqualError(t, err, "you have no out-of-office day from today (2026-11-30) on")
}

func TestCancelOutOfOfficePicksTheRange(t *testing.T) {
	h := cadencetest.NewHarness(t, cadencetest.Monday, cadencetest.TriageRitual(t))
	h.Roster.Person("bo").OutOfOffice = []cadence.DateRange{{From: cadencetest.Date(2026, 12, 24), To: cadencetest.Date(2026, 12, 26)}}
	for _, dr := range []cadence.DateRange{
		{From: cadencetest.Date(2026, 12, 10), To: cadencetest.Date(2026, 12, 11), Note: "conference"},
		{From: cadencetest.Date(2026, 12, 3), To: cadencetest.Date(2026, 12, 4)},
	} {
		require.NoError(t, h.Eng.SetOutOfOffice(h.Ctx, "bo", dr))
	}
	st, err := h.Eng.Status(h.Ctx, "bo")
	require.NoError(t, err)
	assert.Equal(t, []cadence.Date{cadencetest.Date(2026, 12, 3), cadencetest.Date(2026, 12, 10), cadencetest.Date(2026, 12, 24)},
		[]cadence.Date{st.OutOfOffice[0].From, st.OutOfOffice[1].From, st.OutOfOffice[2].From}, "config and own ranges, by start")

	got, err := h.Eng.CancelOutOfOffice(h.Ctx, "bo", cadencetest.Date(2026, 12, 11))
	require.NoError(t, err)
	assert.Equal(t, "conference", got.Note, "the range containing the day")
	got, err = h.Eng.CancelOutOfOffice(h.Ctx, "bo", cadence.Date{})
	require.NoError(t, err)
	assert.Equal(t, cadencetest.Date(2026, 12, 3), got.From, "no day: the next one")
	_, err = h.Eng.CancelOutOfOffice(h.Ctx, "bo", cadencetest.Date(2026, 12, 25))
	require.ErrorIs(t, err, cadence.ErrForbidden)
	assert.EqualError(t, err, "2026-12-24 to 2026-12-26 is set in the config file; ask an admin to remove it")
}

func keysOf(ms []*cadence.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Key
	}
	return out
}
