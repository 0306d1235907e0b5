package cadencetest

import (
	"fmt"
	"sort"

	"github.com/cadencebot/cadencebot/cadence"
)

// memOps holds the MLOps aggregates. Maps are made on first write (under
// the store's write lock), so Store needs no change to NewStore.
type memOps struct {
	incidents map[int]*cadence.Incident
	followUps map[int]*cadence.FollowUp
	releases  map[int]*cadence.Release
	audit     []*cadence.AuditEntry
}

// rememberInt records how to restore m[k] to its current value.
func rememberInt[V any](t *tx, m map[int]V, k int) {
	old, ok := m[k]
	t.undo = append(t.undo, func() {
		if ok {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

func ensure[V any](m *map[int]V) map[int]V {
	if *m == nil {
		*m = map[int]V{}
	}
	return *m
}

func lastKey[V any](m map[int]V) int {
	n := 0
	for k := range m {
		n = max(n, k)
	}
	return n
}

func sortedInts[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// --- incidents ---

func (t *tx) Incident(n int) (*cadence.Incident, error) {
	v, ok := t.s.ops.incidents[n]
	if !ok {
		return nil, fmt.Errorf("incident %d: %w", n, cadence.ErrNotFound)
	}
	return v.Clone(), nil
}

func (t *tx) PutIncident(v *cadence.Incident) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if v.Number < 1 {
		return fmt.Errorf("put incident: number %d: %w", v.Number, cadence.ErrInvalidInput)
	}
	m := ensure(&t.s.ops.incidents)
	rememberInt(t, m, v.Number)
	m[v.Number] = v.Clone()
	return nil
}

func (t *tx) Incidents(f cadence.IncidentFilter) ([]*cadence.Incident, error) {
	var out []*cadence.Incident
	for _, k := range sortedInts(t.s.ops.incidents) {
		if v := t.s.ops.incidents[k]; f.Match(v) {
			out = append(out, v.Clone())
		}
	}
	return out, nil
}

func (t *tx) LastIncidentNumber() (int, error) { return lastKey(t.s.ops.incidents), nil }

// --- follow-ups ---

func (t *tx) FollowUp(n int) (*cadence.FollowUp, error) {
	v, ok := t.s.ops.followUps[n]
	if !ok {
		return nil, fmt.Errorf("follow-up %d: %w", n, cadence.ErrNotFound)
	}
	return v.Clone(), nil
}

func (t *tx) PutFollowUp(v *cadence.FollowUp) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if v.Number < 1 {
		return fmt.Errorf("put follow-up: number %d: %w", v.Number, cadence.ErrInvalidInput)
	}
	m := ensure(&t.s.ops.followUps)
	rememberInt(t, m, v.Number)
	m[v.Number] = v.Clone()
	return nil
}

func (t *tx) FollowUps(f cadence.FollowUpFilter) ([]*cadence.FollowUp, error) {
	var out []*cadence.FollowUp
	for _, k := range sortedInts(t.s.ops.followUps) {
		if v := t.s.ops.followUps[k]; f.Match(v) {
			out = append(out, v.Clone())
		}
	}
	return out, nil
}

func (t *tx) LastFollowUpNumber() (int, error) { return lastKey(t.s.ops.followUps), nil }

// --- releases ---

func (t *tx) Release(n int) (*cadence.Release, error) {
	v, ok := t.s.ops.releases[n]
	if !ok {
		return nil, fmt.Errorf("release %d: %w", n, cadence.ErrNotFound)
	}
	return v.Clone(), nil
}

func (t *tx) PutRelease(v *cadence.Release) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if v.Number < 1 {
		return fmt.Errorf("put release: number %d: %w", v.Number, cadence.ErrInvalidInput)
	}
	m := ensure(&t.s.ops.releases)
	rememberInt(t, m, v.Number)
	m[v.Number] = v.Clone()
	return nil
}

func (t *tx) Releases(f cadence.ReleaseFilter) ([]*cadence.Release, error) {
	var out []*cadence.Release
	for _, k := range sortedInts(t.s.ops.releases) {
		if v := t.s.ops.releases[k]; f.Match(v) {
			out = append(out, v.Clone())
		}
	}
	return out, nil
}

func (t *tx) LastReleaseNumber() (int, error) { return lastKey(t.s.ops.releases), nil }

// --- audit ---

func (t *tx) AppendAudit(e *cadence.AuditEntry) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if want := uint64(len(t.s.ops.audit)) + 1; e.Seq != want {
		return fmt.Errorf("append audit entry %d: the next entry is %d: %w", e.Seq, want, cadence.ErrConflict)
	}
	n := len(t.s.ops.audit)
	t.s.ops.audit = append(t.s.ops.audit, e.Clone())
	t.undo = append(t.undo, func() { t.s.ops.audit = t.s.ops.audit[:n] })
	return nil
}

func (t *tx) LastAudit() (*cadence.AuditEntry, error) {
	if len(t.s.ops.audit) == 0 {
		return nil, fmt.Errorf("audit log is empty: %w", cadence.ErrNotFound)
	}
	return t.s.ops.audit[len(t.s.ops.audit)-1].Clone(), nil
}

func (t *tx) AuditEntries(from uint64, limit int) ([]*cadence.AuditEntry, error) {
	var out []*cadence.AuditEntry
	for _, e := range t.s.ops.audit {
		if e.Seq < from {
			continue
		}
		if limit > 0 && len(out) == limit {
			break
		}
		out = append(out, e.Clone())
	}
	return out, nil
}

// TamperAudit changes a stored audit entry in place, bypassing the
// append-only contract, so tests can check that VerifyAudit notices.
// remove drops the entry instead.
func (s *Store) TamperAudit(seq uint64, remove bool, change func(*cadence.AuditEntry)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range s.ops.audit {
		if e.Seq != seq {
			continue
		}
		if remove {
			s.ops.audit = append(s.ops.audit[:i:i], s.ops.audit[i+1:]...)
			return
		}
		change(e)
		return
	}
}
