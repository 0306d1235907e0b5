package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
)

// DefaultOutboxRetention is how long a delivered message keeps its content.
const DefaultOutboxRetention = 30 * 24 * time.Hour

// compactedKey in the meta bucket holds the outbox_created entry up to
// which the outbox has been compacted, so a pass never rereads what an
// earlier one already went through.
var compactedKey = []byte("outbox_compacted_through")

// compactRecord is what is left of a settled message after the retention:
// enough to update it in place (Ref, revision), to never post its key
// again (the key itself), and to say what it was (recipient, kind,
// times); it is no longer listed (Messages). The
// text, buttons, images and errors go. It is stored in a binary form
// (compactcodec.go); databases before schema 11 hold it as JSON.
type compactRecord struct {
	Key          string    `json:"key"`
	Kind         string    `json:"kind"`
	Platform     string    `json:"platform"`
	ToChannel    string    `json:"to_channel,omitempty"`
	ToPerson     string    `json:"to_person,omitempty"`
	RitualID     string    `json:"ritual_id,omitempty"`
	OccurrenceID string    `json:"occurrence_id,omitempty"`
	Thread       string    `json:"thread,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	Revision     int       `json:"revision"`
	SentRevision int       `json:"sent_revision"`
	State        string    `json:"state"`
	RefChannel   string    `json:"ref_channel,omitempty"`
	RefID        string    `json:"ref_id,omitempty"`
	SentAt       time.Time `json:"sent_at,omitzero"`
	Compacted    bool      `json:"compacted"`
}

// compact is what is kept of r after the retention.
func (r *messageRecord) compact() *compactRecord {
	return &compactRecord{
		Key: r.Key, Kind: r.Kind, Platform: r.Platform, ToChannel: r.ToChannel, ToPerson: r.ToPerson,
		RitualID: r.RitualID, OccurrenceID: r.OccurrenceID, Thread: r.Thread, CreatedAt: r.CreatedAt,
		Revision: r.Revision, SentRevision: r.SentRevision, State: r.State,
		RefChannel: r.RefChannel, RefID: r.RefID, SentAt: r.SentAt, Compacted: true,
	}
}

// settled: the dispatcher is done with the message unless the engine
// revises it again. Pending and sending messages are never compacted (the
// latter may need reconciling).
func settled(r *messageRecord) bool {
	switch cadence.DeliveryState(r.State) {
	case cadence.StateSent:
		return r.SentRevision >= r.Revision
	case cadence.StateFailed, cadence.StateDropped:
		return true
	}
	return false
}

// CompactOutbox drops the content of settled messages created before
// `before`, and deletes outright those nothing reads again
// (cadence.Outlived: direct messages about an occurrence no longer open),
// at most limit of them (limit ≤ 0: 500), in one transaction
// that stays short whatever the outbox's size. more reports that older
// messages remain to be looked at. The audit log and everything outside
// the outbox are untouched.
//
// Messages are visited in creation order from where the previous call
// stopped. One still in flight there is passed over for good: a message
// pending for longer than the retention is rare (the dispatcher gives up
// after a day), and keeping it whole costs only its own bytes.
func (db *DB) CompactOutbox(ctx context.Context, before time.Time, limit int) (compacted int, more bool, err error) {
	if limit <= 0 {
		limit = 500
	}
	err = db.update(ctx, func(t *tx) error {
		compacted, more, err = t.compactOutbox(before, limit)
		return err
	})
	return compacted, more, err
}

func (t *tx) compactOutbox(before time.Time, limit int) (compacted int, more bool, err error) {
	meta, err := t.bucket(bucketMeta)
	if err != nil {
		return 0, false, err
	}
	outbox, err := t.bucket(bucketOutbox)
	if err != nil {
		return 0, false, err
	}
	byCreated, err := t.bucket(bucketOutboxCreated)
	if err != nil {
		return 0, false, err
	}
	outbox.FillPercent = outboxFillPercent
	end := []byte(boundKey(before))
	c := byCreated.Cursor()
	var k []byte
	if mark := meta.Get(compactedKey); mark != nil {
		k, _ = c.Seek(mark)
		if bytes.Equal(k, mark) {
			k, _ = c.Next()
		}
	} else {
		k, _ = c.First()
	}
	var last []byte
	var unlisted [][]byte
	status := map[string]cadence.Status{} // per occurrence, for this pass
	visited := 0
	for ; k != nil; k, _ = c.Next() {
		created, key, ok := splitTimeKey(k)
		if !ok {
			return 0, false, fmt.Errorf("outbox index: malformed key %q: %w", k, ErrCorrupt)
		}
		if created >= string(end) {
			break
		}
		// Bound the work, not only the writes: a run of messages that
		// need nothing must not make one transaction long either.
		if visited == 4*limit || compacted == limit {
			more = true
			break
		}
		visited++
		last = append(last[:0], k...)
		var r messageRecord
		found, err := getMessage(outbox, []byte(key), &r)
		if err != nil {
			return 0, false, fmt.Errorf("compact outbox: %w", err)
		}
		if !found {
			return 0, false, fmt.Errorf("outbox index: %q points at no message: %w", key, ErrCorrupt)
		}
		if r.Compacted || !settled(&r) {
			continue
		}
		unlisted = append(unlisted, bytes.Clone(k))
		compacted++
		if gone, err := outlived(t, &r, status); err != nil {
			return 0, false, err
		} else if gone {
			// Nothing will read it again: nothing of it is kept.
			if err := outbox.Delete([]byte(key)); err != nil {
				return 0, false, fmt.Errorf("delete message %q: %w", key, err)
			}
			continue
		}
		// Written in place, deleted first: bbolt
		// merges under-filled pages only after a delete, and a put of a
		// smaller value alone would leave each page that held one whole
		// message (a few KiB) holding its few hundred bytes.
		if err := outbox.Delete([]byte(key)); err != nil {
			return 0, false, fmt.Errorf("compact message %q: %w", key, err)
		}
		if err := outbox.Put([]byte(key), encodeCompact(r.compact())); err != nil {
			return 0, false, fmt.Errorf("compact message %q: %w", key, err)
		}
	}
	// Nor is a compacted message listed any more (Messages): there is
	// nothing of it to show, and its creation index entry would be a
	// quarter of what the outbox keeps of it. Deleted after the scan,
	// which a delete under the cursor would disturb.
	for _, k := range unlisted {
		if err := byCreated.Delete(k); err != nil {
			return 0, false, fmt.Errorf("compact outbox: index: %w", err)
		}
	}
	if last != nil {
		if err := meta.Put(compactedKey, last); err != nil {
			return 0, false, fmt.Errorf("compact outbox: %w", err)
		}
	}
	return compacted, more, nil
}

// outlived reports whether r is deleted rather than compacted
// (cadence.Outlived); status caches occurrence states for one pass. An
// occurrence not found keeps its messages compact.
func outlived(t *tx, r *messageRecord, status map[string]cadence.Status) (bool, error) {
	m := &cadence.Message{Kind: cadence.MessageKind(r.Kind), OccurrenceID: r.OccurrenceID, To: cadence.Recipient{Person: r.ToPerson}}
	if !cadence.Outlived(m, cadence.StatusClosed) {
		return false, nil // not a kind that can go, whatever the occurrence
	}
	st, ok := status[r.OccurrenceID]
	if !ok {
		o, err := t.OccurrenceFor(r.OccurrenceID, r.ToPerson)
		switch {
		case errors.Is(err, cadence.ErrNotFound):
		case err != nil:
			return false, fmt.Errorf("compact message %q: %w", r.Key, err)
		default:
			st = o.Status
		}
		status[r.OccurrenceID] = st
	}
	return cadence.Outlived(m, st), nil
}

// bodyIsZero: the message carries no content (a compacted one, unless the
// engine has written a new body since).
func bodyIsZero(b cadence.Body) bool { return reflect.ValueOf(b).IsZero() }

// migrateV12 deletes what earlier compactions kept of messages nothing
// reads again (outlived, cadence.Outlived): the compactor no longer
// visits them (they left the creation index at schema 11), and they are
// most of a year's compacted outbox.
func migrateV12(btx *bolt.Tx) error {
	t := &tx{btx: btx}
	outbox, err := t.bucket(bucketOutbox)
	if err != nil {
		return err
	}
	status := map[string]cadence.Status{}
	var gone [][]byte
	// Read everything first: bbolt forbids writes during ForEach.
	err = outbox.ForEach(func(k, v []byte) error {
		if !isCompactValue(v) {
			return nil // whole, or compacted as JSON, which schema 11 rewrote
		}
		r, err := decodeCompact(k, v)
		if err != nil {
			return fmt.Errorf("compact outbox: %w", err)
		}
		if ok, err := outlived(t, r, status); err != nil {
			return err
		} else if ok {
			gone = append(gone, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range gone {
		if err := outbox.Delete(k); err != nil {
			return fmt.Errorf("delete message %q: %w", k, err)
		}
	}
	return nil
}
