package postgres

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cadencebot/cadencebot/cadence"
)

// An occurrence is stored in two parts (migration 0008): the occurrences
// row holds what is per occurrence (its doc with each per-person map
// emptied, and the ordered list of people expected), and occurrence_people
// one row per person with their part of the maps. An answer reads the
// occurrence and its person's row; a prompt or a reminder rewrites that
// person's row alone.

// personDoc is one person's part of an occurrence's per-person maps.
type personDoc struct {
	Excused  *string    `json:"excused,omitempty"`
	PromptAt *time.Time `json:"prompt_at,omitempty"`
	CloseAt  *time.Time `json:"close_at,omitempty"`
	Prompted *time.Time `json:"prompted,omitempty"`
	Reminded *int       `json:"reminded,omitempty"`
}

func personDocOf(o *cadence.Occurrence, person string) personDoc {
	var d personDoc
	if v, ok := o.Excused[person]; ok {
		d.Excused = &v
	}
	if v, ok := o.PromptAt[person]; ok {
		d.PromptAt = &v
	}
	if v, ok := o.CloseAt[person]; ok {
		d.CloseAt = &v
	}
	if v, ok := o.Prompted[person]; ok {
		d.Prompted = &v
	}
	if v, ok := o.Reminded[person]; ok {
		d.Reminded = &v
	}
	return d
}

// apply adds d to o's maps, making a map only where a stored entry needs
// it (the occurrence's doc says which maps are non-nil).
func (d *personDoc) apply(o *cadence.Occurrence, person string) {
	if d.Excused != nil {
		o.Excused = setIn(o.Excused, person, *d.Excused)
	}
	if d.PromptAt != nil {
		o.PromptAt = setIn(o.PromptAt, person, *d.PromptAt)
	}
	if d.CloseAt != nil {
		o.CloseAt = setIn(o.CloseAt, person, *d.CloseAt)
	}
	if d.Prompted != nil {
		o.Prompted = setIn(o.Prompted, person, *d.Prompted)
	}
	if d.Reminded != nil {
		o.Reminded = setIn(o.Reminded, person, *d.Reminded)
	}
}

func setIn[V any](m map[string]V, k string, v V) map[string]V {
	if m == nil {
		m = map[string]V{}
	}
	m[k] = v
	return m
}

// storedOcc is an occurrence as its rows hold it, encoded: what this
// transaction last read or wrote, so PutOccurrence writes only the rows
// that differ. Writers hold the write lock, so nobody else changes them.
type storedOcc struct {
	doc      []byte
	expected []string
	people   map[string]storedPerson
}

type storedPerson struct {
	expected bool
	doc      []byte
}

// encodeOcc splits o into its rows.
func encodeOcc(o *cadence.Occurrence) (*storedOcc, error) {
	core := *o
	core.Expected = nil
	core.Excused = emptied(o.Excused)
	core.PromptAt = emptied(o.PromptAt)
	core.CloseAt = emptied(o.CloseAt)
	core.Prompted = emptied(o.Prompted)
	core.Reminded = emptied(o.Reminded)
	doc, err := json.Marshal(&core)
	if err != nil {
		return nil, err
	}
	s := &storedOcc{doc: doc, expected: o.Expected, people: map[string]storedPerson{}}
	for _, p := range o.Expected {
		s.people[p] = storedPerson{expected: true}
	}
	for _, keys := range []iter.Seq[string]{
		maps.Keys(o.Excused), maps.Keys(o.PromptAt), maps.Keys(o.CloseAt), maps.Keys(o.Prompted), maps.Keys(o.Reminded),
	} {
		for p := range keys {
			s.people[p] = storedPerson{expected: s.people[p].expected}
		}
	}
	for p, sp := range s.people {
		if sp.doc, err = json.Marshal(personDocOf(o, p)); err != nil {
			return nil, err
		}
		s.people[p] = sp
	}
	return s, nil
}

// emptied is an empty map for a non-nil one, nil for nil.
func emptied[V any](m map[string]V) map[string]V {
	if m == nil {
		return nil
	}
	return map[string]V{}
}

// decodeOcc is the occurrence of a doc, its expected list and its people's
// docs.
func decodeOcc(id string, doc []byte, expected []string, people map[string][]byte) (*cadence.Occurrence, error) {
	o := new(cadence.Occurrence)
	if err := unmarshalOccDoc(doc, o); err != nil {
		return nil, fmt.Errorf("occurrence %q: stored value does not decode: %w", id, err)
	}
	o.Expected = expected
	for p, raw := range people {
		var d personDoc
		if err := unmarshalPersonDoc(raw, &d); err != nil {
			return nil, fmt.Errorf("occurrence %q: person %q: stored value does not decode: %w", id, p, err)
		}
		d.apply(o, p)
	}
	return o, nil
}

func (t *tx) Occurrence(id string) (*cadence.Occurrence, error) {
	what := fmt.Sprintf("occurrence %q", id)
	s, err := t.loadOcc(id)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if s == nil {
		return nil, fmt.Errorf("%s: %w", what, cadence.ErrNotFound)
	}
	people := make(map[string][]byte, len(s.people))
	for p, sp := range s.people {
		people[p] = sp.doc
	}
	return decodeOcc(id, s.doc, slices.Clone(s.expected), people)
}

// loadOcc reads the rows of occurrence id, or nil when there is none, in
// one round trip; a writer keeps them for PutOccurrence to compare.
func (t *tx) loadOcc(id string) (*storedOcc, error) {
	b := &pgx.Batch{}
	b.Queue("SELECT doc, expected FROM occurrences WHERE id = $1", id)
	b.Queue("SELECT person_id, expected, doc FROM occurrence_people WHERE occurrence_id = $1", id)
	br := t.tx.SendBatch(t.ctx, b)
	defer br.Close()
	s := &storedOcc{people: map[string]storedPerson{}}
	err := br.QueryRow().Scan(&s.doc, &s.expected)
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	var person string
	var sp storedPerson
	if _, err := pgx.ForEachRow(rows, []any{&person, &sp.expected, &sp.doc}, func() error {
		s.people[person] = storedPerson{sp.expected, bytes.Clone(sp.doc)}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := br.Close(); err != nil {
		return nil, err
	}
	if !found {
		return nil, nil
	}
	if t.writable {
		t.remember(id, s)
	}
	return s, nil
}

func (t *tx) remember(id string, s *storedOcc) {
	if t.occs == nil {
		t.occs = map[string]*storedOcc{}
	}
	t.occs[id] = s
}

// OccurrenceFor reads the occurrence's own row and person's row alone: the
// same work at ten people as at a thousand. What an answer reads next —
// the person's answer and the occurrence's summary — comes in the same
// round trip and is kept for this transaction (readcache.go).
func (t *tx) OccurrenceFor(id, person string) (*cadence.Occurrence, error) {
	what := fmt.Sprintf("occurrence %q", id)
	b := &pgx.Batch{}
	b.Queue(`SELECT o.doc, p.expected, p.doc FROM occurrences o
		LEFT JOIN occurrence_people p ON p.occurrence_id = o.id AND p.person_id = $2 WHERE o.id = $1`, id, person)
	_, prefetchAnswer := t.answerCache[answerKey{id, person}]
	prefetchAnswer = !prefetchAnswer
	if prefetchAnswer {
		b.Queue(answerSQL, id, person)
	}
	_, prefetchSummary := t.summaryCache[id]
	prefetchSummary = !prefetchSummary
	if prefetchSummary {
		b.Queue(summarySQL, id)
	}
	br := t.tx.SendBatch(t.ctx, b)
	defer br.Close()
	var doc, pdoc []byte
	var expected *bool
	err := br.QueryRow().Scan(&doc, &expected, &pdoc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, cadence.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if prefetchAnswer {
		var a cachedAnswer
		err := br.QueryRow().Scan(&a.doc, &a.text)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			t.cacheAnswer(id, person, nil)
		case err != nil:
			return nil, fmt.Errorf("%s: answer of %q: %w", what, person, err)
		default:
			t.cacheAnswer(id, person, &a)
		}
	}
	if prefetchSummary {
		var sdoc []byte
		err := br.QueryRow().Scan(&sdoc)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			t.cacheSummary(id, nil)
		case err != nil:
			return nil, fmt.Errorf("%s: summary: %w", what, err)
		default:
			t.cacheSummary(id, sdoc)
		}
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var people map[string][]byte
	if pdoc != nil {
		people = map[string][]byte{person: pdoc}
	}
	o, err := decodeOcc(id, doc, nil, people)
	if err != nil {
		return nil, err
	}
	if expected != nil && *expected {
		o.Expected = []string{person}
	}
	return o, nil
}

// PutOccurrence writes the rows of v that differ from what is stored: a
// change to one person rewrites that person's row, and the occurrence's
// own row only when something per occurrence changed.
func (t *tx) PutOccurrence(v *cadence.Occurrence) error {
	if err := t.checkWritable("put occurrence"); err != nil {
		return err
	}
	if v.ID == "" {
		return fmt.Errorf("put occurrence: empty id: %w", cadence.ErrInvalidInput)
	}
	what := "put occurrence " + v.ID
	t.written.occurrences++
	t.listings = nil
	next, err := encodeOcc(v)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", what, err)
	}
	prev, ok := t.occs[v.ID]
	if !ok {
		if prev, err = t.loadOcc(v.ID); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	if prev == nil || !bytes.Equal(prev.doc, next.doc) || !sameList(prev.expected, next.expected) {
		if err := t.exec(what, `INSERT INTO occurrences (id, ritual_id, scheduled_ns, status, doc, expected) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (id) DO UPDATE SET ritual_id = excluded.ritual_id, scheduled_ns = excluded.scheduled_ns,
				status = excluded.status, doc = excluded.doc, expected = excluded.expected`,
			v.ID, v.RitualID, nanos(v.Scheduled), string(v.Status), next.doc, next.expected); err != nil {
			return err
		}
	}
	var ids []string
	var exp []bool
	var docs [][]byte
	for p, sp := range next.people {
		if prev != nil {
			if old, ok := prev.people[p]; ok && old.expected == sp.expected && bytes.Equal(old.doc, sp.doc) {
				continue
			}
		}
		ids, exp, docs = append(ids, p), append(exp, sp.expected), append(docs, sp.doc)
	}
	if len(ids) > 0 {
		if err := t.exec(what+": people", `INSERT INTO occurrence_people (occurrence_id, person_id, expected, doc)
			SELECT $1, p, e, d FROM unnest($2::text[], $3::boolean[], $4::bytea[]) AS u(p, e, d)
			ON CONFLICT (occurrence_id, person_id) DO UPDATE SET expected = excluded.expected, doc = excluded.doc`,
			v.ID, ids, exp, docs); err != nil {
			return err
		}
	}
	var gone []string
	if prev != nil {
		for p := range prev.people {
			if _, ok := next.people[p]; !ok {
				gone = append(gone, p)
			}
		}
	}
	if len(gone) > 0 {
		if err := t.exec(what+": people who left", "DELETE FROM occurrence_people WHERE occurrence_id = $1 AND person_id = ANY($2)",
			v.ID, gone); err != nil {
			return err
		}
	}
	next.expected = slices.Clone(next.expected)
	t.remember(v.ID, next)
	return nil
}

// sameList is slices.Equal that also tells nil from empty.
func sameList(a, b []string) bool {
	return (a == nil) == (b == nil) && slices.Equal(a, b)
}

func (t *tx) Occurrences(f cadence.OccurrenceFilter) ([]*cadence.Occurrence, error) {
	if f.Person != "" {
		return t.occurrencesOf(f)
	}
	q, args := occurrenceQuery("SELECT id, doc, expected FROM occurrences", f)
	type row struct {
		id       string
		doc      []byte
		expected []string
	}
	rows, err := t.tx.Query(t.ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list occurrences: %w", err)
	}
	var list []row
	var r row
	if _, err := pgx.ForEachRow(rows, []any{&r.id, &r.doc, &r.expected}, func() error {
		list = append(list, row{r.id, bytes.Clone(r.doc), slices.Clone(r.expected)})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list occurrences: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	ids := make([]string, len(list))
	for i, r := range list {
		ids[i] = r.id
	}
	people, err := t.occurrencePeople(ids)
	if err != nil {
		return nil, fmt.Errorf("list occurrences: people: %w", err)
	}
	out := make([]*cadence.Occurrence, len(list))
	for i, r := range list {
		if out[i], err = decodeOcc(r.id, r.doc, r.expected, people[r.id]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// occurrenceQuery is sel (a SELECT … FROM occurrences) filtered, ordered
// and limited as f asks, with its arguments after args.
func occurrenceQuery(sel string, f cadence.OccurrenceFilter, args ...any) (string, []any) {
	q := sel + " WHERE true"
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.RitualID != "" {
		q += " AND ritual_id = " + arg(f.RitualID)
	}
	if !f.From.IsZero() {
		q += " AND scheduled_ns >= " + arg(nanos(f.From))
	}
	if !f.To.IsZero() {
		q += " AND scheduled_ns < " + arg(nanos(f.To))
	}
	if len(f.Status) > 0 {
		st := make([]string, len(f.Status))
		for i, s := range f.Status {
			st[i] = string(s)
		}
		q += " AND status = ANY(" + arg(st) + ")"
	}
	if f.Newest {
		q += " ORDER BY scheduled_ns DESC, id DESC"
	} else {
		q += " ORDER BY scheduled_ns, id"
	}
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
	}
	return q, args
}

// occurrencePeople reads every person row of the occurrences ids.
func (t *tx) occurrencePeople(ids []string) (map[string]map[string][]byte, error) {
	rows, err := t.tx.Query(t.ctx, "SELECT occurrence_id, person_id, doc FROM occurrence_people WHERE occurrence_id = ANY($1)", ids)
	if err != nil {
		return nil, err
	}
	people := make(map[string]map[string][]byte, len(ids))
	var occ, p string
	var doc []byte
	if _, err := pgx.ForEachRow(rows, []any{&occ, &p, &doc}, func() error {
		m := people[occ]
		if m == nil {
			m = map[string][]byte{}
			people[occ] = m
		}
		m[p] = bytes.Clone(doc)
		return nil
	}); err != nil {
		return nil, err
	}
	return people, nil
}

// occurrencesOf lists occurrences as For(f.Person) holds them, in one
// round trip (none when it was read ahead): each occurrence's own row
// with the person's row, and the person's answer to it, which the
// transaction keeps (readcache.go) for the Answer calls that follow (a
// streak asks for each). The expected lists, a thousand names each, stay
// in the database: the person's row says whether they are expected.
func (t *tx) occurrencesOf(f cadence.OccurrenceFilter) ([]*cadence.Occurrence, error) {
	sql, args := occurrencesOfQuery(f)
	list, ok := t.listings[listingKey(sql, args)]
	if !ok {
		rows, err := t.tx.Query(t.ctx, sql, args...)
		if err != nil {
			return nil, fmt.Errorf("list occurrences of %q: %w", f.Person, err)
		}
		if list, err = collectPersonRows(rows); err != nil {
			return nil, fmt.Errorf("list occurrences of %q: %w", f.Person, err)
		}
		t.cacheRowAnswers(f.Person, list)
	}
	var out []*cadence.Occurrence
	for _, r := range list {
		var people map[string][]byte
		if r.pdoc != nil {
			people = map[string][]byte{f.Person: r.pdoc}
		}
		o, err := decodeOcc(r.id, r.doc, nil, people)
		if err != nil {
			return nil, fmt.Errorf("list occurrences of %q: %w", f.Person, err)
		}
		if r.expected != nil && *r.expected {
			o.Expected = []string{f.Person}
		}
		out = append(out, o)
	}
	return out, nil
}

// occurrencesOfQuery is occurrencesOf's query: $1 is the person.
func occurrencesOfQuery(f cadence.OccurrenceFilter) (string, []any) {
	inner, args := occurrenceQuery("SELECT id, doc, scheduled_ns FROM occurrences", f, f.Person)
	order := "o.scheduled_ns, o.id"
	if f.Newest {
		order = "o.scheduled_ns DESC, o.id DESC"
	}
	return `SELECT o.id, o.doc, p.expected, p.doc, a.doc, x.doc FROM (` + inner + `) o
		LEFT JOIN occurrence_people p ON p.occurrence_id = o.id AND p.person_id = $1
		LEFT JOIN answers a ON a.occurrence_id = o.id AND a.person_id = $1
		LEFT JOIN answer_texts x ON x.occurrence_id = o.id AND x.person_id = $1
		ORDER BY ` + order, args
}

// personRow is a row of occurrencesOfQuery, copied out.
type personRow struct {
	id                    string
	doc, pdoc, adoc, text []byte
	expected              *bool
}

func collectPersonRows(rows pgx.Rows) ([]personRow, error) {
	var list []personRow
	var r personRow
	_, err := pgx.ForEachRow(rows, []any{&r.id, &r.doc, &r.expected, &r.pdoc, &r.adoc, &r.text}, func() error {
		c := personRow{id: r.id, doc: bytes.Clone(r.doc), pdoc: bytes.Clone(r.pdoc), adoc: bytes.Clone(r.adoc), text: bytes.Clone(r.text)}
		if r.expected != nil {
			e := *r.expected
			c.expected = &e
		}
		list = append(list, c)
		return nil
	})
	return list, err
}

// cacheRowAnswers keeps person's answers of the rows, where the
// transaction holds none yet.
func (t *tx) cacheRowAnswers(person string, list []personRow) {
	for _, r := range list {
		if _, ok := t.answerCache[answerKey{r.id, person}]; ok {
			continue
		}
		if r.adoc == nil {
			t.cacheAnswer(r.id, person, nil)
		} else {
			t.cacheAnswer(r.id, person, &cachedAnswer{doc: r.adoc, text: r.text})
		}
	}
}
