package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// A crash after the schema migration but before the aggregates were
// built leaves a file that opens: read-only it says the aggregates are
// not ready (reports read the facts), and the next read-write open
// builds them.
func TestOpenBuildsMissingAggregates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	at := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	o := &cadence.Occurrence{ID: cadence.OccurrenceID("triage", at), RitualID: "triage", Scheduled: at, Status: cadence.StatusClosed,
		OpenedAt: at, ClosesAt: at.Add(time.Hour), Expected: []string{"ana", "bo"}}
	db := openAt(t, path)
	update(t, db, func(tx cadence.Tx) error {
		if err := tx.PutOccurrence(o); err != nil {
			return err
		}
		return tx.PutAnswer(&cadence.Answer{OccurrenceID: o.ID, RitualID: "triage", PersonID: "ana", SubmittedAt: at.Add(time.Minute)})
	})
	require.NoError(t, db.Close())

	// The crash: aggregates and their state gone, schema current.
	b, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, b.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"agg_occurrences", "agg_weeks"} {
			require.NoError(t, tx.DeleteBucket([]byte(name)))
			_, err := tx.CreateBucket([]byte(name))
			require.NoError(t, err)
		}
		return tx.Bucket([]byte("kv")).Bucket([]byte("cadence")).Delete([]byte("aggregates"))
	}))
	require.NoError(t, b.Close())

	ro, err := store.OpenReadOnly(path, store.Options{})
	require.NoError(t, err)
	view(t, ro, func(tx cadence.Tx) error {
		ready, err := cadence.AggregatesReady(tx)
		require.NoError(t, err)
		assert.False(t, ready)
		return nil
	})
	require.NoError(t, ro.Close())

	db = openAt(t, path)
	view(t, db, func(tx cadence.Tx) error {
		ready, err := cadence.AggregatesReady(tx)
		require.NoError(t, err)
		assert.True(t, ready)
		oa, err := tx.OccurrenceAggregate(o.ID)
		require.NoError(t, err)
		assert.Equal(t, []int{2, 1, 1}, []int{oa.Expected, oa.Answered, oa.AnsweredOnTime})
		assert.Equal(t, []string{"bo"}, oa.Missing)
		return nil
	})
}
