package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/store"
)

// TestPipelinedDispatchOnBolt: with eight sends in flight and the
// dispatcher's writes sharing commits, every message is recorded
// "sending" on disk before the platform sees it, and a reply lost in
// flight (the process dies before it records the Ref) is reconciled after
// a restart, never posted twice.
func TestPipelinedDispatchOnBolt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cadence.db")
	db, err := store.Open(path, store.Options{})
	require.NoError(t, err)
	clock := cadence.NewManualClock(t0.Add(time.Second))
	const n = 60
	require.NoError(t, db.Update(ctx, func(tx cadence.Tx) error {
		for i := range n {
			m := msg(fmt.Sprintf("p%02d", i), t0.Add(time.Duration(i)))
			m.Platform, m.To, m.Revision = "slack", cadence.Recipient{Person: fmt.Sprintf("u%02d", i%20)}, 1
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	}))
	chat := cadencetest.NewConcurrentChat("slack", 8, time.Millisecond)
	var mu sync.Mutex
	var notDurable []string
	chat.Before = func(m *cadence.Message) error {
		// A fresh read sees only what is committed.
		require.NoError(t, db.View(ctx, func(tx cadence.Tx) error {
			x, err := tx.Message(m.Key)
			if err == nil && x.State != cadence.StateSending {
				mu.Lock()
				notDurable = append(notDurable, m.Key)
				mu.Unlock()
			}
			return err
		}))
		return nil
	}
	lost := map[string]bool{"p05": true, "p17": true, "p42": true}
	chat.AfterSend = func(m *cadence.Message) error {
		if lost[m.Key] {
			return errors.New("connection reset after Slack accepted the message")
		}
		return nil
	}
	d := cadence.NewDispatcher(db, clock, map[string]cadence.Chat{"slack": chat}, zerolog.Nop(), nil, cadence.WithInFlight(8))
	_, err = d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Empty(t, notDurable, "sent before \"sending\" was committed")
	assert.Greater(t, chat.Peak(), 1)

	// Restart: a new store handle and dispatcher on the same file.
	require.NoError(t, db.Close())
	db, err = store.Open(path, store.Options{})
	require.NoError(t, err)
	defer db.Close()
	chat.AfterSend = nil
	clock.Advance(time.Hour)
	d = cadence.NewDispatcher(db, clock, map[string]cadence.Chat{"slack": chat}, zerolog.Nop(), nil, cadence.WithInFlight(8))
	_, err = d.RunOnce(ctx)
	require.NoError(t, err)

	assert.Empty(t, chat.Duplicates(), "nothing posted twice")
	assert.Equal(t, n, chat.Sends())
	assert.Equal(t, len(lost), chat.Lookups(), "only the messages in doubt are looked up")
	require.NoError(t, db.View(ctx, func(tx cadence.Tx) error {
		for i := range n {
			m, err := tx.Message(fmt.Sprintf("p%02d", i))
			require.NoError(t, err)
			assert.Equal(t, cadence.StateSent, m.State, m.Key)
		}
		return nil
	}))
}
