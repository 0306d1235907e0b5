package postgres

import (
	"errors"
	"fmt"

	"github.com/cadencebot/cadencebot/cadence"
)

// The MLOps aggregates share one shape: a positive number and a doc.
// Filters are the domain's own Match, so both stores select alike.

func putNumbered(t *tx, what, table string, n int, v any) error {
	if err := t.checkWritable("put " + what); err != nil {
		return err
	}
	if n < 1 {
		return fmt.Errorf("put %s: number %d: %w", what, n, cadence.ErrInvalidInput)
	}
	doc, err := encode("put "+what, v)
	if err != nil {
		return err
	}
	return t.exec(fmt.Sprintf("put %s %d", what, n), "INSERT INTO "+table+` (number, doc) VALUES ($1, $2)
		ON CONFLICT (number) DO UPDATE SET doc = excluded.doc`, n, doc)
}

func lastNumber(t *tx, what, table string) (int, error) {
	var n int
	if err := t.tx.QueryRow(t.ctx, "SELECT coalesce(max(number), 0) FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("last %s number: %w", what, err)
	}
	return n, nil
}

func listMatching[T any](t *tx, what, table string, match func(*T) bool) ([]*T, error) {
	all, err := listDocs[T](t, what+"s", "SELECT doc FROM "+table+" ORDER BY number")
	if err != nil {
		return nil, err
	}
	var out []*T
	for _, v := range all {
		if match(v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func (t *tx) Incident(n int) (*cadence.Incident, error) {
	var v cadence.Incident
	if err := t.getDoc(fmt.Sprintf("incident %d", n), &v, "SELECT doc FROM incidents WHERE number = $1", n); err != nil {
		return nil, err
	}
	return &v, nil
}

func (t *tx) PutIncident(v *cadence.Incident) error {
	return putNumbered(t, "incident", "incidents", v.Number, v)
}

func (t *tx) Incidents(f cadence.IncidentFilter) ([]*cadence.Incident, error) {
	return listMatching(t, "incident", "incidents", f.Match)
}

func (t *tx) LastIncidentNumber() (int, error) { return lastNumber(t, "incident", "incidents") }

func (t *tx) FollowUp(n int) (*cadence.FollowUp, error) {
	var v cadence.FollowUp
	if err := t.getDoc(fmt.Sprintf("follow-up %d", n), &v, "SELECT doc FROM follow_ups WHERE number = $1", n); err != nil {
		return nil, err
	}
	return &v, nil
}

func (t *tx) PutFollowUp(v *cadence.FollowUp) error {
	return putNumbered(t, "follow-up", "follow_ups", v.Number, v)
}

func (t *tx) FollowUps(f cadence.FollowUpFilter) ([]*cadence.FollowUp, error) {
	return listMatching(t, "follow-up", "follow_ups", f.Match)
}

func (t *tx) LastFollowUpNumber() (int, error) { return lastNumber(t, "follow-up", "follow_ups") }

func (t *tx) Release(n int) (*cadence.Release, error) {
	var v cadence.Release
	if err := t.getDoc(fmt.Sprintf("release %d", n), &v, "SELECT doc FROM releases WHERE number = $1", n); err != nil {
		return nil, err
	}
	return &v, nil
}

func (t *tx) PutRelease(v *cadence.Release) error {
	return putNumbered(t, "release", "releases", v.Number, v)
}

func (t *tx) Releases(f cadence.ReleaseFilter) ([]*cadence.Release, error) {
	return listMatching(t, "release", "releases", f.Match)
}

func (t *tx) LastReleaseNumber() (int, error) { return lastNumber(t, "release", "releases") }

// --- audit ---

func (t *tx) AppendAudit(e *cadence.AuditEntry) error {
	if err := t.checkWritable("append audit entry"); err != nil {
		return err
	}
	var last uint64
	if err := t.tx.QueryRow(t.ctx, "SELECT coalesce(max(seq), 0) FROM audit").Scan(&last); err != nil {
		return fmt.Errorf("append audit entry %d: %w", e.Seq, err)
	}
	if e.Seq != last+1 {
		return fmt.Errorf("append audit entry %d: the next entry is %d: %w", e.Seq, last+1, cadence.ErrConflict)
	}
	doc, err := encode("append audit entry", e)
	if err != nil {
		return err
	}
	return t.exec(fmt.Sprintf("append audit entry %d", e.Seq), "INSERT INTO audit (seq, doc) VALUES ($1, $2)", int64(e.Seq), doc)
}

func (t *tx) LastAudit() (*cadence.AuditEntry, error) {
	var v cadence.AuditEntry
	err := t.getDoc("audit log is empty", &v, "SELECT doc FROM audit ORDER BY seq DESC LIMIT 1")
	if errors.Is(err, cadence.ErrNotFound) {
		return nil, fmt.Errorf("audit log is empty: %w", cadence.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func (t *tx) AuditEntries(from uint64, limit int) ([]*cadence.AuditEntry, error) {
	q := "SELECT doc FROM audit WHERE seq >= $1 ORDER BY seq"
	args := []any{int64(min(from, uint64(1)<<62))}
	if limit > 0 {
		q += " LIMIT $2"
		args = append(args, limit)
	}
	return listDocs[cadence.AuditEntry](t, "audit entries", q, args...)
}
