package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/store"
)

// rawBuckets copies every bucket but the outbox, its creation index and
// meta, to show that compaction touches nothing else (the audit log above
// all).
func rawBuckets(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer b.Close()
	out := map[string]map[string]string{}
	require.NoError(t, b.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			if string(name) == "outbox" || string(name) == "outbox_created" || string(name) == "meta" {
				return nil
			}
			kv := map[string]string{}
			out[string(name)] = kv
			return bk.ForEach(func(k, v []byte) error { kv[string(k)] = string(v); return nil })
		})
	}))
	return out
}

func rawMessage(t *testing.T, path, key string) string {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer b.Close()
	var v string
	require.NoError(t, b.View(func(tx *bolt.Tx) error { v = string(tx.Bucket([]byte("outbox")).Get([]byte(key))); return nil }))
	return v
}

// TestCompactOutbox: settled messages older than the retention lose their
// content and keep their key, Ref, revisions and state; messages within
// the retention, and those the dispatcher still works on (pending,
// sending: reconciliation needs them whole), do not change by a byte;
// nothing outside the outbox changes, the audit log included.
func TestCompactOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	db := openAt(t, path)
	now := t0.Add(90 * 24 * time.Hour)
	old, recent := now.Add(-40*24*time.Hour), now.Add(-10*24*time.Hour)
	sent := func(key string, at time.Time, rev int) *cadence.Message {
		m := msg(key, at)
		m.Kind, m.To = cadence.KindSummary, cadence.Recipient{Channel: "ml"}
		m.Revision, m.SentRevision, m.State, m.SentAt = rev, rev, cadence.StateSent, at
		m.Ref = cadence.Ref{Channel: "C1", ID: "ts-" + key}
		m.Body.Image = &cadence.Image{Name: "chart.png", Alt: "chart", PNG: make([]byte, 4096)}
		return m
	}
	failed := msg("old-failed", old.Add(time.Second))
	failed.State, failed.LastError = cadence.StateFailed, "channel_not_found"
	pending := msg("old-pending", old.Add(2*time.Second))
	sending := msg("old-sending", old.Add(3*time.Second))
	sending.State, sending.Attempts = cadence.StateSending, 1
	revised := sent("old-revised", old.Add(4*time.Second), 2)
	revised.Revision, revised.State = 3, cadence.StatePending // an update waits
	update(t, db, func(tx cadence.Tx) error {
		for _, m := range []*cadence.Message{sent("old-sent", old, 2), failed, pending, sending, revised, sent("recent-sent", recent, 1)} {
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		_, err := cadence.AppendAudit(tx, cadence.AuditEntry{At: old, Actor: "ana", Action: "skip", Target: "occ/x"})
		return err
	})
	require.NoError(t, db.Close())
	before := map[string]string{}
	for _, k := range []string{"old-sent", "old-pending", "old-sending", "old-revised", "recent-sent"} {
		before[k] = rawMessage(t, path, k)
	}
	others := rawBuckets(t, path)

	db = openAt(t, path)
	n, more, err := db.CompactOutbox(context.Background(), now.Add(-store.DefaultOutboxRetention), 0)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "old-sent and old-failed")
	assert.False(t, more)

	view(t, db, func(tx cadence.Tx) error {
		m, err := tx.Message("old-sent")
		require.NoError(t, err)
		assert.True(t, m.Compacted)
		assert.Equal(t, cadence.Body{}, m.Body)
		assert.Equal(t, cadence.Ref{Channel: "C1", ID: "ts-old-sent"}, m.Ref)
		assert.Equal(t, []any{2, 2, cadence.StateSent, cadence.KindSummary, "ml"}, []any{m.Revision, m.SentRevision, m.State, m.Kind, m.To.Channel})
		assert.True(t, m.CreatedAt.Equal(old) && m.SentAt.Equal(old))
		f, err := tx.Message("old-failed")
		require.NoError(t, err)
		assert.True(t, f.Compacted)
		assert.Equal(t, cadence.StateFailed, f.State)
		// Listed no more: there is nothing of them to show.
		all, err := tx.Messages(cadence.MessageFilter{})
		require.NoError(t, err)
		var keys []string
		for _, m := range all {
			keys = append(keys, m.Key)
		}
		assert.Equal(t, []string{"old-pending", "old-sending", "old-revised", "recent-sent"}, keys)
		return nil
	})
	update(t, db, func(tx cadence.Tx) error {
		// The key stays taken: a replayed tick cannot post it again.
		again, err := tx.Enqueue(msg("old-sent", now))
		assert.False(t, again)
		return err
	})
	// A second pass has nothing left to do.
	n, _, err = db.CompactOutbox(context.Background(), now.Add(-store.DefaultOutboxRetention), 0)
	require.NoError(t, err)
	assert.Zero(t, n)
	require.NoError(t, db.Close())

	assert.Less(t, len(rawMessage(t, path, "old-sent")), len(before["old-sent"])/10, "the chart and text are gone")
	for _, k := range []string{"old-pending", "old-sending", "old-revised", "recent-sent"} {
		assert.Equal(t, before[k], rawMessage(t, path, k), "%s must not change", k)
	}
	assert.Equal(t, others, rawBuckets(t, path), "nothing outside the outbox changes")
}

// TestCompactOutboxBounded: each call compacts at most limit messages and
// the next carries on where it stopped, never past the retention.
func TestCompactOutboxBounded(t *testing.T) {
	db := openTemp(t)
	update(t, db, func(tx cadence.Tx) error {
		for i := range 5 {
			m := msg(string(rune('a'+i)), t0.Add(time.Duration(i)*time.Minute))
			m.State, m.Ref, m.Revision, m.SentRevision = cadence.StateSent, cadence.Ref{ID: "r"}, 1, 1
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	})
	before := t0.Add(4 * time.Minute) // e (created at 4m) is within the retention
	var got []int
	for {
		n, more, err := db.CompactOutbox(context.Background(), before, 2)
		require.NoError(t, err)
		got = append(got, n)
		if !more {
			break
		}
	}
	assert.Equal(t, []int{2, 2}, got)
	view(t, db, func(tx cadence.Tx) error {
		for k, want := range map[string]bool{"a": true, "d": true, "e": false} {
			m, err := tx.Message(k)
			require.NoError(t, err)
			assert.Equal(t, want, m.Compacted, k)
		}
		return nil
	})
}

// TestCompactedMessageStillUpdates: a summary revised after its content
// was compacted is updated in place through its Ref, with the new body,
// and never posted again.
func TestCompactedMessageStillUpdates(t *testing.T) {
	db := openTemp(t)
	clock := cadence.NewManualClock(t0)
	chat := cadencetest.NewChat("local")
	d := cadence.NewDispatcher(db, clock, map[string]cadence.Chat{"local": chat}, zerolog.Nop(), nil)
	m := msg("summary", t0)
	m.Kind, m.To, m.Revision = cadence.KindSummary, cadence.Recipient{Channel: "ml"}, 1
	update(t, db, func(tx cadence.Tx) error { _, err := tx.Enqueue(m); return err })
	_, err := d.RunOnce(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, chat.Sends())

	clock.Set(t0.Add(60 * 24 * time.Hour))
	n, _, err := db.CompactOutbox(context.Background(), clock.Now().Add(-store.DefaultOutboxRetention), 0)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	// The engine revises it, as refreshSummary does: a whole new body.
	update(t, db, func(tx cadence.Tx) error {
		x, err := tx.Message("summary")
		require.NoError(t, err)
		require.True(t, x.Compacted)
		x.Body = cadence.Body{Title: "Summary", Text: "3 of 3 answered"}
		x.Revision++
		x.State, x.NextAttemptAt = cadence.StatePending, clock.Now()
		return tx.PutMessage(x)
	})
	sent, err := d.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	assert.Equal(t, 1, chat.Sends(), "updated in place, not posted again")
	got := chat.ByKey("summary")
	require.Len(t, got, 1)
	assert.Equal(t, 1, got[0].Updates)
	assert.Equal(t, "3 of 3 answered", got[0].Message.Body.Text)
	view(t, db, func(tx cadence.Tx) error {
		x, err := tx.Message("summary")
		require.NoError(t, err)
		assert.False(t, x.Compacted, "it has content again")
		assert.Equal(t, got[0].Ref, x.Ref)
		assert.Equal(t, []any{2, 2, cadence.StateSent}, []any{x.Revision, x.SentRevision, x.State})
		return nil
	})
}

// TestCompactionGivesPagesBack: each whole message filled a page of its
// own; once compacted, the outbox's pages are merged (bbolt does so only
// after a delete), so the space is there for the next month's messages.
func TestCompactionGivesPagesBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	db := openAt(t, path)
	old := t0
	for i := range 300 {
		update(t, db, func(tx cadence.Tx) error {
			m := msg(fmt.Sprintf("occ/triage@20260302T083000Z/prompt/p%03d", i), old.Add(time.Duration(i)*time.Second))
			m.Body.Text = strings.Repeat("x", 3000)
			m.State, m.Revision, m.SentRevision, m.Ref = cadence.StateSent, 1, 1, cadence.Ref{Channel: "D1", ID: "1.2"}
			_, err := tx.Enqueue(m)
			return err
		})
	}
	leaves := func() int {
		var n int
		require.NoError(t, db.Bolt().View(func(tx *bolt.Tx) error {
			n = tx.Bucket([]byte("outbox")).Stats().LeafPageN
			return nil
		}))
		return n
	}
	whole := leaves()
	for more := true; more; {
		var err error
		_, more, err = db.CompactOutbox(context.Background(), old.Add(time.Hour), 0)
		require.NoError(t, err)
	}
	assert.Less(t, leaves()*10, whole, "compacted: %d leaf pages, whole: %d", leaves(), whole)
}

// TestMigrationCompactsJSONCompactedMessages: messages compacted in JSON
// before schema 11 are rewritten in the binary form and read the same.
func TestMigrationCompactsJSONCompactedMessages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	compacted := map[string]string{
		"occ/triage@20260302T083000Z/summary":      `{"key":"occ/triage@20260302T083000Z/summary","kind":"summary","platform":"slack","to_channel":"mlops","ritual_id":"triage","occurrence_id":"triage@20260302T083000Z","thread":"occ/triage@20260302T083000Z/agenda","created_at":"2026-03-02T08:30:00Z","revision":7,"sent_revision":7,"state":"sent","ref_channel":"C1","ref_id":"1772440200.000100","sent_at":"2026-03-02T08:30:01Z","compacted":true}`,
		"ritual/triage/pause/2026-03-03T10:00:00Z": `{"key":"ritual/triage/pause/2026-03-03T10:00:00Z","kind":"notice","platform":"slack","to_channel":"mlops","ritual_id":"triage","created_at":"2026-03-03T10:00:00Z","revision":1,"sent_revision":1,"state":"sent","ref_channel":"C1","ref_id":"1772532000.000200","sent_at":"2026-03-03T10:00:01Z","compacted":true}`,
	}
	writeV1(t, path, map[string]map[string]string{"outbox": compacted})
	db := openAt(t, path)
	view(t, db, func(tx cadence.Tx) error {
		m, err := tx.Message("occ/triage@20260302T083000Z/summary")
		require.NoError(t, err)
		assert.Equal(t, &cadence.Message{Key: "occ/triage@20260302T083000Z/summary", Kind: cadence.KindSummary, Platform: "slack",
			To: cadence.Recipient{Channel: "mlops"}, RitualID: "triage", OccurrenceID: "triage@20260302T083000Z",
			Thread: "occ/triage@20260302T083000Z/agenda", CreatedAt: time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC), Revision: 7, SentRevision: 7,
			State: cadence.StateSent, Ref: cadence.Ref{Channel: "C1", ID: "1772440200.000100"}, SentAt: time.Date(2026, 3, 2, 8, 30, 1, 0, time.UTC),
			Compacted: true}, m)
		n, err := tx.Message("ritual/triage/pause/2026-03-03T10:00:00Z")
		require.NoError(t, err)
		assert.True(t, n.Compacted)
		assert.Equal(t, "triage", n.RitualID)
		msgs, err := tx.Messages(cadence.MessageFilter{})
		require.NoError(t, err)
		for _, l := range msgs {
			assert.False(t, l.Compacted, "%s is listed: compacted messages are not", l.Key)
		}
		assert.Len(t, msgs, 3)
		return nil
	})
	require.NoError(t, db.Close())
	for k, v := range compacted {
		raw := rawMessage(t, path, k)
		assert.Equal(t, byte(0x01), raw[0], "%s in the binary form", k)
		assert.Less(t, len(raw)*3, len(v), k)
	}
	assert.Equal(t, byte(0x02), rawMessage(t, path, "occ/triage@20260309T083000Z/agenda")[0], "a message not compacted stays whole (binary since schema 14)")
}

// TestMigrationDeletesOutlivedMessages: schema 12 deletes what earlier
// compactions kept of direct messages about an occurrence no longer open;
// the summary and a reminder of the occurrence still open stay compact.
func TestMigrationDeletesOutlivedMessages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	compacted := func(key, kind, to, occ string) string {
		return fmt.Sprintf(`{"key":%q,"kind":%q,%s,"ritual_id":"triage","occurrence_id":%q,"created_at":"2026-03-02T08:30:00Z","revision":1,"sent_revision":1,"state":"sent","ref_channel":"D1","ref_id":"1772440200.000100","compacted":true}`,
			key, kind, to, occ)
	}
	closed, open := "triage@20260302T083000Z", "triage@20260309T083000Z"
	gone := []string{"occ/" + closed + "/prompt/ana", "occ/" + closed + "/reminder/bo/0", "occ/" + closed + "/receipt/ana/0"}
	kept := []string{"occ/" + closed + "/summary", "occ/" + open + "/reminder/ana/0"}
	outbox := map[string]string{
		gone[0]: compacted(gone[0], "prompt", `"to_person":"ana"`, closed),
		gone[1]: compacted(gone[1], "reminder", `"to_person":"bo"`, closed),
		gone[2]: compacted(gone[2], "receipt", `"to_person":"ana"`, closed),
		kept[0]: compacted(kept[0], "summary", `"to_channel":"mlops"`, closed),
		kept[1]: compacted(kept[1], "reminder", `"to_person":"ana"`, open),
	}
	writeV1(t, path, map[string]map[string]string{"outbox": outbox})
	db := openAt(t, path)
	view(t, db, func(tx cadence.Tx) error {
		for _, k := range gone {
			_, err := tx.Message(k)
			assert.ErrorIs(t, err, cadence.ErrNotFound, k)
		}
		for _, k := range kept {
			m, err := tx.Message(k)
			require.NoError(t, err, k)
			assert.True(t, m.Compacted, k)
			assert.Equal(t, cadence.Ref{Channel: "D1", ID: "1772440200.000100"}, m.Ref, k)
		}
		_, err := tx.Message("occ/" + open + "/prompt/ana")
		assert.NoError(t, err, "a message not compacted stays")
		return nil
	})
}
