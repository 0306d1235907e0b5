package cadencetest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// testSummaryState: states round-trip, and DirtySummaries lists exactly
// the states whose revision is ahead of the drawn one, sorted, bounded.
func testSummaryState(t *testing.T, s cadence.Store) {
	a := &cadence.SummaryState{OccurrenceID: "standup@20261130T083000Z", Answered: 3, Late: 1, Blockers: 2,
		Checklist: []cadence.CheckCount{{Done: 2, NotDone: 1}, {Comment: 1}}, Revision: 4, Drawn: 2}
	b := &cadence.SummaryState{OccurrenceID: "retro@20261130T083000Z", Answered: 1, Revision: 1, Drawn: 1}
	c := &cadence.SummaryState{OccurrenceID: "ml@20261130T083000Z", Revision: 1}
	update(t, s, func(tx cadence.Tx) error {
		_, err := tx.Summary(a.OccurrenceID)
		assert.True(t, errors.Is(err, cadence.ErrNotFound), "missing state: ErrNotFound, got %v", err)
		for _, x := range []*cadence.SummaryState{a, b, c} {
			require.NoError(t, tx.PutSummary(x))
		}
		return nil
	})
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Summary(a.OccurrenceID)
		require.NoError(t, err)
		assert.Equal(t, a, got)
		ids, err := tx.DirtySummaries(0)
		require.NoError(t, err)
		assert.Equal(t, []string{c.OccurrenceID, a.OccurrenceID}, ids)
		ids, err = tx.DirtySummaries(1)
		require.NoError(t, err)
		assert.Equal(t, []string{c.OccurrenceID}, ids)
		return nil
	})
	update(t, s, func(tx cadence.Tx) error {
		a.Drawn = a.Revision
		require.NoError(t, tx.PutSummary(a))
		b.Revision++
		require.NoError(t, tx.PutSummary(b))
		return nil
	})
	view(t, s, func(tx cadence.Tx) error {
		ids, err := tx.DirtySummaries(0)
		require.NoError(t, err)
		assert.Equal(t, []string{c.OccurrenceID, b.OccurrenceID}, ids, "a drawn state leaves the list; a touched one joins it")
		return nil
	})
	err := s.View(t.Context(), func(tx cadence.Tx) error { return tx.PutSummary(a) })
	assert.Error(t, err, "View refuses PutSummary")
}
