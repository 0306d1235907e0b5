package cadencetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// Compactor is a store whose outbox drops what nothing reads any more
// (both stores' CompactOutbox).
type Compactor interface {
	cadence.Store
	CompactOutbox(ctx context.Context, before time.Time, limit int) (compacted int, more bool, err error)
}

// RunCompactionTests is the outbox compaction contract: past the
// retention, a settled direct message about an occurrence no longer open
// (prompt, reminder, snooze, receipt) is gone; channel posts (agenda,
// summary) and anything of an occurrence still open keep their compact
// form, which a later revision updates in place; what is not settled or
// not past the cutoff stays whole. open returns a new, empty store.
func RunCompactionTests(t *testing.T, open func(t *testing.T) Compactor) {
	s := open(t)
	ctx := context.Background()
	closed := fixtureOccurrence("standup", base, cadence.StatusClosed)
	missed := fixtureOccurrence("standup", base.Add(24*time.Hour), cadence.StatusMissed)
	// A long window: still open long after its prompt was sent.
	long := fixtureOccurrence("retro", base, cadence.StatusOpen)
	long.ClosesAt = base.Add(60 * 24 * time.Hour)
	long.CloseAt = nil
	now := base.Add(90 * 24 * time.Hour)
	cutoff := now.Add(-30 * 24 * time.Hour)

	dm := func(key string, kind cadence.MessageKind, o *cadence.Occurrence, at time.Time, st cadence.DeliveryState) *cadence.Message {
		m := fixtureMessage(key, at, st)
		m.Kind, m.OccurrenceID, m.RitualID, m.Thread = kind, o.ID, o.RitualID, ""
		if st == cadence.StateSent {
			m.Revision, m.SentRevision, m.Ref = 1, 1, cadence.Ref{Channel: "D1", ID: "ts-" + key}
		}
		return m
	}
	post := func(key string, kind cadence.MessageKind, o *cadence.Occurrence) *cadence.Message {
		m := dm(key, kind, o, base.Add(time.Minute), cadence.StateSent)
		m.To = cadence.Recipient{Channel: "C1"}
		return m
	}
	old := base.Add(time.Minute)
	gone := []*cadence.Message{
		dm(cadence.PromptKey(closed.ID, "ana"), cadence.KindPrompt, closed, old, cadence.StateSent),
		dm(cadence.ReminderKey(closed.ID, "bo", 0), cadence.KindReminder, closed, old, cadence.StateSent),
		dm(cadence.ReceiptKey(closed.ID, "ana", 0), cadence.KindReceipt, closed, old, cadence.StateSent),
		dm(cadence.ReceiptKey(closed.ID, "bo", 0), cadence.KindReceipt, closed, old, cadence.StateFailed),
		dm(cadence.PromptKey(missed.ID, "ana"), cadence.KindPrompt, missed, old, cadence.StateDropped),
	}
	compact := []*cadence.Message{
		post(cadence.AgendaKey(closed.ID), cadence.KindAgenda, closed),
		post(cadence.SummaryKey(closed.ID), cadence.KindSummary, closed),
		dm(cadence.PromptKey(long.ID, "ana"), cadence.KindPrompt, long, old, cadence.StateSent),
		dm("occ/"+closed.ID+"/handoff/bo", cadence.KindNotice, closed, old, cadence.StateSent),
		// Of an occurrence this store does not have: kept, to be safe.
		dm(cadence.PromptKey("standup@2020-01-01T00:00:00Z", "ana"), cadence.KindPrompt,
			&cadence.Occurrence{ID: "standup@2020-01-01T00:00:00Z", RitualID: "standup"}, old, cadence.StateSent),
	}
	whole := []*cadence.Message{
		dm(cadence.ReminderKey(closed.ID, "ana", 0), cadence.KindReminder, closed, old, cadence.StatePending),
		dm(cadence.ReceiptKey(closed.ID, "ana", 1), cadence.KindReceipt, closed, cutoff.Add(time.Hour), cadence.StateSent),
	}
	update(t, s, func(tx cadence.Tx) error {
		for _, o := range []*cadence.Occurrence{closed, missed, long} {
			if err := tx.PutOccurrence(o); err != nil {
				return err
			}
		}
		for _, ms := range [][]*cadence.Message{gone, compact, whole} {
			for _, m := range ms {
				if _, err := tx.Enqueue(m); err != nil {
					return err
				}
			}
		}
		return nil
	})

	n, more, err := s.CompactOutbox(ctx, cutoff, 0)
	require.NoError(t, err)
	assert.Equal(t, len(gone)+len(compact), n, "compacted or deleted")
	assert.False(t, more)

	view(t, s, func(tx cadence.Tx) error {
		for _, m := range gone {
			_, err := tx.Message(m.Key)
			assert.True(t, errors.Is(err, cadence.ErrNotFound), "%s is gone: %v", m.Key, err)
		}
		for _, m := range compact {
			got, err := tx.Message(m.Key)
			require.NoError(t, err, m.Key)
			assert.True(t, got.Compacted, m.Key)
			assert.Equal(t, m.Ref, got.Ref, m.Key)
			assert.Equal(t, m.Revision, got.Revision, m.Key)
		}
		for _, m := range whole {
			got, err := tx.Message(m.Key)
			require.NoError(t, err, m.Key)
			assert.False(t, got.Compacted, m.Key)
			assert.Equal(t, m.Body, got.Body, m.Key)
		}
		// Compacted messages are not listed: nothing of them is left to
		// show. The whole ones are, oldest first.
		assert.Equal(t, keys(whole), listed(t, tx), "listed after compaction")
		return nil
	})

	// A late answer redraws the summary: its compact record takes the
	// new revision in place, under the same reference.
	update(t, s, func(tx cadence.Tx) error {
		m, err := tx.Message(cadence.SummaryKey(closed.ID))
		if err != nil {
			return err
		}
		m.Body = cadence.Body{Title: "Standup", Text: "bo answered late"}
		m.Revision, m.State = m.Revision+1, cadence.StatePending
		return tx.PutMessage(m)
	})
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Message(cadence.SummaryKey(closed.ID))
		require.NoError(t, err)
		assert.Equal(t, 2, got.Revision)
		assert.Equal(t, cadence.Ref{Channel: "D1", ID: "ts-" + cadence.SummaryKey(closed.ID)}, got.Ref)
		assert.Equal(t, "bo answered late", got.Body.Text)
		// Its body back, it is a whole message again, and listed.
		assert.False(t, got.Compacted)
		assert.Equal(t, []string{whole[0].Key, cadence.SummaryKey(closed.ID), whole[1].Key}, listed(t, tx), "listed after the revision (created with whole[0], after it by key)")
		return nil
	})

	// Another pass finds nothing more to do.
	n, _, err = s.CompactOutbox(ctx, cutoff, 0)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func keys(ms []*cadence.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Key
	}
	return out
}

// listed is the keys Messages lists, in its order.
func listed(t *testing.T, tx cadence.Tx) []string {
	t.Helper()
	ms, err := tx.Messages(cadence.MessageFilter{})
	require.NoError(t, err)
	return keys(ms)
}
