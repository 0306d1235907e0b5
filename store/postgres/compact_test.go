package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

var t0 = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

func message(key string, at time.Time, st cadence.DeliveryState) *cadence.Message {
	return &cadence.Message{
		Key: key, Kind: cadence.KindSummary, Platform: "slack", To: cadence.Recipient{Channel: "ml"},
		Body:      cadence.Body{Title: "Summary", Text: "long text", Image: &cadence.Image{Name: "c.png", PNG: make([]byte, 512)}},
		CreatedAt: at, State: st, Revision: 1, NextAttemptAt: at, LastError: "was rate limited",
	}
}

// Settled messages older than the cutoff lose their content and keep key,
// reference, revisions and state; newer ones and those still to deliver
// (pending, sending, a revision not yet sent) stay whole; nothing else in
// the database changes.
func TestCompactOutbox(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	now := t0.Add(90 * 24 * time.Hour)
	old, recent := now.Add(-40*24*time.Hour), now.Add(-10*24*time.Hour)
	sent := func(key string, at time.Time) *cadence.Message {
		m := message(key, at, cadence.StateSent)
		m.SentRevision, m.SentAt, m.Ref = 1, at.Add(time.Second), cadence.Ref{Channel: "C1", ID: "ts-" + key}
		return m
	}
	revised := sent("old-revised", old.Add(4*time.Second))
	revised.Revision, revised.State = 2, cadence.StatePending
	msgs := []*cadence.Message{
		sent("old-sent", old),
		message("old-failed", old.Add(time.Second), cadence.StateFailed),
		message("old-pending", old.Add(2*time.Second), cadence.StatePending),
		message("old-sending", old.Add(3*time.Second), cadence.StateSending),
		revised,
		sent("recent-sent", recent),
	}
	require.NoError(t, db.Update(ctx, func(tx cadence.Tx) error {
		for _, m := range msgs {
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return tx.Put("slack", "k", []byte("v"))
	}))

	n, more, err := db.CompactOutbox(ctx, now.Add(-30*24*time.Hour), 0)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "old-sent and old-failed")
	assert.False(t, more)

	require.NoError(t, db.View(ctx, func(tx cadence.Tx) error {
		for _, want := range msgs {
			got, err := tx.Message(want.Key)
			require.NoError(t, err)
			switch want.Key {
			case "old-sent", "old-failed":
				assert.True(t, got.Compacted, want.Key)
				assert.Equal(t, cadence.Body{}, got.Body, want.Key)
				assert.Empty(t, got.LastError, want.Key)
				assert.Equal(t, want.Ref, got.Ref, want.Key)
				assert.Equal(t, want.State, got.State, want.Key)
				assert.Equal(t, want.Revision, got.Revision, want.Key)
				assert.True(t, want.CreatedAt.Equal(got.CreatedAt), want.Key)
			default:
				assert.Equal(t, want, got, "%s stays whole", want.Key)
			}
		}
		v, err := tx.Get("slack", "k")
		require.NoError(t, err)
		assert.Equal(t, []byte("v"), v)
		return nil
	}))
}

// Each call does at most limit compactions and resumes where the last one
// stopped; more is true until the backlog is done.
func TestCompactOutboxInBatches(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	require.NoError(t, db.Update(ctx, func(tx cadence.Tx) error {
		for i := range 7 {
			m := message(fmt.Sprintf("m%d", i), t0.Add(time.Duration(i)*time.Minute), cadence.StateFailed)
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	}))
	var got []int
	for range 5 {
		n, more, err := db.CompactOutbox(ctx, t0.Add(time.Hour), 3)
		require.NoError(t, err)
		got = append(got, n)
		if !more {
			break
		}
	}
	assert.Equal(t, []int{3, 3, 1}, got)
	n, more, err := db.CompactOutbox(ctx, t0.Add(time.Hour), 3)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "nothing left")
	assert.False(t, more)
}
