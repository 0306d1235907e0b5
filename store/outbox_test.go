package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
)

func msg(key string, created time.Time) *cadence.Message {
	return &cadence.Message{
		Key: key, Kind: cadence.KindPrompt, Platform: "local",
		To:        cadence.Recipient{Person: "ana"},
		Body:      cadence.Body{Title: "Triage", Questions: []cadence.Question{{ID: "blockers", Text: "Anything blocking you?", Blocker: true}}},
		CreatedAt: created, State: cadence.StatePending, NextAttemptAt: created,
	}
}

func keysOf(ms []*cadence.Message) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Key)
	}
	return out
}

// The due index follows a message through a delivery with a retry: at
// every step Due shows it exactly when it should, once.
func TestDueIndexFollowsDelivery(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	db := openAt(t, path)
	update(t, db, func(tx cadence.Tx) error {
		_, err := tx.Enqueue(msg("m", t0))
		require.NoError(t, err)
		_, err = tx.Enqueue(msg("other", t0.Add(time.Second)))
		return err
	})
	due := func(now time.Time) []string {
		var out []string
		view(t, db, func(tx cadence.Tx) error {
			got, err := tx.Due(now, 0)
			out = keysOf(got)
			return err
		})
		return out
	}
	step := func(change func(m *cadence.Message)) {
		update(t, db, func(tx cadence.Tx) error {
			m, err := tx.Message("m")
			require.NoError(t, err)
			change(m)
			return tx.PutMessage(m)
		})
	}
	backoff := t0.Add(time.Minute)

	assert.Equal(t, []string{}, due(t0.Add(-time.Nanosecond)), "not before its time")
	assert.Equal(t, []string{"m"}, due(t0), "due at NextAttemptAt")
	assert.Equal(t, []string{"m", "other"}, due(t0.Add(time.Second)))

	step(func(m *cadence.Message) { m.State = cadence.StateSending; m.Attempts = 1 })
	assert.Equal(t, []string{"m"}, due(t0), "sending stays due (reconciled on restart)")

	step(func(m *cadence.Message) {
		m.State = cadence.StatePending
		m.NextAttemptAt = backoff
		m.LastError = "503"
	})
	assert.Equal(t, []string{"other"}, due(backoff.Add(-time.Second)), "the old due entry is gone")
	assert.Equal(t, []string{"m", "other"}, due(backoff), "oldest first, not by next attempt")

	step(func(m *cadence.Message) { m.State = cadence.StateSent; m.Ref = cadence.Ref{Channel: "D1", ID: "1.2"} })
	assert.Equal(t, []string{"other"}, due(backoff.Add(time.Hour)))

	step(func(m *cadence.Message) { m.State = cadence.StatePending; m.Revision = 2; m.NextAttemptAt = backoff })
	assert.Equal(t, []string{"m", "other"}, due(backoff), "a new revision is due again")

	// Nothing stale is left behind: one due entry per active message
	// and one creation entry per message.
	require.NoError(t, db.Close())
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer b.Close()
	require.NoError(t, b.View(func(tx *bolt.Tx) error {
		assert.Equal(t, 2, tx.Bucket([]byte("outbox_due")).Stats().KeyN)
		assert.Equal(t, 2, tx.Bucket([]byte("outbox_created")).Stats().KeyN)
		return nil
	}))
}

func TestMessagesFollowsCreatedAtChanges(t *testing.T) {
	db := openTemp(t)
	update(t, db, func(tx cadence.Tx) error {
		for i, k := range []string{"a", "b", "c"} {
			_, err := tx.Enqueue(msg(k, t0.Add(time.Duration(i)*time.Second)))
			require.NoError(t, err)
		}
		m, err := tx.Message("a")
		require.NoError(t, err)
		m.CreatedAt = t0.Add(time.Hour)
		return tx.PutMessage(m)
	})
	view(t, db, func(tx cadence.Tx) error {
		got, err := tx.Messages(cadence.MessageFilter{})
		require.NoError(t, err)
		assert.Equal(t, []string{"b", "c", "a"}, keysOf(got))
		got, err = tx.Messages(cadence.MessageFilter{Since: t0.Add(2 * time.Second), Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, []string{"c"}, keysOf(got), "since is inclusive; limit stops the scan")
		return nil
	})
}

func TestEnqueueFailureReportsNotEnqueued(t *testing.T) {
	db := openTemp(t)
	m := msg("far", time.Date(12026, 1, 1, 0, 0, 0, 0, time.UTC))
	err := db.Update(t.Context(), func(tx cadence.Tx) error {
		ok, err := tx.Enqueue(m)
		assert.False(t, ok)
		return err
	})
	require.ErrorIs(t, err, cadence.ErrInvalidInput)
	assert.Contains(t, err.Error(), "message far created")
}
