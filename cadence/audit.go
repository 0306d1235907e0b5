package cadence

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// AuditOutcome says whether the audited action took effect.
type AuditOutcome string

const (
	AuditDone    AuditOutcome = "done"
	AuditRefused AuditOutcome = "refused" // bad input or not allowed; nothing changed
)

// AuditEntry is one line of the append-only audit log. Entries form a hash
// chain: Hash covers the entry's canonical encoding, which includes the
// previous entry's hash, so changing or removing any entry breaks every
// hash after it (see VerifyAuditChain).
type AuditEntry struct {
	Seq     uint64 // 1, 2, 3, ... without gaps
	At      time.Time
	Actor   string // person ID
	Action  string // "incident.open", "release.approve", "ritual.pause", ...
	Target  string // "INC-3", "FU-7", "REL-2", "ritual:triage"
	Outcome AuditOutcome
	// Reason is why a refused action was refused.
	Reason  string
	Details map[string]string
	Prev    string // hex SHA-256 of the previous entry; "" for the first
	Hash    string // hex SHA-256 of this entry's canonical encoding
}

// Clone returns a deep copy of e.
func (e *AuditEntry) Clone() *AuditEntry {
	if e == nil {
		return nil
	}
	c := *e
	if e.Details != nil {
		c.Details = make(map[string]string, len(e.Details))
		for k, v := range e.Details {
			c.Details[k] = v
		}
	}
	return &c
}

// AuditTx stores the audit log. It has no update or delete: entries are
// only ever appended.
type AuditTx interface {
	// AppendAudit stores e. e.Seq must be one more than the last entry's
	// (1 for the first); anything else is ErrConflict.
	AppendAudit(e *AuditEntry) error
	// LastAudit returns the newest entry, or ErrNotFound when the log is
	// empty.
	LastAudit() (*AuditEntry, error)
	// AuditEntries lists entries with Seq >= from in Seq order, at most
	// limit of them (0: no limit).
	AuditEntries(from uint64, limit int) ([]*AuditEntry, error)
}

// auditFormat versions the canonical encoding; a future change of it
// starts a new prefix so old entries still verify.
const auditFormat = "cadencebot-audit-v1"

// CanonicalAudit is the byte string an entry's hash covers: the format
// tag, then every field except Hash as <decimal length>:<bytes>\n, with
// Details as a count followed by key, value pairs in key order. Times are
// RFC 3339 with nanoseconds in UTC. Length prefixes make the encoding
// unambiguous, so no two different entries encode alike.
func CanonicalAudit(e *AuditEntry) []byte {
	var b []byte
	field := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
		b = append(b, '\n')
	}
	field(auditFormat)
	field(strconv.FormatUint(e.Seq, 10))
	field(e.At.UTC().Format(time.RFC3339Nano))
	field(e.Actor)
	field(e.Action)
	field(e.Target)
	field(string(e.Outcome))
	field(e.Reason)
	keys := sortedKeys(e.Details)
	field(strconv.Itoa(len(keys)))
	for _, k := range keys {
		field(k)
		field(e.Details[k])
	}
	field(e.Prev)
	return b
}

// AuditHash is the hex SHA-256 of CanonicalAudit(e).
func AuditHash(e *AuditEntry) string {
	sum := sha256.Sum256(CanonicalAudit(e))
	return hex.EncodeToString(sum[:])
}

// ErrAuditTampered is wrapped by VerifyAuditChain's errors.
var ErrAuditTampered = errors.New("audit log does not verify")

// AuditVerification is the result of checking the whole log.
type AuditVerification struct {
	Entries int
	// Head is the last entry's hash. Writing it down (a ticket, a
	// release note) lets a later check detect that the newest entries
	// were cut off, which the chain alone cannot show.
	Head string
}

// VerifyAuditChain checks entries in order: sequence numbers from 1
// without gaps, each Prev equal to the previous Hash, each Hash equal to
// the hash of the entry's content. The first failure is reported with
// the sequence number where the chain breaks.
func VerifyAuditChain(entries []*AuditEntry) (AuditVerification, error) {
	var v AuditVerification
	prev := ""
	for i, e := range entries {
		want := uint64(i + 1)
		switch {
		case e.Seq != want:
			return v, fmt.Errorf("entry %d: expected sequence number %d here: an entry was removed or inserted: %w", e.Seq, want, ErrAuditTampered)
		case e.Prev != prev:
			return v, fmt.Errorf("entry %d: its previous-hash does not match entry %d: the chain was broken: %w", e.Seq, e.Seq-1, ErrAuditTampered)
		case AuditHash(e) != e.Hash:
			return v, fmt.Errorf("entry %d: its content does not match its hash: the entry was modified: %w", e.Seq, ErrAuditTampered)
		}
		prev = e.Hash
		v.Entries++
	}
	v.Head = prev
	return v, nil
}

// VerifyAudit reads the whole audit log from tx and verifies its chain.
func VerifyAudit(tx AuditTx) (AuditVerification, error) {
	entries, err := tx.AuditEntries(1, 0)
	if err != nil {
		return AuditVerification{}, fmt.Errorf("read audit log: %w", err)
	}
	return VerifyAuditChain(entries)
}

// ReadAudit lists the entries recorded at or after since (zero: all), in
// order. It reads only; VerifyAudit checks the chain.
func ReadAudit(tx AuditTx, since time.Time) ([]*AuditEntry, error) {
	entries, err := tx.AuditEntries(1, 0)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	if since.IsZero() {
		return entries, nil
	}
	out := entries[:0]
	for _, e := range entries {
		if !e.At.Before(since) {
			out = append(out, e)
		}
	}
	return out, nil
}

// AppendAudit adds an entry after the current last one, filling Seq, Prev
// and Hash. It is how every audited change is recorded, inside the same
// transaction as the change itself.
func AppendAudit(tx AuditTx, e AuditEntry) (*AuditEntry, error) {
	last, err := tx.LastAudit()
	switch {
	case errors.Is(err, ErrNotFound):
		e.Seq, e.Prev = 1, ""
	case err != nil:
		return nil, fmt.Errorf("read last audit entry: %w", err)
	default:
		e.Seq, e.Prev = last.Seq+1, last.Hash
	}
	if e.Outcome == "" {
		e.Outcome = AuditDone
	}
	e.At = e.At.UTC()
	e.Hash = AuditHash(&e)
	if err := tx.AppendAudit(&e); err != nil {
		return nil, fmt.Errorf("append audit entry %d: %w", e.Seq, err)
	}
	return &e, nil
}
