package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// The open follow-up index follows status changes, and listing open ones
// through it gives what a full scan gives.
func TestOpenFollowUpIndex(t *testing.T) {
	db := openAt(t, filepath.Join(t.TempDir(), "cadence.db"))
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	fu := func(n int, owner string, st cadence.FollowUpStatus) *cadence.FollowUp {
		return &cadence.FollowUp{Number: n, Incident: 1, Title: "t", Owner: owner, Due: cadence.Date{Year: 2026, Month: 3, Day: 9},
			Status: st, CreatedBy: "lea", CreatedAt: at}
	}
	open := func(f cadence.FollowUpFilter) []int {
		f.Status = []cadence.FollowUpStatus{cadence.FollowUpOpen}
		var out []int
		view(t, db, func(tx cadence.Tx) error {
			list, err := tx.FollowUps(f)
			require.NoError(t, err)
			for _, x := range list {
				out = append(out, x.Number)
			}
			return nil
		})
		return out
	}
	update(t, db, func(tx cadence.Tx) error {
		for _, f := range []*cadence.FollowUp{fu(1, "ana", cadence.FollowUpOpen), fu(2, "bo", cadence.FollowUpDone), fu(3, "ana", cadence.FollowUpOpen), fu(12, "bo", cadence.FollowUpOpen)} {
			require.NoError(t, tx.PutFollowUp(f))
		}
		return nil
	})
	assert.Equal(t, []int{1, 3, 12}, open(cadence.FollowUpFilter{}))
	assert.Equal(t, []int{1, 3}, open(cadence.FollowUpFilter{Owner: "ana"}))
	update(t, db, func(tx cadence.Tx) error { return tx.PutFollowUp(fu(3, "ana", cadence.FollowUpDropped)) })
	assert.Equal(t, []int{1, 12}, open(cadence.FollowUpFilter{}))
	update(t, db, func(tx cadence.Tx) error { return tx.PutFollowUp(fu(2, "bo", cadence.FollowUpOpen)) })
	assert.Equal(t, []int{1, 2, 12}, open(cadence.FollowUpFilter{}))
	view(t, db, func(tx cadence.Tx) error {
		all, err := tx.FollowUps(cadence.FollowUpFilter{})
		require.NoError(t, err)
		assert.Len(t, all, 4, "the full scan still lists every follow-up")
		return nil
	})
}
