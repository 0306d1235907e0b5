package store

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	bolt "go.etcd.io/bbolt"
)

// occurrenceRecord is an occurrence as stored (JSON), without what it
// holds per person (occpeople.go): that part grows with the team and
// changes one person at a time. Maps records which per-person maps were
// non-nil, so nil and empty survive a round trip apart.
type occurrenceRecord struct {
	ID          string    `json:"id"`
	RitualID    string    `json:"ritual_id"`
	Scheduled   time.Time `json:"scheduled"`
	Status      string    `json:"status"`
	DueAt       time.Time `json:"due_at"`
	OpenedAt    time.Time `json:"opened_at"`
	Late        bool      `json:"late"`
	ClosesAt    time.Time `json:"closes_at"`
	ClosedAt    time.Time `json:"closed_at"`
	Facilitator string    `json:"facilitator"`
	Expected    []string  `json:"expected"`
	Maps        []string  `json:"maps,omitempty"`
	SkipReason  string    `json:"skip_reason"`
	SkippedBy   string    `json:"skipped_by"`
}

// occurrenceCore is occurrenceRecord without Expected: decoding it skips
// the list of people (one person's answer reads only their own record).
type occurrenceCore struct {
	ID          string    `json:"id"`
	RitualID    string    `json:"ritual_id"`
	Scheduled   time.Time `json:"scheduled"`
	Status      string    `json:"status"`
	DueAt       time.Time `json:"due_at"`
	OpenedAt    time.Time `json:"opened_at"`
	Late        bool      `json:"late"`
	ClosesAt    time.Time `json:"closes_at"`
	ClosedAt    time.Time `json:"closed_at"`
	Facilitator string    `json:"facilitator"`
	Maps        []string  `json:"maps,omitempty"`
	SkipReason  string    `json:"skip_reason"`
	SkippedBy   string    `json:"skipped_by"`
}

func toOccurrenceRecord(o *cadence.Occurrence) occurrenceRecord {
	return occurrenceRecord{
		ID:          o.ID,
		RitualID:    o.RitualID,
		Scheduled:   utc(o.Scheduled),
		Status:      string(o.Status),
		DueAt:       utc(o.DueAt),
		OpenedAt:    utc(o.OpenedAt),
		Late:        o.Late,
		ClosesAt:    utc(o.ClosesAt),
		ClosedAt:    utc(o.ClosedAt),
		Facilitator: o.Facilitator,
		Expected:    o.Expected,
		Maps:        presentMaps(o),
		SkipReason:  o.SkipReason,
		SkippedBy:   o.SkippedBy,
	}
}

// domain is the occurrence without its per-person maps (withPeople adds
// them).
func (r *occurrenceRecord) domain() *cadence.Occurrence {
	c := occurrenceCore{ID: r.ID, RitualID: r.RitualID, Scheduled: r.Scheduled, Status: r.Status, DueAt: r.DueAt,
		OpenedAt: r.OpenedAt, Late: r.Late, ClosesAt: r.ClosesAt, ClosedAt: r.ClosedAt, Facilitator: r.Facilitator,
		Maps: r.Maps, SkipReason: r.SkipReason, SkippedBy: r.SkippedBy}
	o := c.domain()
	o.Expected = r.Expected
	return o
}

func (r *occurrenceCore) domain() *cadence.Occurrence {
	o := &cadence.Occurrence{
		ID:          r.ID,
		RitualID:    r.RitualID,
		Scheduled:   r.Scheduled,
		Status:      cadence.Status(r.Status),
		DueAt:       r.DueAt,
		OpenedAt:    r.OpenedAt,
		Late:        r.Late,
		ClosesAt:    r.ClosesAt,
		ClosedAt:    r.ClosedAt,
		Facilitator: r.Facilitator,
		SkipReason:  r.SkipReason,
		SkippedBy:   r.SkippedBy,
	}
	makeMaps(o, r.Maps)
	return o
}

// occurrenceKey is "<scheduled>/<id>": time order, ties by ID.
func occurrenceKey(id string, scheduled time.Time) ([]byte, error) {
	tk, err := timeKey("occurrence "+id+" scheduled", scheduled)
	if err != nil {
		return nil, err
	}
	return join(tk, id), nil
}

func (t *tx) Occurrence(id string) (*cadence.Occurrence, error) {
	ids, err := t.bucket(bucketOccurrenceIDs)
	if err != nil {
		return nil, err
	}
	occs, err := t.bucket(bucketOccurrences)
	if err != nil {
		return nil, err
	}
	pk := ids.Get([]byte(id))
	if pk == nil {
		return nil, fmt.Errorf("occurrence %q: %w", id, cadence.ErrNotFound)
	}
	v := occs.Get(pk)
	if v == nil {
		return nil, fmt.Errorf("occurrence %q: index points at missing key %q: %w", id, pk, ErrCorrupt)
	}
	var r occurrenceRecord
	if err := decodeOccurrence(pk, v, &r); err != nil {
		return nil, fmt.Errorf("occurrence %q: %w", id, err)
	}
	return t.withPeople(r.domain())
}

// OccurrenceFor reads the shared record, skipping its list of people,
// and the one person's record: the same few bytes for any team size.
func (t *tx) OccurrenceFor(id, person string) (*cadence.Occurrence, error) {
	ids, err := t.bucket(bucketOccurrenceIDs)
	if err != nil {
		return nil, err
	}
	occs, err := t.bucket(bucketOccurrences)
	if err != nil {
		return nil, err
	}
	pk := ids.Get([]byte(id))
	if pk == nil {
		return nil, fmt.Errorf("occurrence %q: %w", id, cadence.ErrNotFound)
	}
	v := occs.Get(pk)
	if v == nil {
		return nil, fmt.Errorf("occurrence %q: index points at missing key %q: %w", id, pk, ErrCorrupt)
	}
	var r occurrenceCore
	if err := decodeCore(pk, v, &r); err != nil {
		return nil, fmt.Errorf("occurrence %q: %w", id, err)
	}
	o := r.domain()
	if err := t.personOf(o, person); err != nil {
		return nil, err
	}
	return o, nil
}

func (t *tx) PutOccurrence(o *cadence.Occurrence) error {
	if err := t.writable("put occurrence"); err != nil {
		return err
	}
	if o == nil || o.ID == "" {
		return fmt.Errorf("put occurrence: empty id: %w", cadence.ErrInvalidInput)
	}
	pk, err := occurrenceKey(o.ID, o.Scheduled)
	if err != nil {
		return fmt.Errorf("put occurrence: %w", err)
	}
	ids, err := t.bucket(bucketOccurrenceIDs)
	if err != nil {
		return err
	}
	occs, err := t.bucket(bucketOccurrences)
	if err != nil {
		return err
	}
	// A changed Scheduled moves the record: drop the old key so the
	// time index never lists it twice.
	if old := ids.Get([]byte(o.ID)); old != nil && !bytes.Equal(old, pk) {
		if err := occs.Delete(bytes.Clone(old)); err != nil {
			return fmt.Errorf("put occurrence %q: %w", o.ID, err)
		}
	}
	// Unchanged records and index entries are not written again: a
	// prompt or reminder to one person rewrites that person's record only.
	rec := toOccurrenceRecord(o)
	raw := encodeOccurrence(pk, &rec)
	if !bytes.Equal(occs.Get(pk), raw) {
		if err := occs.Put(pk, raw); err != nil {
			return fmt.Errorf("put occurrence %q: %w", o.ID, err)
		}
	}
	if !bytes.Equal(ids.Get([]byte(o.ID)), pk) {
		if err := ids.Put([]byte(o.ID), pk); err != nil {
			return fmt.Errorf("put occurrence %q: %w", o.ID, err)
		}
	}
	open, err := t.bucket(bucketOccurrencesOpen)
	if err != nil {
		return err
	}
	switch cur := open.Get([]byte(o.ID)); {
	case o.Status == cadence.StatusOpen && !bytes.Equal(cur, pk):
		err = open.Put([]byte(o.ID), pk)
	case o.Status != cadence.StatusOpen && cur != nil:
		err = open.Delete([]byte(o.ID))
	}
	if err != nil {
		return fmt.Errorf("put occurrence %q: open index: %w", o.ID, err)
	}
	return t.putPeople(o)
}

// Occurrences scans the time range with a cursor, or only the open index
// when the filter asks for open occurrences alone (every tick does). The
// ritual is matched on the key before decoding; status after.
func (t *tx) Occurrences(f cadence.OccurrenceFilter) ([]*cadence.Occurrence, error) {
	occs, err := t.bucket(bucketOccurrences)
	if err != nil {
		return nil, err
	}
	var out []*cadence.Occurrence
	visit := func(k, v []byte) (bool, error) {
		if f.RitualID != "" {
			if _, id, ok := splitTimeKey(k); ok && !strings.HasPrefix(id, f.RitualID+"@") {
				return true, nil
			}
		}
		if f.Person != "" {
			// One person's part, as OccurrenceFor reads it: their record,
			// not everyone's (an answer's streak looks back 30 of these).
			var r occurrenceCore
			if err := decodeCore(k, v, &r); err != nil {
				return false, fmt.Errorf("list occurrences: %w", err)
			}
			if (f.RitualID != "" && r.RitualID != f.RitualID) || (len(f.Status) > 0 && !slices.Contains(f.Status, cadence.Status(r.Status))) {
				return true, nil
			}
			o := r.domain()
			if err := t.personOf(o, f.Person); err != nil {
				return false, fmt.Errorf("list occurrences: %w", err)
			}
			out = append(out, o)
			return f.Limit <= 0 || len(out) < f.Limit, nil
		}
		var r occurrenceRecord
		if err := decodeOccurrence(k, v, &r); err != nil {
			return false, fmt.Errorf("list occurrences: %w", err)
		}
		if f.RitualID != "" && r.RitualID != f.RitualID {
			return true, nil
		}
		if len(f.Status) > 0 && !slices.Contains(f.Status, cadence.Status(r.Status)) {
			return true, nil
		}
		o := r.domain()
		if !f.Bare {
			if o, err = t.withPeople(o); err != nil {
				return false, fmt.Errorf("list occurrences: %w", err)
			}
		}
		out = append(out, o)
		return f.Limit <= 0 || len(out) < f.Limit, nil
	}
	switch {
	case onlyOpen(f.Status):
		err = t.scanOpen(occs, f, visit)
	case f.Newest:
		err = scanTimeRangeBack(occs, f.From, f.To, visit)
	default:
		err = scanTimeRange(occs, f.From, f.To, visit)
	}
	return out, err
}

func onlyOpen(st []cadence.Status) bool {
	if len(st) == 0 {
		return false
	}
	for _, s := range st {
		if s != cadence.StatusOpen {
			return false
		}
	}
	return true
}

// scanOpen visits the open occurrences in the time range, in key (time)
// order, like scanTimeRange does for all of them.
func (t *tx) scanOpen(occs *bolt.Bucket, f cadence.OccurrenceFilter, visit func(k, v []byte) (bool, error)) error {
	open, err := t.bucket(bucketOccurrencesOpen)
	if err != nil {
		return err
	}
	var keys [][]byte
	if err := open.ForEach(func(_, pk []byte) error {
		keys = append(keys, bytes.Clone(pk))
		return nil
	}); err != nil {
		return err
	}
	slices.SortFunc(keys, bytes.Compare)
	if f.Newest {
		slices.Reverse(keys)
	}
	lo, hi := "", ""
	if !f.From.IsZero() {
		lo = boundKey(f.From)
	}
	if !f.To.IsZero() {
		hi = boundKey(f.To)
	}
	for _, k := range keys {
		tk := string(k[:min(len(k), timeKeyLen)])
		if (lo != "" && tk < lo) || (hi != "" && tk >= hi) {
			continue
		}
		v := occs.Get(k)
		if v == nil {
			return fmt.Errorf("open occurrence index points at missing key %q: %w", k, ErrCorrupt)
		}
		more, err := visit(k, v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// reindexOpenOccurrences fills the open index from the primary data.
func (t *tx) reindexOpenOccurrences() error {
	occs, err := t.bucket(bucketOccurrences)
	if err != nil {
		return err
	}
	open, err := t.bucket(bucketOccurrencesOpen)
	if err != nil {
		return err
	}
	return occs.ForEach(func(k, v []byte) error {
		var r occurrenceRecord
		if err := decodeOccurrence(k, v, &r); err != nil {
			return fmt.Errorf("index open occurrences: %w", err)
		}
		if cadence.Status(r.Status) != cadence.StatusOpen {
			return nil
		}
		return open.Put([]byte(r.ID), bytes.Clone(k))
	})
}

// scanTimeRange calls fn for each entry whose key starts with a time in
// [from, to), in key order, until fn returns false. Zero bounds are open.
func scanTimeRange(b *bolt.Bucket, from, to time.Time, fn func(k, v []byte) (bool, error)) error {
	c := b.Cursor()
	var k, v []byte
	if from.IsZero() {
		k, v = c.First()
	} else {
		k, v = c.Seek([]byte(boundKey(from)))
	}
	var end []byte
	if !to.IsZero() {
		end = []byte(boundKey(to))
	}
	for ; k != nil; k, v = c.Next() {
		if end != nil && bytes.Compare(k[:min(len(k), timeKeyLen)], end) >= 0 {
			return nil
		}
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// scanTimeRangeBack is scanTimeRange from the end: newest key first, so
// "the last one before To" costs a seek and a few steps back, not a
// decode of the whole history.
func scanTimeRangeBack(b *bolt.Bucket, from, to time.Time, fn func(k, v []byte) (bool, error)) error {
	c := b.Cursor()
	var k, v []byte
	if to.IsZero() {
		k, v = c.Last()
	} else if k, _ = c.Seek([]byte(boundKey(to))); k == nil {
		k, v = c.Last() // every key is before to
	} else {
		k, v = c.Prev() // Seek landed on the first key at or after to
	}
	var start []byte
	if !from.IsZero() {
		start = []byte(boundKey(from))
	}
	for ; k != nil; k, v = c.Prev() {
		if start != nil && bytes.Compare(k[:min(len(k), timeKeyLen)], start) < 0 {
			return nil
		}
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// reindexOccurrences rebuilds the ID index from the primary bucket.
func (t *tx) reindexOccurrences() error {
	occs, err := t.bucket(bucketOccurrences)
	if err != nil {
		return err
	}
	ids, err := t.bucket(bucketOccurrenceIDs)
	if err != nil {
		return err
	}
	return occs.ForEach(func(k, v []byte) error {
		var r occurrenceRecord
		if err := decodeOccurrence(k, v, &r); err != nil {
			return fmt.Errorf("index occurrences: %w", err)
		}
		return ids.Put([]byte(r.ID), bytes.Clone(k))
	})
}
