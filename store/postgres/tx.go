package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cadencebot/cadencebot/cadence"
)

// ErrReadOnly is returned by writes inside View.
var ErrReadOnly = errors.New("postgres: write in a read-only transaction")

// tx is one cadence.Tx over one database transaction. Tx methods take no
// context, so the one View or Update was given is kept here.
type tx struct {
	ctx      context.Context
	tx       *pipe
	writable bool
	// fenced: a leader's transaction (cadence.WithTerm). wake: it is not,
	// and it queued outbox work the leader must hear about.
	fenced bool
	wake   bool
	// occs holds the rows of occurrences this writer read or wrote
	// (occpeople.go).
	occs map[string]*storedOcc
	// defs: it changed a ritual or person kept in the store; every
	// replica reloads its live configuration (DefinitionsChannel).
	defs bool
	// analyze: it rebuilt the aggregates (ClearAggregates); their tables
	// are analyzed before it commits (aggregates.go).
	analyze bool
	// Rows read ahead and what this transaction wrote over them
	// (readcache.go).
	answerCache  map[answerKey]*cachedAnswer
	summaryCache map[string][]byte
	messageCache map[string][]byte
	listings     map[string][]personRow
	written      writes
}

var _ cadence.Tx = (*tx)(nil)

func (t *tx) checkWritable(what string) error {
	if !t.writable {
		return fmt.Errorf("%s: %w", what, ErrReadOnly)
	}
	return nil
}

// nanos is the sort/filter key of an instant: nanoseconds since the epoch,
// exact where timestamptz keeps only microseconds; the zero time sorts
// first. Instants past int64 nanoseconds (years before 1678 or after
// 2262, such as the dispatcher's "everything due" bound in 9999) clamp to
// the ends instead of wrapping around.
func nanos(t time.Time) int64 {
	switch {
	case t.IsZero():
		return math.MinInt64
	case t.After(maxNanos):
		return math.MaxInt64
	case t.Before(minNanos):
		return math.MinInt64 + 1
	}
	return t.UnixNano()
}

// The instants int64 nanoseconds since the epoch can hold.
var (
	maxNanos = time.Unix(0, math.MaxInt64)
	minNanos = time.Unix(0, math.MinInt64+1)
)

// exec queues a write whose result nobody reads: it goes to the server
// with the next read or the commit (pipe.go), and an error it meets is
// returned there, labelled with what.
func (t *tx) exec(what, sql string, args ...any) error {
	if t.tx.failed != nil {
		return t.tx.failed
	}
	t.tx.queue(what, sql, args...)
	return nil
}

// getDoc decodes the doc of the one row sql selects into v, or returns
// ErrNotFound naming what.
func (t *tx) getDoc(what string, v any, sql string, args ...any) error {
	var doc []byte
	err := t.tx.QueryRow(t.ctx, sql, args...).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, cadence.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := json.Unmarshal(doc, v); err != nil {
		return fmt.Errorf("%s: stored value does not decode: %w", what, err)
	}
	return nil
}

// listDocs decodes the doc of every row sql selects, in order.
func listDocs[T any](t *tx, what, sql string, args ...any) ([]*T, error) {
	rows, err := t.tx.Query(t.ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var out []*T
	for _, doc := range docs {
		v := new(T)
		if err := json.Unmarshal(doc, v); err != nil {
			return nil, fmt.Errorf("%s: stored value does not decode: %w", what, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func encode(what string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s: encode: %w", what, err)
	}
	return b, nil
}

// --- ritual state ---

func (t *tx) RitualState(id string) (*cadence.RitualState, error) {
	var v cadence.RitualState
	if err := t.getDoc(fmt.Sprintf("ritual state %q", id), &v, "SELECT doc FROM ritual_states WHERE ritual_id = $1", id); err != nil {
		return nil, err
	}
	return &v, nil
}

func (t *tx) PutRitualState(v *cadence.RitualState) error {
	if err := t.checkWritable("put ritual state"); err != nil {
		return err
	}
	if v.RitualID == "" {
		return fmt.Errorf("put ritual state: empty ritual id: %w", cadence.ErrInvalidInput)
	}
	doc, err := encode("put ritual state", v)
	if err != nil {
		return err
	}
	return t.exec("put ritual state "+v.RitualID, `INSERT INTO ritual_states (ritual_id, doc) VALUES ($1, $2)
		ON CONFLICT (ritual_id) DO UPDATE SET doc = excluded.doc`, v.RitualID, doc)
}

// --- answers ---

func (t *tx) Answer(occID, person string) (*cadence.Answer, error) {
	what := fmt.Sprintf("answer of %q to %q", person, occID)
	if c, ok := t.answerCache[answerKey{occID, person}]; ok {
		if c == nil {
			return nil, fmt.Errorf("%s: %w", what, cadence.ErrNotFound)
		}
		return decodeAnswer(c.doc, c.text)
	}
	out, err := t.answers(what, answerSQL, occID, person)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w", what, cadence.ErrNotFound)
	}
	return out[0], nil
}

// PutAnswer writes the metadata to answers and the responses to
// answer_texts, so listings of who answered never read the text.
func (t *tx) PutAnswer(a *cadence.Answer) error {
	if err := t.checkWritable("put answer"); err != nil {
		return err
	}
	if a.OccurrenceID == "" || a.PersonID == "" {
		return fmt.Errorf("put answer: occurrence and person are required: %w", cadence.ErrInvalidInput)
	}
	_, at, err := cadence.ParseOccurrenceID(a.OccurrenceID)
	if err != nil {
		return fmt.Errorf("put answer: %w: %w", cadence.ErrInvalidInput, err)
	}
	meta := *a
	meta.Responses = nil
	doc, err := encode("put answer", meta)
	if err != nil {
		return err
	}
	text, err := encode("put answer", a.Responses)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("put answer of %q to %q", a.PersonID, a.OccurrenceID)
	t.written.answers++
	if _, ok := t.answerCache[answerKey{a.OccurrenceID, a.PersonID}]; ok {
		t.cacheAnswer(a.OccurrenceID, a.PersonID, &cachedAnswer{doc: doc, text: text})
	}
	if err := t.exec(what, `INSERT INTO answers (occurrence_id, person_id, scheduled_ns, doc) VALUES ($1, $2, $3, $4)
		ON CONFLICT (occurrence_id, person_id) DO UPDATE SET doc = excluded.doc`,
		a.OccurrenceID, a.PersonID, nanos(at), doc); err != nil {
		return err
	}
	return t.exec(what+": text", `INSERT INTO answer_texts (occurrence_id, person_id, doc) VALUES ($1, $2, $3)
		ON CONFLICT (occurrence_id, person_id) DO UPDATE SET doc = excluded.doc`, a.OccurrenceID, a.PersonID, text)
}

// answerSQL reads one answer and its text.
const answerSQL = `SELECT a.doc, x.doc FROM answers a LEFT JOIN answer_texts x USING (occurrence_id, person_id)
		WHERE a.occurrence_id = $1 AND a.person_id = $2`

// decodeAnswer is the answer of a metadata doc and a responses doc (nil:
// none stored).
func decodeAnswer(doc, text []byte) (*cadence.Answer, error) {
	a := new(cadence.Answer)
	if err := unmarshalAnswerDoc(doc, a); err != nil {
		return nil, fmt.Errorf("stored value does not decode: %w", err)
	}
	a.Responses = nil
	if text != nil {
		if err := unmarshalResponses(text, &a.Responses); err != nil {
			return nil, fmt.Errorf("stored text does not decode: %w", err)
		}
	}
	return a, nil
}

// answers decodes rows of (metadata doc, responses doc or NULL).
func (t *tx) answers(what, sql string, args ...any) ([]*cadence.Answer, error) {
	rows, err := t.tx.Query(t.ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out := []*cadence.Answer{}
	var doc, text []byte
	_, err = pgx.ForEachRow(rows, []any{&doc, &text}, func() error {
		a, err := decodeAnswer(doc, text)
		if err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func (t *tx) Answers(occID string) ([]*cadence.Answer, error) {
	return t.answers("answers to "+occID, `SELECT a.doc, x.doc FROM answers a LEFT JOIN answer_texts x USING (occurrence_id, person_id)
		WHERE a.occurrence_id = $1 ORDER BY a.person_id`, occID)
}

func (t *tx) Answerers(occID string) ([]string, error) {
	rows, err := t.tx.Query(t.ctx, "SELECT person_id FROM answers WHERE occurrence_id = $1 ORDER BY person_id", occID)
	if err != nil {
		return nil, fmt.Errorf("answerers of %s: %w", occID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("answerers of %s: %w", occID, err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

func (t *tx) AnswersBetween(from, to time.Time) ([]*cadence.Answer, error) {
	lo, hi := span(from, to)
	return t.answers("answers between", `SELECT a.doc, x.doc FROM answers a LEFT JOIN answer_texts x USING (occurrence_id, person_id)
		WHERE a.scheduled_ns >= $1 AND a.scheduled_ns < $2
		ORDER BY a.scheduled_ns, a.occurrence_id, a.person_id`, lo, hi)
}

// SubmissionsBetween reads the metadata only: no text is fetched.
func (t *tx) SubmissionsBetween(from, to time.Time) ([]*cadence.Answer, error) {
	lo, hi := span(from, to)
	return t.answers("submissions between", `SELECT doc, NULL::bytea FROM answers WHERE scheduled_ns >= $1 AND scheduled_ns < $2
		ORDER BY scheduled_ns, occurrence_id, person_id`, lo, hi)
}

// span is the scheduled_ns range of [from, to); zero does not bound.
func span(from, to time.Time) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if !from.IsZero() {
		lo = nanos(from)
	}
	if !to.IsZero() {
		hi = nanos(to)
	}
	return lo, hi
}

// --- outbox ---

// recipientKey is the column MessageFilter.To compares: both fields,
// unambiguously (JSON of a pair).
func recipientKey(r cadence.Recipient) string {
	b, _ := json.Marshal([2]string{r.Channel, r.Person}) // strings always encode
	return string(b)
}

func (t *tx) Enqueue(m *cadence.Message) (bool, error) {
	if err := t.checkWritable("enqueue"); err != nil {
		return false, err
	}
	if m.Key == "" {
		return false, fmt.Errorf("enqueue: empty key: %w", cadence.ErrInvalidInput)
	}
	doc, compacted, err := encodeMessage("enqueue", m)
	if err != nil {
		return false, err
	}
	t.written.messages++
	if stored, ok := t.messageCache[m.Key]; ok {
		// Read ahead under the write lock: whether the key is taken is
		// known, so the insert waits for the commit instead of a round
		// trip of its own.
		if stored != nil {
			return false, nil
		}
		t.cacheMessage(m.Key, doc)
		t.wake = t.wake || !t.fenced
		return true, t.exec("enqueue "+m.Key, enqueueSQL,
			m.Key, m.Platform, recipientKey(m.To), m.Thread, string(m.State), nanos(m.CreatedAt), nanos(m.NextAttemptAt), doc, compacted)
	}
	tag, err := t.tx.Exec(t.ctx, enqueueSQL,
		m.Key, m.Platform, recipientKey(m.To), m.Thread, string(m.State), nanos(m.CreatedAt), nanos(m.NextAttemptAt), doc, compacted)
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", m.Key, err)
	}
	added := tag.RowsAffected() == 1
	t.wake = t.wake || (added && !t.fenced)
	return added, nil
}

// enqueueSQL inserts a message unless its key is taken.
const enqueueSQL = `INSERT INTO outbox (key, platform, recipient, thread, state, created_ns, next_attempt_ns, doc, compacted)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (key) DO NOTHING`

// encodeMessage is m's stored document and whether its content is
// dropped (compacted): such a message is not listed (Messages), as in the
// bbolt store. A revision written after compaction brings its body back
// and is a whole message again, Compacted no longer set, as bbolt reads
// it back.
func encodeMessage(what string, m *cadence.Message) (doc []byte, compacted bool, err error) {
	compacted = m.Compacted && reflect.ValueOf(m.Body).IsZero() && m.LateBody == nil
	if m.Compacted && !compacted {
		whole := *m
		whole.Compacted = false
		m = &whole
	}
	doc, err = encode(what, m)
	return doc, compacted, err
}

func (t *tx) Message(key string) (*cadence.Message, error) {
	var v cadence.Message
	if doc, ok := t.messageCache[key]; ok {
		if doc == nil {
			return nil, fmt.Errorf("message %q: %w", key, cadence.ErrNotFound)
		}
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, fmt.Errorf("message %q: stored value does not decode: %w", key, err)
		}
		return &v, nil
	}
	if err := t.getDoc(fmt.Sprintf("message %q", key), &v, "SELECT doc FROM outbox WHERE key = $1", key); err != nil {
		return nil, err
	}
	return &v, nil
}

func (t *tx) PutMessage(m *cadence.Message) error {
	if err := t.checkWritable("put message"); err != nil {
		return err
	}
	if m.Key == "" {
		return fmt.Errorf("put message: empty key: %w", cadence.ErrInvalidInput)
	}
	doc, compacted, err := encodeMessage("put message", m)
	if err != nil {
		return err
	}
	t.written.messages++
	if _, ok := t.messageCache[m.Key]; ok {
		t.cacheMessage(m.Key, doc)
	}
	t.wake = t.wake || (m.State == cadence.StatePending && !t.fenced)
	return t.exec("put message "+m.Key, `INSERT INTO outbox (key, platform, recipient, thread, state, created_ns, next_attempt_ns, doc, compacted)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (key) DO UPDATE SET platform = excluded.platform,
		recipient = excluded.recipient, thread = excluded.thread, state = excluded.state,
		created_ns = excluded.created_ns, next_attempt_ns = excluded.next_attempt_ns, doc = excluded.doc,
		compacted = excluded.compacted`,
		m.Key, m.Platform, recipientKey(m.To), m.Thread, string(m.State), nanos(m.CreatedAt), nanos(m.NextAttemptAt), doc, compacted)
}

func (t *tx) Due(now time.Time, limit int) ([]*cadence.Message, error) {
	q := `SELECT doc FROM outbox WHERE state IN ('pending', 'sending') AND next_attempt_ns <= $1
		ORDER BY created_ns, key`
	args := []any{nanos(now)}
	if limit > 0 {
		q += " LIMIT $2"
		args = append(args, limit)
	}
	return listDocs[cadence.Message](t, "due messages", q, args...)
}

func (t *tx) Messages(f cadence.MessageFilter) ([]*cadence.Message, error) {
	// Compacted messages are not listed: nothing of them is left to
	// show (encodeMessage); the index holds only the others.
	q := "SELECT doc FROM outbox WHERE NOT compacted"
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Platform != "" {
		q += " AND platform = " + arg(f.Platform)
	}
	if f.To != nil {
		q += " AND recipient = " + arg(recipientKey(*f.To))
	}
	if f.Thread != "" {
		q += " AND thread = " + arg(f.Thread)
	}
	if len(f.States) > 0 {
		st := make([]string, len(f.States))
		for i, s := range f.States {
			st[i] = string(s)
		}
		q += " AND state = ANY(" + arg(st) + ")"
	}
	if !f.Since.IsZero() {
		q += " AND created_ns >= " + arg(nanos(f.Since))
	}
	q += " ORDER BY created_ns, key"
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
	}
	return listDocs[cadence.Message](t, "list messages", q, args...)
}

// --- person state ---

func (t *tx) PersonState(id string) (*cadence.PersonState, error) {
	var v cadence.PersonState
	if err := t.getDoc(fmt.Sprintf("person state %q", id), &v, "SELECT doc FROM person_states WHERE person_id = $1", id); err != nil {
		return nil, err
	}
	return &v, nil
}

func (t *tx) PutPersonState(v *cadence.PersonState) error {
	if err := t.checkWritable("put person state"); err != nil {
		return err
	}
	if v.PersonID == "" {
		return fmt.Errorf("put person state: empty person id: %w", cadence.ErrInvalidInput)
	}
	doc, err := encode("put person state", v)
	if err != nil {
		return err
	}
	return t.exec("put person state "+v.PersonID, `INSERT INTO person_states (person_id, doc) VALUES ($1, $2)
		ON CONFLICT (person_id) DO UPDATE SET doc = excluded.doc`, v.PersonID, doc)
}

// --- key/value ---

func (t *tx) Get(ns, key string) ([]byte, error) {
	var v []byte
	err := t.tx.QueryRow(t.ctx, "SELECT value FROM kv WHERE ns = $1 AND key = $2", ns, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%s/%s: %w", ns, key, cadence.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", ns, key, err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

func (t *tx) Put(ns, key string, value []byte) error {
	if err := t.checkWritable("put"); err != nil {
		return err
	}
	if ns == "" || key == "" {
		return fmt.Errorf("put: namespace and key are required: %w", cadence.ErrInvalidInput)
	}
	if value == nil {
		value = []byte{} // NOT NULL: an empty value is still a value
	}
	return t.exec("put "+ns+"/"+key, `INSERT INTO kv (ns, key, value) VALUES ($1, $2, $3)
		ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value`, ns, key, value)
}

func (t *tx) Delete(ns, key string) error {
	if err := t.checkWritable("delete"); err != nil {
		return err
	}
	return t.exec("delete "+ns+"/"+key, "DELETE FROM kv WHERE ns = $1 AND key = $2", ns, key)
}

func (t *tx) Keys(ns, prefix string) ([]string, error) {
	rows, err := t.tx.Query(t.ctx, "SELECT key FROM kv WHERE ns = $1 AND starts_with(key, $2) ORDER BY key", ns, prefix)
	if err != nil {
		return nil, fmt.Errorf("keys of %s: %w", ns, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("keys of %s: %w", ns, err)
	}
	return out, nil
}
