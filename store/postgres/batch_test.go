package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// Concurrent UpdateBatch calls all land; one failing call gets its own
// error and takes nobody else's writes down with it.
func TestUpdateBatchIsolatesFailures(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	boom := errors.New("boom")
	const n = 40
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.UpdateBatch(ctx, func(tx cadence.Tx) error {
				if err := tx.Put("batch", fmt.Sprintf("k%02d", i), []byte("v")); err != nil {
					return err
				}
				if i%10 == 3 {
					return boom
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if i%10 == 3 {
			assert.ErrorIs(t, err, boom, "call %d", i)
		} else {
			assert.NoError(t, err, "call %d", i)
		}
	}
	var keys []string
	require.NoError(t, db.View(ctx, func(tx cadence.Tx) error {
		var err error
		keys, err = tx.Keys("batch", "")
		return err
	}))
	assert.Len(t, keys, n-n/10, "every call but the failing ones committed")
	for _, k := range keys {
		assert.NotContains(t, []string{"k03", "k13", "k23", "k33"}, k)
	}
}

// A batch under a term the lease has moved on from commits nothing, and
// each of its calls is told so: the leader's claims stay fenced.
func TestUpdateBatchIsFenced(t *testing.T) {
	dbURL := pgtest.URL(t)
	a := startReplica(t, dbURL, "a", "h")
	ta := campaign(t, a, 5*testTTL)
	actx := cadence.WithTerm(context.Background(), ta.Epoch)
	require.NoError(t, a.db.UpdateBatch(actx, func(tx cadence.Tx) error { return tx.Put("fenced", "while-leading", nil) }))

	require.Positive(t, terminate(t, dbURL, "a"))
	<-ta.Lost
	b := startReplica(t, dbURL, "b", "h")
	campaign(t, b, 5*testTTL)

	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = a.db.UpdateBatch(actx, func(tx cadence.Tx) error {
				if i%2 == 0 { // the fence's answer comes with this read
					if _, err := tx.Get("fenced", "while-leading"); err != nil {
						return err
					}
				}
				return tx.Put("fenced", fmt.Sprintf("deposed-%d", i), nil)
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		assert.ErrorIs(t, err, cadence.ErrNotLeader, "call %d", i)
	}
	// A writer that reads, shrugs off the refusal and writes on still
	// commits nothing.
	assert.ErrorIs(t, a.db.Update(actx, func(tx cadence.Tx) error {
		_, _ = tx.Get("fenced", "while-leading")
		return tx.Put("fenced", "shrugged", nil)
	}), cadence.ErrNotLeader)
	var keys []string
	require.NoError(t, b.db.View(context.Background(), func(tx cadence.Tx) error {
		var err error
		keys, err = tx.Keys("fenced", "")
		return err
	}))
	assert.Equal(t, []string{"while-leading"}, keys)
}
