package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	bolt "go.etcd.io/bbolt"
)

// Aggregates (cadence/aggregate.go) in two buckets, in cadence's binary
// form:
//
//	agg_occurrences  <scheduled>/<occurrence id>  → OccurrenceAggregate
//	agg_weeks        <week, 8 bytes BE unix s><ritual>\x00<person> → week figures
//
// Both are keyed for range reads: a report reads the weeks it shows with
// one cursor each.
var (
	bucketAggOccurrences = []byte("agg_occurrences")
	bucketAggWeeks       = []byte("agg_weeks")
)

// migrateV9 adds the aggregate buckets. They are filled right after the
// migration, by Open's cadence.EnsureAggregates: until then reports read
// the facts.
func migrateV9(btx *bolt.Tx) error {
	for _, name := range [][]byte{bucketAggOccurrences, bucketAggWeeks} {
		if _, err := btx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %q: %w", name, err)
		}
	}
	return nil
}

// occAggKey is the aggregate's key: the occurrence's own primary key.
func (t *tx) occAggKey(id string) ([]byte, error) {
	ids, err := t.bucket(bucketOccurrenceIDs)
	if err != nil {
		return nil, err
	}
	pk := ids.Get([]byte(id))
	if pk == nil {
		return nil, fmt.Errorf("aggregate of occurrence %q: %w", id, cadence.ErrNotFound)
	}
	return bytes.Clone(pk), nil
}

func (t *tx) OccurrenceAggregate(id string) (*cadence.OccurrenceAggregate, error) {
	b, err := t.bucket(bucketAggOccurrences)
	if err != nil {
		return nil, err
	}
	k, err := t.occAggKey(id)
	if err != nil {
		return nil, err
	}
	raw := b.Get(k)
	if raw == nil {
		return nil, fmt.Errorf("aggregate of occurrence %q: %w", id, cadence.ErrNotFound)
	}
	a, err := cadence.DecodeOccurrenceAggregate(raw)
	if err != nil {
		return nil, fmt.Errorf("aggregate %q: %w", k, err)
	}
	return a, nil
}

func (t *tx) PutOccurrenceAggregate(a *cadence.OccurrenceAggregate) error {
	if err := t.writable("put occurrence aggregate"); err != nil {
		return err
	}
	b, err := t.bucket(bucketAggOccurrences)
	if err != nil {
		return err
	}
	k, err := occurrenceKey(a.OccurrenceID, a.Scheduled)
	if err != nil {
		return fmt.Errorf("put occurrence aggregate: %w", err)
	}
	return b.Put(k, cadence.AppendOccurrenceAggregate(nil, a))
}

func (t *tx) DeleteOccurrenceAggregate(id string) error {
	if err := t.writable("delete occurrence aggregate"); err != nil {
		return err
	}
	b, err := t.bucket(bucketAggOccurrences)
	if err != nil {
		return err
	}
	k, err := t.occAggKey(id)
	if err != nil {
		return nil // no occurrence, no aggregate
	}
	return b.Delete(k)
}

func (t *tx) OccurrenceAggregates(from, to time.Time) ([]*cadence.OccurrenceAggregate, error) {
	b, err := t.bucket(bucketAggOccurrences)
	if err != nil {
		return nil, err
	}
	var out []*cadence.OccurrenceAggregate
	err = scanTimeRange(b, from, to, func(k, v []byte) (bool, error) {
		a, err := cadence.DecodeOccurrenceAggregate(v)
		if err != nil {
			return false, fmt.Errorf("aggregate %q: %w", k, err)
		}
		out = append(out, a)
		return true, nil
	})
	return out, err
}

func weekAggKey(week time.Time, ritual, person string) []byte {
	k := make([]byte, 8, 8+len(ritual)+1+len(person))
	binary.BigEndian.PutUint64(k, uint64(week.Unix()))
	k = append(k, ritual...)
	k = append(k, 0)
	return append(k, person...)
}

func (t *tx) WeekAggregate(week time.Time, ritual, person string) (*cadence.WeekAggregate, error) {
	b, err := t.bucket(bucketAggWeeks)
	if err != nil {
		return nil, err
	}
	k := weekAggKey(week, ritual, person)
	raw := b.Get(k)
	if raw == nil {
		return nil, fmt.Errorf("week aggregate %s %s %s: %w", week.Format("2006-01-02"), ritual, person, cadence.ErrNotFound)
	}
	w := &cadence.WeekAggregate{Week: week.UTC(), RitualID: ritual, PersonID: person}
	if err := cadence.DecodeWeekFigures(raw, w); err != nil {
		return nil, fmt.Errorf("week aggregate %q: %w", k, err)
	}
	return w, nil
}

func (t *tx) PutWeekAggregate(w *cadence.WeekAggregate) error {
	if err := t.writable("put week aggregate"); err != nil {
		return err
	}
	if w.RitualID == "" || w.PersonID == "" || w.Week.IsZero() {
		return fmt.Errorf("put week aggregate: want week, ritual and person: %w", cadence.ErrInvalidInput)
	}
	b, err := t.bucket(bucketAggWeeks)
	if err != nil {
		return err
	}
	k := weekAggKey(w.Week, w.RitualID, w.PersonID)
	if w.Empty() {
		return b.Delete(k)
	}
	return b.Put(k, cadence.AppendWeekFigures(nil, w))
}

// EachWeekAggregate decodes into one reused value; ritual and person
// strings are shared between records with the same bytes.
func (t *tx) EachWeekAggregate(from, to time.Time, fn func(*cadence.WeekAggregate) error) error {
	b, err := t.bucket(bucketAggWeeks)
	if err != nil {
		return err
	}
	c := b.Cursor()
	var k, v []byte
	if from.IsZero() {
		k, v = c.First()
	} else {
		k, v = c.Seek(binary.BigEndian.AppendUint64(nil, uint64(from.Unix())))
	}
	end := uint64(1<<63 - 1)
	if !to.IsZero() {
		end = uint64(to.Unix())
	}
	var w cadence.WeekAggregate
	var week uint64
	names := map[string]string{}
	intern := func(b []byte) string {
		if s, ok := names[string(b)]; ok {
			return s
		}
		s := string(b)
		names[s] = s
		return s
	}
	for ; k != nil; k, v = c.Next() {
		if len(k) < 10 {
			return fmt.Errorf("week aggregate key %q: too short: %w", k, ErrCorrupt)
		}
		wk := binary.BigEndian.Uint64(k)
		if wk >= end {
			return nil
		}
		i := bytes.IndexByte(k[8:], 0)
		if i < 0 {
			return fmt.Errorf("week aggregate key %q: no separator: %w", k, ErrCorrupt)
		}
		if wk != week || w.Week.IsZero() {
			week, w.Week = wk, time.Unix(int64(wk), 0).UTC()
		}
		w.RitualID, w.PersonID = intern(k[8:8+i]), intern(k[8+i+1:])
		if err := cadence.DecodeWeekFigures(v, &w); err != nil {
			return fmt.Errorf("week aggregate %q: %w", k, err)
		}
		if err := fn(&w); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) ClearAggregates() error {
	if err := t.writable("clear aggregates"); err != nil {
		return err
	}
	for _, name := range [][]byte{bucketAggOccurrences, bucketAggWeeks} {
		if err := t.btx.DeleteBucket(name); err != nil {
			return fmt.Errorf("clear %q: %w", name, err)
		}
		if _, err := t.btx.CreateBucket(name); err != nil {
			return fmt.Errorf("clear %q: %w", name, err)
		}
	}
	return nil
}

// ScanAggregates reads the raw bytes of the aggregates a report over
// [from, to) reads (the occurrence and week aggregates of the weeks it
// covers) in one read transaction, decoding nothing: the floor report
// benchmarks are measured against.
func (db *DB) ScanAggregates(ctx context.Context, from, to time.Time) (records, size int, err error) {
	wFrom, wTo := cadence.WeekOf(from), cadence.WeekOf(to.Add(-time.Nanosecond)).AddDate(0, 0, 7)
	err = db.View(ctx, func(ctx cadence.Tx) error {
		t := ctx.(*tx)
		occ, err := t.bucket(bucketAggOccurrences)
		if err != nil {
			return err
		}
		if err := scanTimeRange(occ, wFrom, wTo, func(k, v []byte) (bool, error) {
			records++
			size += len(k) + len(v)
			return true, nil
		}); err != nil {
			return err
		}
		weeks, err := t.bucket(bucketAggWeeks)
		if err != nil {
			return err
		}
		end := binary.BigEndian.AppendUint64(nil, uint64(wTo.Unix()))
		c := weeks.Cursor()
		for k, v := c.Seek(binary.BigEndian.AppendUint64(nil, uint64(wFrom.Unix()))); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
			records++
			size += len(k) + len(v)
		}
		return nil
	})
	return records, size, err
}
