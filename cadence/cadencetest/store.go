// Package cadencetest holds test doubles for the cadence domain: an
// in-memory Store, a recording fake Chat, and a contract test suite that
// every Store implementation runs (RunStoreTests).
package cadencetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// ErrReadOnly is returned by writes inside View.
var ErrReadOnly = errors.New("cadencetest: write in a read-only transaction")

// Store is an in-memory cadence.Store. Update runs under an exclusive lock
// and rolls back every write if fn fails or panics; View runs under a
// shared lock and refuses writes. Values are deep-copied in and out, as the
// contract requires. The zero value is not usable: call NewStore.
type Store struct {
	mu sync.RWMutex

	rituals   map[string]*cadence.RitualState
	occs      map[string]*cadence.Occurrence
	occOrder  []occKey                              // occs by (Scheduled, ID): a range is read without visiting the rest
	answers   map[string]map[string]*cadence.Answer // occurrence → person → answer
	summaries map[string]*cadence.SummaryState
	messages  map[string]*cadence.Message
	active    map[string]struct{} // keys of pending/sending messages, for Due
	people    map[string]*cadence.PersonState
	kv        map[string]map[string][]byte
	defs      map[string]*cadence.Definition // kind:id
	ops       memOps                         // incidents, follow-ups, releases, audit: memops.go
	agg       memAgg                         // memagg.go
}

var _ cadence.Store = (*Store)(nil)

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{
		rituals:   map[string]*cadence.RitualState{},
		occs:      map[string]*cadence.Occurrence{},
		answers:   map[string]map[string]*cadence.Answer{},
		summaries: map[string]*cadence.SummaryState{},
		messages:  map[string]*cadence.Message{},
		active:    map[string]struct{}{},
		people:    map[string]*cadence.PersonState{},
		// Empty, so its aggregates are complete (Reindex marks the same).
		kv:   map[string]map[string][]byte{"cadence": {"aggregates": []byte(strconv.Itoa(cadence.AggregateVersion))}},
		defs: map[string]*cadence.Definition{},
	}
}

// Forget deletes the message key, as a store's compactor does with one
// nothing reads again (cadence.Outlived).
func (s *Store) Forget(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.messages, key)
	delete(s.active, key)
}

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(cadence.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(&tx{s: s})
}

// Update runs fn in a read-write transaction: all of fn's writes land, or
// none do.
func (s *Store) Update(ctx context.Context, fn func(cadence.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &tx{s: s, writable: true}
	defer func() {
		if p := recover(); p != nil {
			t.rollback()
			panic(p)
		}
		if err != nil {
			t.rollback()
		}
	}()
	return fn(cadence.WithAggregates(t))
}

// tx writes straight into the store's maps and keeps an undo log.
type tx struct {
	s        *Store
	writable bool
	undo     []func()
}

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

func (t *tx) checkWritable() error {
	if !t.writable {
		return ErrReadOnly
	}
	return nil
}

// remember records how to restore m[k] to its current value.
func remember[V any](t *tx, m map[string]V, k string) {
	old, ok := m[k]
	t.undo = append(t.undo, func() {
		if ok {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

// --- ritual state ---

func (t *tx) RitualState(id string) (*cadence.RitualState, error) {
	v, ok := t.s.rituals[id]
	if !ok {
		return nil, fmt.Errorf("ritual state %q: %w", id, cadence.ErrNotFound)
	}
	c := *v
	return &c, nil
}

func (t *tx) PutRitualState(v *cadence.RitualState) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if v.RitualID == "" {
		return fmt.Errorf("put ritual state: empty ritual id: %w", cadence.ErrInvalidInput)
	}
	remember(t, t.s.rituals, v.RitualID)
	c := *v
	t.s.rituals[v.RitualID] = &c
	return nil
}

// --- occurrences ---

func (t *tx) Occurrence(id string) (*cadence.Occurrence, error) {
	v, ok := t.s.occs[id]
	if !ok {
		return nil, fmt.Errorf("occurrence %q: %w", id, cadence.ErrNotFound)
	}
	return v.Clone(), nil
}

func (t *tx) PutOccurrence(v *cadence.Occurrence) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if v.ID == "" {
		return fmt.Errorf("put occurrence: empty id: %w", cadence.ErrInvalidInput)
	}
	old, existed := t.s.occs[v.ID]
	remember(t, t.s.occs, v.ID)
	t.s.occs[v.ID] = v.Clone()
	if existed && old.Scheduled.Equal(v.Scheduled) {
		return nil
	}
	k := occKey{v.Scheduled, v.ID}
	if existed {
		t.s.unindexOcc(occKey{old.Scheduled, v.ID})
	}
	t.s.indexOcc(k)
	t.undo = append(t.undo, func() {
		t.s.unindexOcc(k)
		if existed {
			t.s.indexOcc(occKey{old.Scheduled, v.ID})
		}
	})
	return nil
}

// occKey orders occurrences as Occurrences lists them.
type occKey struct {
	at time.Time
	id string
}

func cmpOccKey(a, b occKey) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

func (s *Store) indexOcc(k occKey) {
	if i, found := slices.BinarySearchFunc(s.occOrder, k, cmpOccKey); !found {
		s.occOrder = slices.Insert(s.occOrder, i, k)
	}
}

func (s *Store) unindexOcc(k occKey) {
	if i, found := slices.BinarySearchFunc(s.occOrder, k, cmpOccKey); found {
		s.occOrder = slices.Delete(s.occOrder, i, i+1)
	}
}

func (t *tx) Occurrences(f cadence.OccurrenceFilter) ([]*cadence.Occurrence, error) {
	order := t.s.occOrder
	lo, hi := 0, len(order)
	if !f.From.IsZero() {
		lo = sort.Search(len(order), func(i int) bool { return !order[i].at.Before(f.From) })
	}
	if !f.To.IsZero() {
		hi = max(lo, sort.Search(len(order), func(i int) bool { return !order[i].at.Before(f.To) }))
	}
	var out []*cadence.Occurrence
	for i := range hi - lo {
		k := order[lo+i]
		if f.Newest {
			k = order[hi-1-i]
		}
		o := t.s.occs[k.id]
		if f.RitualID != "" && o.RitualID != f.RitualID {
			continue
		}
		if len(f.Status) > 0 && !slices.Contains(f.Status, o.Status) {
			continue
		}
		out = append(out, o.Clone())
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, nil
}

// --- answers ---

func (t *tx) Answer(occID, person string) (*cadence.Answer, error) {
	v, ok := t.s.answers[occID][person]
	if !ok {
		return nil, fmt.Errorf("answer of %q to %q: %w", person, occID, cadence.ErrNotFound)
	}
	return v.Clone(), nil
}

func (t *tx) PutAnswer(a *cadence.Answer) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if a.OccurrenceID == "" || a.PersonID == "" {
		return fmt.Errorf("put answer: occurrence and person are required: %w", cadence.ErrInvalidInput)
	}
	if _, _, err := cadence.ParseOccurrenceID(a.OccurrenceID); err != nil {
		return fmt.Errorf("put answer: %w: %w", cadence.ErrInvalidInput, err)
	}
	m, ok := t.s.answers[a.OccurrenceID]
	if !ok {
		m = map[string]*cadence.Answer{}
		t.s.answers[a.OccurrenceID] = m
		occID := a.OccurrenceID
		t.undo = append(t.undo, func() { delete(t.s.answers, occID) })
	}
	remember(t, m, a.PersonID)
	m[a.PersonID] = a.Clone()
	return nil
}

func (t *tx) Answers(occID string) ([]*cadence.Answer, error) {
	m := t.s.answers[occID]
	out := make([]*cadence.Answer, 0, len(m))
	for _, p := range sortedKeys(m) {
		out = append(out, m[p].Clone())
	}
	return out, nil
}

func (t *tx) Answerers(occID string) ([]string, error) {
	out := sortedKeys(t.s.answers[occID])
	if out == nil {
		out = []string{}
	}
	return out, nil
}

func (t *tx) SubmissionsBetween(from, to time.Time) ([]*cadence.Answer, error) {
	as, err := t.AnswersBetween(from, to)
	for _, a := range as {
		a.Responses = nil
	}
	return as, err
}

func (t *tx) AnswersBetween(from, to time.Time) ([]*cadence.Answer, error) {
	type item struct {
		at  time.Time
		occ string
	}
	var occs []item
	for occID := range t.s.answers {
		_, at, err := cadence.ParseOccurrenceID(occID)
		if err != nil {
			continue // PutAnswer refuses these; nothing to list
		}
		if (!from.IsZero() && at.Before(from)) || (!to.IsZero() && !at.Before(to)) {
			continue
		}
		occs = append(occs, item{at, occID})
	}
	sort.Slice(occs, func(i, j int) bool {
		if !occs[i].at.Equal(occs[j].at) {
			return occs[i].at.Before(occs[j].at)
		}
		return occs[i].occ < occs[j].occ
	})
	var out []*cadence.Answer
	for _, it := range occs {
		m := t.s.answers[it.occ]
		for _, p := range sortedKeys(m) {
			out = append(out, m[p].Clone())
		}
	}
	return out, nil
}

// --- outbox ---

func (t *tx) Enqueue(m *cadence.Message) (bool, error) {
	if err := t.checkWritable(); err != nil {
		return false, err
	}
	if m.Key == "" {
		return false, fmt.Errorf("enqueue: empty key: %w", cadence.ErrInvalidInput)
	}
	if _, ok := t.s.messages[m.Key]; ok {
		return false, nil
	}
	return true, t.PutMessage(m)
}

func (t *tx) Message(key string) (*cadence.Message, error) {
	v, ok := t.s.messages[key]
	if !ok {
		return nil, fmt.Errorf("message %q: %w", key, cadence.ErrNotFound)
	}
	return v.Clone(), nil
}

func (t *tx) PutMessage(m *cadence.Message) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if m.Key == "" {
		return fmt.Errorf("put message: empty key: %w", cadence.ErrInvalidInput)
	}
	remember(t, t.s.messages, m.Key)
	remember(t, t.s.active, m.Key)
	t.s.messages[m.Key] = m.Clone()
	if m.State == cadence.StatePending || m.State == cadence.StateSending {
		t.s.active[m.Key] = struct{}{}
	} else {
		delete(t.s.active, m.Key)
	}
	return nil
}

func (t *tx) Due(now time.Time, limit int) ([]*cadence.Message, error) {
	var out []*cadence.Message
	for k := range t.s.active {
		m := t.s.messages[k]
		if m.NextAttemptAt.After(now) {
			continue
		}
		out = append(out, m)
	}
	sortMessages(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	for i, m := range out {
		out[i] = m.Clone()
	}
	return out, nil
}

func (t *tx) Messages(f cadence.MessageFilter) ([]*cadence.Message, error) {
	var out []*cadence.Message
	for _, m := range t.s.messages {
		if f.Platform != "" && m.Platform != f.Platform {
			continue
		}
		if f.To != nil && m.To != *f.To {
			continue
		}
		if f.Thread != "" && m.Thread != f.Thread {
			continue
		}
		if len(f.States) > 0 && !slices.Contains(f.States, m.State) {
			continue
		}
		if !f.Since.IsZero() && m.CreatedAt.Before(f.Since) {
			continue
		}
		out = append(out, m)
	}
	sortMessages(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	for i, m := range out {
		out[i] = m.Clone()
	}
	return out, nil
}

func sortMessages(ms []*cadence.Message) {
	sort.Slice(ms, func(i, j int) bool {
		if !ms[i].CreatedAt.Equal(ms[j].CreatedAt) {
			return ms[i].CreatedAt.Before(ms[j].CreatedAt)
		}
		return ms[i].Key < ms[j].Key
	})
}

// --- person state ---

func (t *tx) PersonState(id string) (*cadence.PersonState, error) {
	v, ok := t.s.people[id]
	if !ok {
		return nil, fmt.Errorf("person state %q: %w", id, cadence.ErrNotFound)
	}
	return &cadence.PersonState{PersonID: v.PersonID, OutOfOffice: slices.Clone(v.OutOfOffice)}, nil
}

func (t *tx) PutPersonState(v *cadence.PersonState) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if v.PersonID == "" {
		return fmt.Errorf("put person state: empty person id: %w", cadence.ErrInvalidInput)
	}
	remember(t, t.s.people, v.PersonID)
	t.s.people[v.PersonID] = &cadence.PersonState{PersonID: v.PersonID, OutOfOffice: slices.Clone(v.OutOfOffice)}
	return nil
}

// --- key/value ---

func (t *tx) Get(ns, key string) ([]byte, error) {
	v, ok := t.s.kv[ns][key]
	if !ok {
		return nil, fmt.Errorf("%s/%s: %w", ns, key, cadence.ErrNotFound)
	}
	return slices.Clone(v), nil
}

func (t *tx) Put(ns, key string, value []byte) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if ns == "" || key == "" {
		return fmt.Errorf("put: namespace and key are required: %w", cadence.ErrInvalidInput)
	}
	m, ok := t.s.kv[ns]
	if !ok {
		m = map[string][]byte{}
		t.s.kv[ns] = m
		t.undo = append(t.undo, func() { delete(t.s.kv, ns) })
	}
	remember(t, m, key)
	v := slices.Clone(value)
	if v == nil {
		v = []byte{}
	}
	m[key] = v
	return nil
}

func (t *tx) Delete(ns, key string) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	m, ok := t.s.kv[ns]
	if !ok {
		return nil
	}
	remember(t, m, key)
	delete(m, key)
	return nil
}

func (t *tx) Keys(ns, prefix string) ([]string, error) {
	var out []string
	for k := range t.s.kv[ns] {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
