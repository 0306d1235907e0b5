package store

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

type auditRecord struct {
	Seq     uint64            `json:"seq"`
	At      time.Time         `json:"at"`
	Actor   string            `json:"actor"`
	Action  string            `json:"action"`
	Target  string            `json:"target"`
	Outcome string            `json:"outcome"`
	Reason  string            `json:"reason,omitempty"`
	Details map[string]string `json:"details,omitempty"`
	Prev    string            `json:"prev"`
	Hash    string            `json:"hash"`
}

func (r *auditRecord) domain() *cadence.AuditEntry {
	return &cadence.AuditEntry{
		Seq: r.Seq, At: r.At, Actor: r.Actor, Action: r.Action, Target: r.Target,
		Outcome: cadence.AuditOutcome(r.Outcome), Reason: r.Reason, Details: r.Details, Prev: r.Prev, Hash: r.Hash,
	}
}

// AppendAudit stores e after the last entry. There is no way to change or
// delete an entry through the store; VerifyAudit detects edits made to
// the file by other means.
func (t *tx) AppendAudit(e *cadence.AuditEntry) error {
	if err := t.writable("append audit entry"); err != nil {
		return err
	}
	b, err := t.bucket(bucketAudit)
	if err != nil {
		return err
	}
	var last uint64
	if k, _ := b.Cursor().Last(); k != nil {
		if len(k) != 8 {
			return fmt.Errorf("audit key %x is not a sequence number: %w", k, ErrCorrupt)
		}
		last = binary.BigEndian.Uint64(k)
	}
	if e.Seq != last+1 {
		return fmt.Errorf("append audit entry %d: the next entry is %d: %w", e.Seq, last+1, cadence.ErrConflict)
	}
	return putJSON(b, seqKey(e.Seq), auditRecord{
		Seq: e.Seq, At: utc(e.At), Actor: e.Actor, Action: e.Action, Target: e.Target,
		Outcome: string(e.Outcome), Reason: e.Reason, Details: e.Details, Prev: e.Prev, Hash: e.Hash,
	})
}

func (t *tx) LastAudit() (*cadence.AuditEntry, error) {
	b, err := t.bucket(bucketAudit)
	if err != nil {
		return nil, err
	}
	k, v := b.Cursor().Last()
	if k == nil {
		return nil, fmt.Errorf("audit log is empty: %w", cadence.ErrNotFound)
	}
	var r auditRecord
	if err := decode(k, v, &r); err != nil {
		return nil, err
	}
	return r.domain(), nil
}

func (t *tx) AuditEntries(from uint64, limit int) ([]*cadence.AuditEntry, error) {
	b, err := t.bucket(bucketAudit)
	if err != nil {
		return nil, err
	}
	var out []*cadence.AuditEntry
	c := b.Cursor()
	for k, v := c.Seek(seqKey(from)); k != nil; k, v = c.Next() {
		if limit > 0 && len(out) == limit {
			break
		}
		var r auditRecord
		if err := decode(k, v, &r); err != nil {
			return nil, err
		}
		out = append(out, r.domain())
	}
	return out, nil
}
