package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// ErrConflict: the target already holds data that is not the source's.
var ErrConflict = errors.New("the target already holds different data")

// ErrMismatch: after the copy, the target does not read back as the
// source (usually: the source changed during the copy).
var ErrMismatch = errors.New("the copy does not match the source")

// Dump is a logical dump of a store: per kind, each record's key and the
// SHA-256 of its JSON as read through cadence.Tx. Two stores holding the
// same data have equal dumps, whatever the database.
type Dump map[string]map[string][sha256.Size]byte

// Count is how many records of a kind.
type Count struct {
	Kind string
	// Source is how many the source holds, Copied how many this run
	// wrote, Present how many the target already had (an earlier run).
	Source, Copied, Present int
}

// Result says what Copy did.
type Result struct {
	Counts []Count
	// Audit is the target's audit chain, verified after the copy; its
	// head is the source's.
	Audit cadence.AuditVerification
}

// batchSize records are written per target transaction.
const batchSize = 500

// Copy makes dst hold everything src holds, then checks it does. It is
// safe to rerun: records the target already holds identically are left
// alone, so an interrupted copy finishes and a finished one writes
// nothing. A target holding any record that differs from the source's, or
// that the source lacks, is refused before anything is written.
func Copy(ctx context.Context, src, dst cadence.Store) (*Result, error) {
	before, err := TakeDump(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("read the source: %w", err)
	}
	have, err := TakeDump(ctx, dst)
	if err != nil {
		return nil, fmt.Errorf("read the target: %w", err)
	}
	if err := conflicts(before, have); err != nil {
		return nil, err
	}
	res := &Result{}
	err = src.View(ctx, func(stx cadence.Tx) error {
		l, err := lister(stx)
		if err != nil {
			return err
		}
		for _, k := range Kinds {
			c := Count{Kind: k.Name}
			var batch []any
			flush := func() error {
				if len(batch) == 0 {
					return nil
				}
				err := dst.Update(ctx, func(dtx cadence.Tx) error {
					for _, v := range batch {
						if err := k.Put(dtx, v); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					return fmt.Errorf("write %s: %w", k.Name, err)
				}
				c.Copied += len(batch)
				batch = batch[:0]
				return nil
			}
			err := k.Each(stx, l, func(r Record) error {
				c.Source++
				if _, ok := have[k.Name][r.Key]; ok {
					c.Present++
					return nil
				}
				batch = append(batch, r.Value)
				if len(batch) == batchSize {
					return flush()
				}
				return nil
			})
			if err == nil {
				err = flush()
			}
			if err != nil {
				return fmt.Errorf("%s: %w", k.Name, err)
			}
			res.Counts = append(res.Counts, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if res.Audit, err = Verify(ctx, src, dst); err != nil {
		return nil, err
	}
	return res, nil
}

// Verify compares full logical dumps of both stores and checks the
// target's audit chain and that its head is the source's.
func Verify(ctx context.Context, src, dst cadence.Store) (cadence.AuditVerification, error) {
	var v cadence.AuditVerification
	a, err := TakeDump(ctx, src)
	if err != nil {
		return v, fmt.Errorf("verify: read the source: %w", err)
	}
	b, err := TakeDump(ctx, dst)
	if err != nil {
		return v, fmt.Errorf("verify: read the target: %w", err)
	}
	if d := a.Diff(b); d != "" {
		return v, fmt.Errorf("%w: %s (did a bot write to the source meanwhile? stop every bot using it and rerun)", ErrMismatch, d)
	}
	var srcHead cadence.AuditVerification
	if err := src.View(ctx, func(tx cadence.Tx) error { srcHead, err = cadence.VerifyAudit(tx); return err }); err != nil {
		// Copied as is: a broken chain stays broken, and is said so.
		return v, fmt.Errorf("verify: the source's audit chain: %w", err)
	}
	if err := dst.View(ctx, func(tx cadence.Tx) error { v, err = cadence.VerifyAudit(tx); return err }); err != nil {
		return v, fmt.Errorf("verify: the target's audit chain: %w", err)
	}
	if v != srcHead {
		return v, fmt.Errorf("%w: audit chain: target has %d entries, head %s; source %d, head %s", ErrMismatch, v.Entries, v.Head, srcHead.Entries, srcHead.Head)
	}
	return v, nil
}

// TakeDump reads every record of st in one transaction.
func TakeDump(ctx context.Context, st cadence.Store) (Dump, error) {
	d := Dump{}
	err := st.View(ctx, func(tx cadence.Tx) error {
		l, err := lister(tx)
		if err != nil {
			return err
		}
		for _, k := range Kinds {
			m := map[string][sha256.Size]byte{}
			err := k.Each(tx, l, func(r Record) error {
				b, err := json.Marshal(r.Value)
				if err != nil {
					return fmt.Errorf("%s %q: %w", k.Name, r.Key, err)
				}
				m[r.Key] = sha256.Sum256(b)
				return nil
			})
			if err != nil {
				return fmt.Errorf("%s: %w", k.Name, err)
			}
			d[k.Name] = m
		}
		return nil
	})
	return d, err
}

// Len is how many records of kind the dump holds.
func (d Dump) Len(kind string) int { return len(d[kind]) }

// Diff describes how other differs from d ("" when they are equal): the
// counts per kind that differ, and the first few keys.
func (d Dump) Diff(other Dump) string {
	var out []string
	for _, k := range Kinds {
		a, b := d[k.Name], other[k.Name]
		var keys []string
		for key, h := range a {
			if hb, ok := b[key]; !ok || hb != h {
				keys = append(keys, key)
			}
		}
		for key := range b {
			if _, ok := a[key]; !ok {
				keys = append(keys, key)
			}
		}
		if len(keys) > 0 {
			slices.Sort(keys)
			out = append(out, fmt.Sprintf("%s: %d and %d, %d differ (%s)", k.Name, len(a), len(b), len(keys), sample(keys)))
		}
	}
	return strings.Join(out, "; ")
}

// conflicts refuses a target holding a record the source lacks or holds
// differently: copying into it would mix two histories.
func conflicts(src, dst Dump) error {
	var out []string
	for _, k := range Kinds {
		var differ, extra []string
		for key, h := range dst[k.Name] {
			hs, ok := src[k.Name][key]
			switch {
			case !ok:
				extra = append(extra, key)
			case hs != h:
				differ = append(differ, key)
			}
		}
		if len(differ) > 0 {
			slices.Sort(differ)
			out = append(out, fmt.Sprintf("%d %s differ from the source's (%s)", len(differ), k.Name, sample(differ)))
		}
		if len(extra) > 0 {
			slices.Sort(extra)
			out = append(out, fmt.Sprintf("%d %s are not in the source (%s)", len(extra), k.Name, sample(extra)))
		}
	}
	if len(out) > 0 {
		return fmt.Errorf("%w: %s; nothing was written: copy into an empty database, or the one an earlier run of this copy filled", ErrConflict, strings.Join(out, "; "))
	}
	return nil
}

func sample(keys []string) string {
	const n = 3
	for i, k := range keys {
		keys[i] = strings.ReplaceAll(k, "\x00", "/")
	}
	if len(keys) > n {
		return strings.Join(keys[:n], ", ") + ", …"
	}
	return strings.Join(keys, ", ")
}

func lister(tx cadence.Tx) (Lister, error) {
	l, ok := tx.(Lister)
	if !ok {
		return nil, fmt.Errorf("store transaction %T cannot list its records", tx)
	}
	return l, nil
}
