package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// summaryState reads an occurrence's summary figures from the store.
func summaryState(h *cadencetest.Harness, id string) *cadence.SummaryState {
	h.T.Helper()
	var s *cadence.SummaryState
	require.NoError(h.T, h.Store.View(h.Ctx, func(tx cadence.Tx) error {
		var err error
		s, err = tx.Summary(id)
		return err
	}))
	return s
}

// The figures each answer moves by its share always equal the figures
// rebuilt from all answers: first answers, edits that add or take away a
// blocker or a checklist mark, a late answer and a decline.
func TestSummaryStateEqualsRebuild(t *testing.T) {
	ritual := checklistTriage(t)
	h := cadencetest.NewHarness(t, cadencetest.Monday.Add(8*time.Hour), ritual)
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	id := cadence.OccurrenceID("triage", fire)
	h.At(cadencetest.Monday.Add(8 * time.Hour))
	h.At(fire)
	check := func(step string) {
		t.Helper()
		var got, want *cadence.SummaryState
		require.NoError(t, h.Store.View(h.Ctx, func(tx cadence.Tx) error {
			var err error
			if got, err = tx.Summary(id); err != nil {
				return err
			}
			o, err := tx.Occurrence(id)
			if err != nil {
				return err
			}
			as, err := tx.Answers(id)
			want = cadence.RebuildSummary(h.Eng.Ritual("triage"), o, as)
			return err
		}))
		assert.Equal(t, [4]any{want.Answered, want.Late, want.Blockers, want.Checklist},
			[4]any{got.Answered, got.Late, got.Blockers, got.Checklist}, step)
	}
	check("opened")
	h.Clock.Set(fire.Add(10 * time.Minute))
	for _, step := range []struct {
		name   string
		person string
		resp   []string
	}{
		{"ana answers with a blocker", "ana", []string{"incidents", "lag", "blockers", "GPU quota", "check-1", "done"}},
		{"bo answers", "bo", []string{"incidents", "none", "blockers", "none", "check-1", "not done", "check-2", "partly"}},
		{"ana's blocker is gone", "ana", []string{"incidents", "lag", "blockers", "none", "check-2", "done"}},
		{"bo adds a blocker", "bo", []string{"incidents", "none", "blockers", "the eval set", "check-1", "done"}},
	} {
		_, err := h.Answer(id, step.person, step.resp...)
		require.NoError(t, err, step.name)
		check(step.name)
	}
	require.NoError(t, h.Eng.Decline(h.Ctx, id, "cy", ""))
	check("cy declined")
	h.At(fire.Add(4*time.Hour + time.Minute)) // closes
	_, err := h.Answer(id, "lea", "incidents", "none", "blockers", "none")
	require.NoError(t, err)
	check("lea answered late")
	s := summaryState(h, id)
	assert.Equal(t, 3, s.Answered)
	assert.Equal(t, 1, s.Late)
	assert.Equal(t, 1, s.Blockers)
	assert.Equal(t, []cadence.CheckCount{{Done: 1}, {Done: 1}}, s.Checklist, "ana took back her check-1, bo gave his")
}

// A burst of answers between two dispatcher passes is drawn once, and
// the summary the channel ends with shows every answer.
func TestSummaryBurstIsDrawnOnce(t *testing.T) {
	h := cadencetest.NewHarness(t, cadencetest.Monday.Add(8*time.Hour), cadencetest.TriageRitual(t))
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	id := cadence.OccurrenceID("triage", fire)
	h.At(cadencetest.Monday.Add(8 * time.Hour))
	h.At(fire)
	before := delivered(h, cadence.SummaryKey(id))
	rev := h.Message(cadence.SummaryKey(id)).Revision

	h.Clock.Set(fire.Add(10 * time.Minute))
	for _, p := range []string{"lea", "ana", "bo", "cy"} {
		_, err := triageAnswer(h, id, p, "none")
		require.NoError(t, err)
	}
	s := summaryState(h, id)
	assert.True(t, s.Dirty(), "answers mark the summary out of date")
	assert.Equal(t, rev, h.Message(cadence.SummaryKey(id)).Revision, "answers do not redraw the message themselves")

	h.Dispatch()
	m := h.Message(cadence.SummaryKey(id))
	assert.Equal(t, rev+1, m.Revision, "four answers, one new revision")
	assert.False(t, summaryState(h, id).Dirty())
	after := delivered(h, cadence.SummaryKey(id))
	assert.Equal(t, before.Updates+1, after.Updates, "one edit on the platform")
	assert.Equal(t, "4 of 4 answered", after.Message.Body.Text)
}

// With an edit interval, answers arriving while an edit is too soon wait,
// and the edit made once it is allowed carries the final state.
func TestSummaryCoalescedEditShowsFinalState(t *testing.T) {
	h := cadencetest.NewHarness(t, cadencetest.Monday.Add(8*time.Hour), cadencetest.TriageRitual(t))
	cfgDispatcher(h, cadence.WithEditInterval(time.Minute))
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	id := cadence.OccurrenceID("triage", fire)
	h.At(cadencetest.Monday.Add(8 * time.Hour))
	h.At(fire)

	now := fire.Add(10 * time.Minute)
	h.Clock.Set(now)
	_, err := triageAnswer(h, id, "ana", "none")
	require.NoError(t, err)
	h.Dispatch()
	assert.Equal(t, "1 of 4 answered", delivered(h, cadence.SummaryKey(id)).Message.Body.Text)
	rev := h.Message(cadence.SummaryKey(id)).Revision

	for i, p := range []string{"bo", "cy", "lea"} {
		h.Clock.Set(now.Add(time.Duration(i+1) * 10 * time.Second))
		_, err := triageAnswer(h, id, p, "none")
		require.NoError(t, err)
		h.Dispatch()
	}
	assert.Equal(t, rev, h.Message(cadence.SummaryKey(id)).Revision, "no drawing while the edit would be too soon")
	assert.Equal(t, "1 of 4 answered", delivered(h, cadence.SummaryKey(id)).Message.Body.Text)
	assert.Equal(t, now.Add(time.Minute), h.Disp.HeldUntil(), "a held summary says when it may go, read or not")

	h.Clock.Set(now.Add(time.Minute))
	h.Dispatch()
	assert.Equal(t, rev+1, h.Message(cadence.SummaryKey(id)).Revision, "three answers, one drawing")
	assert.Equal(t, "4 of 4 answered", delivered(h, cadence.SummaryKey(id)).Message.Body.Text)
}
