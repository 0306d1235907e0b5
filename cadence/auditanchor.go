package cadence

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A hash chain alone proves nothing to someone who can rewrite the whole
// file: drop an entry, change an approver, recompute every hash after it,
// and the chain verifies again. Two anchors outside the file catch that:
//
//   - a head written down earlier (`cadencebot audit head`, in a ticket or
//     a release note): the log must still contain that exact hash
//     (AuditExtends), so nothing up to it was changed or removed;
//   - signed checkpoints: the bot signs (entry number, head) with an
//     Ed25519 key it reads from the environment, writes the signature to
//     the log and posts it with the weekly digest. Whoever kept the public
//     key checks every checkpoint in the log against the chain
//     (VerifyAuditCheckpoints); a rewrite cannot re-sign them.

// ActionAuditCheckpoint is the audit action of a signed checkpoint.
const ActionAuditCheckpoint = "audit.checkpoint"

// AuditCheckpointActor is the actor of checkpoints: the bot itself.
const AuditCheckpointActor = "cadencebot"

// auditCheckpointFormat versions the signed message.
const auditCheckpointFormat = "cadencebot-audit-checkpoint-v1"

// AuditCheckpointMessage is what a checkpoint signs: the format tag, the
// number of the last entry it covers and that entry's hash.
func AuditCheckpointMessage(seq uint64, head string) []byte {
	return []byte(auditCheckpointFormat + "\n" + strconv.FormatUint(seq, 10) + "\n" + head + "\n")
}

// ParseAuditSigningKey reads an Ed25519 private key given as base64 (std
// or URL alphabet, padded or not) of its 32-byte seed or 64-byte form.
func ParseAuditSigningKey(s string) (ed25519.PrivateKey, error) {
	b, err := decodeKey(s)
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	switch len(b) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(b), nil
	case ed25519.PrivateKeySize:
		k := ed25519.PrivateKey(b)
		if !ed25519.NewKeyFromSeed(k.Seed()).Equal(k) {
			return nil, errors.New("audit signing key: the 64 bytes are not a consistent Ed25519 private key")
		}
		return k, nil
	}
	return nil, fmt.Errorf("audit signing key: want base64 of a 32-byte Ed25519 seed (or the 64-byte key), got %d bytes", len(b))
}

// ParseAuditPublicKey reads a base64 Ed25519 public key.
func ParseAuditPublicKey(s string) (ed25519.PublicKey, error) {
	b, err := decodeKey(s)
	if err != nil {
		return nil, fmt.Errorf("audit public key: %w", err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("audit public key: want base64 of 32 bytes, got %d bytes", len(b))
	}
	return ed25519.PublicKey(b), nil
}

// EncodeAuditKey is the base64 form keys are printed and read in.
func EncodeAuditKey(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// AppendAuditCheckpoint signs the current head with key and appends the
// checkpoint entry, in tx. An empty log is checkpointed as entry 0.
func AppendAuditCheckpoint(tx AuditTx, now time.Time, key ed25519.PrivateKey) (*AuditEntry, error) {
	var seq uint64
	head := ""
	last, err := tx.LastAudit()
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("read last audit entry: %w", err)
	default:
		seq, head = last.Seq, last.Hash
	}
	sig := ed25519.Sign(key, AuditCheckpointMessage(seq, head))
	return AppendAudit(tx, AuditEntry{At: now, Actor: AuditCheckpointActor, Action: ActionAuditCheckpoint, Target: "audit",
		Details: map[string]string{
			"seq": strconv.FormatUint(seq, 10), "head": head,
			"signature": EncodeAuditKey(sig), "public_key": EncodeAuditKey(key.Public().(ed25519.PublicKey)),
		}})
}

// AuditExtends checks that entries (the whole log, in order) still hold
// head, a hash written down earlier: the entries up to it are as they
// were then. Verify the chain first; this only finds the head in it.
func AuditExtends(entries []*AuditEntry, head string) error {
	head = strings.ToLower(strings.TrimSpace(head))
	if len(head) != 64 {
		return fmt.Errorf("--expect: want the full 64-character head that `cadencebot audit head` printed, got %d characters", len(head))
	}
	for _, e := range entries {
		if e.Hash == head {
			return nil
		}
	}
	return fmt.Errorf("no entry of the log has the hash %s written down earlier: entries up to it were changed, removed or the log was cut short: %w", head, ErrAuditTampered)
}

// VerifyAuditCheckpoints checks every checkpoint in entries (the whole
// log, in order, its chain verified) against pub: its signature over
// (seq, head), and that entry seq of this log still has that head. It
// returns how many checkpoints it checked.
func VerifyAuditCheckpoints(entries []*AuditEntry, pub ed25519.PublicKey) (int, error) {
	n := 0
	for _, e := range entries {
		if e.Action != ActionAuditCheckpoint {
			continue
		}
		d := e.Details
		seq, err := strconv.ParseUint(d["seq"], 10, 64)
		if err != nil {
			return n, fmt.Errorf("entry %d: checkpoint without an entry number: %w", e.Seq, ErrAuditTampered)
		}
		sig, err := decodeKey(d["signature"])
		if err != nil || !ed25519.Verify(pub, AuditCheckpointMessage(seq, d["head"]), sig) {
			return n, fmt.Errorf("entry %d: the checkpoint's signature does not verify with this public key (forged, or signed with another key): %w", e.Seq, ErrAuditTampered)
		}
		want := ""
		if seq > 0 {
			if seq >= e.Seq || seq > uint64(len(entries)) {
				return n, fmt.Errorf("entry %d: checkpoint of entry %d, which does not come before it: %w", e.Seq, seq, ErrAuditTampered)
			}
			want = entries[seq-1].Hash
		}
		if d["head"] != want {
			return n, fmt.Errorf("entry %d: the signed checkpoint says entry %d had hash %s, the log now has %s: entries up to %d were rewritten: %w",
				e.Seq, seq, d["head"], want, seq, ErrAuditTampered)
		}
		n++
	}
	return n, nil
}

// EnvAuditSigningKey holds the bot's checkpoint signing key (base64 of an
// Ed25519 seed). Without it no checkpoint is written.
const EnvAuditSigningKey = "CADENCEBOT_AUDIT_SIGNING_KEY"
