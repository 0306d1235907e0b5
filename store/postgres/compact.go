package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cadencebot/cadencebot/cadence"
)

// settled: nothing will be delivered for the message any more, so its
// content can go (the bbolt store's rule).
func settled(m *cadence.Message) bool {
	switch m.State {
	case cadence.StateSent:
		return m.SentRevision >= m.Revision
	case cadence.StateFailed, cadence.StateDropped:
		return true
	}
	return false
}

// CompactOutbox drops the content of settled messages created before
// `before`, and deletes outright those nothing reads again
// (cadence.Outlived), at most limit of them (limit ≤ 0: 500), looking at no more
// than 4×limit, in one transaction; more reports that older messages
// remain. Each call resumes after the last message the previous one
// looked at, as the bbolt store's does. What stays is what later edits
// need: key, kind, recipient, thread, times, revisions, state, reference.
func (db *DB) CompactOutbox(ctx context.Context, before time.Time, limit int) (compacted int, more bool, err error) {
	if limit <= 0 {
		limit = 500
	}
	err = db.Update(ctx, func(ctx cadence.Tx) error {
		compacted, more, err = cadence.Unwrap(ctx).(*tx).compactOutbox(before, limit)
		return err
	})
	return compacted, more, err
}

func (t *tx) compactOutbox(before time.Time, limit int) (compacted int, more bool, err error) {
	markNS, markKey := int64(math.MinInt64), ""
	err = t.tx.QueryRow(t.ctx, "SELECT created_ns, key FROM outbox_compaction").Scan(&markNS, &markKey)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, false, fmt.Errorf("compact outbox: %w", err)
	}
	rows, err := t.tx.Query(t.ctx, `SELECT created_ns, key, doc FROM outbox
		WHERE (created_ns, key) > ($1, $2) AND created_ns < $3 AND NOT compacted
		ORDER BY created_ns, key LIMIT $4`, markNS, markKey, nanos(before), 4*limit+1)
	if err != nil {
		return 0, false, fmt.Errorf("compact outbox: %w", err)
	}
	type row struct {
		ns  int64
		key string
		doc []byte
	}
	var rs []row
	var r row
	_, err = pgx.ForEachRow(rows, []any{&r.ns, &r.key, &r.doc}, func() error {
		rs = append(rs, row{r.ns, r.key, append([]byte(nil), r.doc...)})
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("compact outbox: %w", err)
	}
	visited := 0
	var last *row
	status := map[string]cadence.Status{} // per occurrence, for this pass
	for i := range rs {
		// Bound the work, not only the writes: a run of messages that
		// need nothing must not make one transaction long either.
		if visited == 4*limit || compacted == limit {
			more = true
			break
		}
		visited++
		last = &rs[i]
		var m cadence.Message
		if err := json.Unmarshal(rs[i].doc, &m); err != nil {
			return 0, false, fmt.Errorf("compact message %q: stored value does not decode: %w", rs[i].key, err)
		}
		if m.Compacted || !settled(&m) {
			continue
		}
		compacted++
		if gone, err := t.outlived(&m, status); err != nil {
			return 0, false, err
		} else if gone {
			// Nothing will read it again: nothing of it is kept.
			if err := t.deleteMessage(m.Key); err != nil {
				return 0, false, err
			}
			continue
		}
		c := &cadence.Message{
			Key: m.Key, Kind: m.Kind, Platform: m.Platform, To: m.To, RitualID: m.RitualID,
			OccurrenceID: m.OccurrenceID, Thread: m.Thread, CreatedAt: m.CreatedAt,
			Revision: m.Revision, SentRevision: m.SentRevision, State: m.State,
			Ref: m.Ref, SentAt: m.SentAt, UpdatedAt: m.UpdatedAt, Compacted: true,
		}
		if err := t.PutMessage(c); err != nil {
			return 0, false, err
		}
	}
	if last != nil {
		if err := t.exec("compact outbox", `INSERT INTO outbox_compaction (only_row, created_ns, key) VALUES (true, $1, $2)
			ON CONFLICT (only_row) DO UPDATE SET created_ns = excluded.created_ns, key = excluded.key`, last.ns, last.key); err != nil {
			return 0, false, err
		}
	}
	return compacted, more, nil
}

// outlived reports whether m is deleted rather than compacted
// (cadence.Outlived); status caches occurrence states for one pass. An
// occurrence not found keeps its messages compact.
func (t *tx) outlived(m *cadence.Message, status map[string]cadence.Status) (bool, error) {
	if !cadence.Outlived(m, cadence.StatusClosed) {
		return false, nil // not a kind that can go, whatever the occurrence
	}
	st, ok := status[m.OccurrenceID]
	if !ok {
		err := t.tx.QueryRow(t.ctx, "SELECT status FROM occurrences WHERE id = $1", m.OccurrenceID).Scan(&st)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return false, fmt.Errorf("compact message %q: occurrence %q: %w", m.Key, m.OccurrenceID, err)
		}
		status[m.OccurrenceID] = st
	}
	return cadence.Outlived(m, st), nil
}

// deleteMessage removes key from the outbox.
func (t *tx) deleteMessage(key string) error {
	if err := t.checkWritable("delete message"); err != nil {
		return err
	}
	t.written.messages++
	if _, ok := t.messageCache[key]; ok {
		t.cacheMessage(key, nil)
	}
	return t.exec("delete message "+key, "DELETE FROM outbox WHERE key = $1", key)
}
