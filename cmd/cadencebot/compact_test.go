package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// TestOutboxCompactorRounds: a round goes through the outbox one bounded
// transaction per tick, then rests for an hour; messages delivered within
// the retention keep their content.
func TestOutboxCompactorRounds(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "c.db"), store.Options{})
	require.NoError(t, err)
	defer db.Close()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	put := func(key string, created time.Time) {
		require.NoError(t, db.Update(ctx, func(tx cadence.Tx) error {
			_, err := tx.Enqueue(&cadence.Message{
				Key: key, Kind: cadence.KindPrompt, Platform: "local", To: cadence.Recipient{Person: "ana"},
				Body: cadence.Body{Text: "How did it go?"}, CreatedAt: created, Revision: 1, SentRevision: 1,
				State: cadence.StateSent, Ref: cadence.Ref{ID: key}, SentAt: created,
			})
			return err
		}))
	}
	for i := range 3 {
		put(fmt.Sprintf("old-%d", i), start.Add(-40*24*time.Hour+time.Duration(i)*time.Minute))
	}
	put("new", start.Add(-30*24*time.Hour+10*time.Minute)) // past the retention at 09:10
	compacted := func() (n int) {
		require.NoError(t, db.View(ctx, func(tx cadence.Tx) error {
			// By key: compacted messages are not listed.
			for _, k := range []string{"old-0", "old-1", "old-2", "new"} {
				m, err := tx.Message(k)
				if err != nil {
					return err
				}
				if m.Compacted {
					n++
				}
			}
			return nil
		}))
		return n
	}
	clock := cadence.NewManualClock(start)
	c := newOutboxCompactor(db, clock, zerolog.Nop(), 0)
	c.batch = 2
	c.tick(ctx)
	assert.Equal(t, 2, compacted(), "first tick: one batch")
	c.tick(ctx)
	assert.Equal(t, 3, compacted(), "second tick finishes the round")

	clock.Set(start.Add(30 * time.Minute))
	c.tick(ctx)
	assert.Equal(t, 3, compacted(), "resting until the hour is up")
	clock.Set(start.Add(time.Hour))
	c.tick(ctx)
	assert.Equal(t, 4, compacted(), "the next round")
}
