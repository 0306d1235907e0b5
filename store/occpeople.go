package store

import (
	"bytes"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	bolt "go.etcd.io/bbolt"
)

// An occurrence's per-person state lives in bucketOccurrencePeople, one
// record per person under "<occurrence ID>/<person ID>" (schema 8): is
// the person expected, excused and why, when their prompt is due, their
// own close, when they were prompted, how many reminders went out. A
// prompt or a reminder to one person rewrites that record alone, where
// it used to rewrite maps of every person in one growing record.
type occPersonRecord struct {
	Expected bool       `json:"expected,omitempty"`
	Excused  *string    `json:"excused,omitempty"`
	PromptAt *time.Time `json:"prompt_at,omitempty"`
	CloseAt  *time.Time `json:"close_at,omitempty"`
	Prompted *time.Time `json:"prompted,omitempty"`
	Reminded *int       `json:"reminded,omitempty"`
}

// The per-person maps an occurrence record says are non-nil.
const (
	mapExcused  = "excused"
	mapPromptAt = "prompt_at"
	mapCloseAt  = "close_at"
	mapPrompted = "prompted"
	mapReminded = "reminded"
)

func presentMaps(o *cadence.Occurrence) []string {
	var out []string
	for _, m := range []struct {
		name string
		set  bool
	}{{mapExcused, o.Excused != nil}, {mapPromptAt, o.PromptAt != nil}, {mapCloseAt, o.CloseAt != nil},
		{mapPrompted, o.Prompted != nil}, {mapReminded, o.Reminded != nil}} {
		if m.set {
			out = append(out, m.name)
		}
	}
	return out
}

func makeMaps(o *cadence.Occurrence, names []string) {
	for _, n := range names {
		switch n {
		case mapExcused:
			o.Excused = map[string]string{}
		case mapPromptAt:
			o.PromptAt = map[string]time.Time{}
		case mapCloseAt:
			o.CloseAt = map[string]time.Time{}
		case mapPrompted:
			o.Prompted = map[string]time.Time{}
		case mapReminded:
			o.Reminded = map[string]int{}
		}
	}
}

func occPersonKey(occID, person string) []byte { return join(occID, person) }

// apply adds person's record to o's maps (which makeMaps created).
func (r *occPersonRecord) apply(o *cadence.Occurrence, person string) {
	set := func(ok bool, f func()) {
		if ok {
			f()
		}
	}
	set(r.Excused != nil, func() {
		if o.Excused == nil {
			o.Excused = map[string]string{}
		}
		o.Excused[person] = *r.Excused
	})
	set(r.PromptAt != nil, func() {
		if o.PromptAt == nil {
			o.PromptAt = map[string]time.Time{}
		}
		o.PromptAt[person] = *r.PromptAt
	})
	set(r.CloseAt != nil, func() {
		if o.CloseAt == nil {
			o.CloseAt = map[string]time.Time{}
		}
		o.CloseAt[person] = *r.CloseAt
	})
	set(r.Prompted != nil, func() {
		if o.Prompted == nil {
			o.Prompted = map[string]time.Time{}
		}
		o.Prompted[person] = *r.Prompted
	})
	set(r.Reminded != nil, func() {
		if o.Reminded == nil {
			o.Reminded = map[string]int{}
		}
		o.Reminded[person] = *r.Reminded
	})
}

// personRecordOf is person's part of o.
func personRecordOf(o *cadence.Occurrence, person string, expected bool) occPersonRecord {
	r := occPersonRecord{Expected: expected}
	if v, ok := o.Excused[person]; ok {
		r.Excused = &v
	}
	if v, ok := o.PromptAt[person]; ok {
		u := utc(v)
		r.PromptAt = &u
	}
	if v, ok := o.CloseAt[person]; ok {
		u := utc(v)
		r.CloseAt = &u
	}
	if v, ok := o.Prompted[person]; ok {
		u := utc(v)
		r.Prompted = &u
	}
	if v, ok := o.Reminded[person]; ok {
		r.Reminded = &v
	}
	return r
}

// scanPeople calls fn for each person record of occID, in person order.
func scanPeople(b *bolt.Bucket, occID string, fn func(person string, k, v []byte) error) error {
	prefix := []byte(occID + sep)
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		rest := k[len(prefix):]
		if bytes.Contains(rest, []byte(sep)) {
			continue // a person of a longer occurrence ID
		}
		if err := fn(string(rest), k, v); err != nil {
			return err
		}
	}
	return nil
}

// withPeople fills o's per-person maps from its person records.
func (t *tx) withPeople(o *cadence.Occurrence) (*cadence.Occurrence, error) {
	b, err := t.bucket(bucketOccurrencePeople)
	if err != nil {
		return nil, err
	}
	err = scanPeople(b, o.ID, func(person string, k, v []byte) error {
		var r occPersonRecord
		if err := decodePerson(k, v, &r); err != nil {
			return fmt.Errorf("occurrence %q: %w", o.ID, err)
		}
		r.apply(o, person)
		return nil
	})
	return o, err
}

// personOf fills o (read without its list of people) with person's part.
func (t *tx) personOf(o *cadence.Occurrence, person string) error {
	b, err := t.bucket(bucketOccurrencePeople)
	if err != nil {
		return err
	}
	if strings.Contains(person, sep) {
		return nil // no such record can exist
	}
	var r occPersonRecord
	k := occPersonKey(o.ID, person)
	if v := b.Get(k); v != nil {
		if err := decodePerson(k, v, &r); err != nil {
			return fmt.Errorf("occurrence %q: %w", o.ID, err)
		}
	}
	if r.Expected {
		o.Expected = []string{person}
	}
	r.apply(o, person)
	return nil
}

// putPeople writes the person records of o that changed and deletes
// those of people no longer in it. It reads every record of o to compare
// (cheap: no decoding), and writes only the differences.
func (t *tx) putPeople(o *cadence.Occurrence) error {
	b, err := t.bucket(bucketOccurrencePeople)
	if err != nil {
		return err
	}
	b.FillPercent = answerFillPercent // people are added in key order, mostly
	old := map[string][]byte{}
	if err := scanPeople(b, o.ID, func(person string, _, v []byte) error {
		old[person] = bytes.Clone(v)
		return nil
	}); err != nil {
		return err
	}
	people := slices.Clone(o.Expected)
	for _, keys := range []iter.Seq[string]{
		maps.Keys(o.Excused), maps.Keys(o.PromptAt), maps.Keys(o.CloseAt), maps.Keys(o.Prompted), maps.Keys(o.Reminded),
	} {
		people = slices.AppendSeq(people, keys)
	}
	slices.Sort(people)
	people = slices.Compact(people)
	expected := make(map[string]bool, len(o.Expected))
	for _, p := range o.Expected {
		expected[p] = true
	}
	for _, p := range people {
		if strings.Contains(p, sep) {
			return fmt.Errorf("put occurrence %q: person id %q contains %q: %w", o.ID, p, sep, cadence.ErrInvalidInput)
		}
		rec := personRecordOf(o, p, expected[p])
		raw := encodePerson(&rec)
		prev, had := old[p]
		delete(old, p)
		if had && bytes.Equal(prev, raw) {
			continue
		}
		if err := b.Put(occPersonKey(o.ID, p), raw); err != nil {
			return fmt.Errorf("put occurrence %q: person %q: %w", o.ID, p, err)
		}
	}
	for p := range old {
		if err := b.Delete(occPersonKey(o.ID, p)); err != nil {
			return fmt.Errorf("put occurrence %q: person %q: %w", o.ID, p, err)
		}
	}
	return nil
}

// occurrenceRecordV7 is an occurrence as schema 7 and before stored it:
// every person's state in maps inside the one record.
type occurrenceRecordV7 struct {
	occurrenceRecord
	Excused  map[string]string    `json:"excused"`
	PromptAt map[string]time.Time `json:"prompt_at"`
	CloseAt  map[string]time.Time `json:"close_at"`
	Prompted map[string]time.Time `json:"prompted"`
	Reminded map[string]int       `json:"reminded"`
}

// migrateV8 moves each occurrence's per-person maps into person records.
func migrateV8(btx *bolt.Tx) error {
	if _, err := btx.CreateBucket(bucketOccurrencePeople); err != nil {
		return fmt.Errorf("create bucket %q: %w", bucketOccurrencePeople, err)
	}
	t := &tx{btx: btx}
	occs, err := t.bucket(bucketOccurrences)
	if err != nil {
		return err
	}
	var all []*cadence.Occurrence
	// Read everything first: bbolt forbids writes during ForEach.
	if err := occs.ForEach(func(k, v []byte) error {
		var r occurrenceRecordV7
		if err := decode(k, v, &r); err != nil {
			return fmt.Errorf("split occurrences: %w", err)
		}
		o := r.occurrenceRecord.domain()
		o.Excused, o.PromptAt, o.CloseAt, o.Prompted, o.Reminded = r.Excused, r.PromptAt, r.CloseAt, r.Prompted, r.Reminded
		all = append(all, o)
		return nil
	}); err != nil {
		return err
	}
	for _, o := range all {
		if err := t.PutOccurrence(o); err != nil {
			return fmt.Errorf("split occurrences: %w", err)
		}
	}
	return nil
}
