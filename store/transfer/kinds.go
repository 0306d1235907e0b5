package transfer

import (
	"errors"
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Lister enumerates what cadence.Tx reads only by key. Both stores' Tx
// implement it.
type Lister interface {
	RitualStateIDs() ([]string, error)
	PersonStateIDs() ([]string, error)
	KVNamespaces() ([]string, error)
	// CompactedMessageKeys lists the messages Messages does not list
	// (compacted: their content dropped), in key order after after, at
	// most limit.
	CompactedMessageKeys(after string, limit int) ([]string, error)
}

// Record is one stored value and the key naming it within its kind.
type Record struct {
	Key   string
	Value any
}

// Kind is one aggregate of the store.
type Kind struct {
	Name string
	// Each calls fn with every record of the kind, in key order within
	// each page. It reads page by page, so history never sits in memory
	// whole.
	Each func(tx cadence.Tx, l Lister, fn func(Record) error) error
	// Put writes one record Each produced.
	Put func(tx cadence.Tx, v any) error
}

// page sizes: big enough to be cheap, small enough to stay in memory.
const (
	pageSize   = 1000
	windowSpan = 28 * 24 * time.Hour
)

// Kinds lists every aggregate in copy order: audit last, as the chain is
// appended in sequence.
var Kinds = []Kind{
	{
		Name: "ritual states",
		Each: func(tx cadence.Tx, l Lister, fn func(Record) error) error {
			ids, err := l.RitualStateIDs()
			if err != nil {
				return err
			}
			for _, id := range ids {
				v, err := tx.RitualState(id)
				if err != nil {
					return err
				}
				if err := fn(Record{id, v}); err != nil {
					return err
				}
			}
			return nil
		},
		Put: func(tx cadence.Tx, v any) error { return tx.PutRitualState(v.(*cadence.RitualState)) },
	},
	{
		Name: "occurrences",
		Each: func(tx cadence.Tx, _ Lister, fn func(Record) error) error {
			return eachWindow(tx, func(from, to time.Time) error {
				os, err := tx.Occurrences(cadence.OccurrenceFilter{From: from, To: to})
				if err != nil {
					return err
				}
				for _, o := range os {
					if err := fn(Record{o.ID, o}); err != nil {
						return err
					}
				}
				return nil
			})
		},
		Put: func(tx cadence.Tx, v any) error { return tx.PutOccurrence(v.(*cadence.Occurrence)) },
	},
	{
		Name: "answers",
		Each: func(tx cadence.Tx, _ Lister, fn func(Record) error) error {
			return eachWindow(tx, func(from, to time.Time) error {
				as, err := tx.AnswersBetween(from, to)
				if err != nil {
					return err
				}
				for _, a := range as {
					if err := fn(Record{a.OccurrenceID + " " + a.PersonID, a}); err != nil {
						return err
					}
				}
				return nil
			})
		},
		Put: func(tx cadence.Tx, v any) error { return tx.PutAnswer(v.(*cadence.Answer)) },
	},
	{
		// Figures an answer keeps up to date; copied as they are (Drawn
		// included), so the summary is not drawn again after the move.
		Name: "summaries",
		Each: func(tx cadence.Tx, _ Lister, fn func(Record) error) error {
			return eachWindow(tx, func(from, to time.Time) error {
				os, err := tx.Occurrences(cadence.OccurrenceFilter{From: from, To: to})
				if err != nil {
					return err
				}
				for _, o := range os {
					s, err := tx.Summary(o.ID)
					if errors.Is(err, cadence.ErrNotFound) {
						continue
					}
					if err != nil {
						return err
					}
					if err := fn(Record{o.ID, s}); err != nil {
						return err
					}
				}
				return nil
			})
		},
		Put: func(tx cadence.Tx, v any) error { return tx.PutSummary(v.(*cadence.SummaryState)) },
	},
	{
		Name: "outbox messages",
		Each: eachMessage,
		Put: func(tx cadence.Tx, v any) error {
			// PutMessage, not Enqueue: the message keeps its delivery state.
			return tx.PutMessage(v.(*cadence.Message))
		},
	},
	{
		Name: "person states",
		Each: func(tx cadence.Tx, l Lister, fn func(Record) error) error {
			ids, err := l.PersonStateIDs()
			if err != nil {
				return err
			}
			for _, id := range ids {
				v, err := tx.PersonState(id)
				if err != nil {
					return err
				}
				if err := fn(Record{id, v}); err != nil {
					return err
				}
			}
			return nil
		},
		Put: func(tx cadence.Tx, v any) error { return tx.PutPersonState(v.(*cadence.PersonState)) },
	},
	{
		// Rituals and people made from the web or chat (cadence.DefinitionTx).
		Name: "definitions",
		Each: func(tx cadence.Tx, _ Lister, fn func(Record) error) error {
			ds, err := tx.Definitions()
			if err != nil {
				return err
			}
			for _, d := range ds {
				if err := fn(Record{d.Key(), d}); err != nil {
					return err
				}
			}
			return nil
		},
		Put: func(tx cadence.Tx, v any) error { return tx.PutDefinition(v.(*cadence.Definition)) },
	},
	{
		Name: "key/value entries",
		Each: func(tx cadence.Tx, l Lister, fn func(Record) error) error {
			nss, err := l.KVNamespaces()
			if err != nil {
				return err
			}
			for _, ns := range nss {
				keys, err := tx.Keys(ns, "")
				if err != nil {
					return err
				}
				for _, k := range keys {
					v, err := tx.Get(ns, k)
					if err != nil {
						return err
					}
					if err := fn(Record{ns + "\x00" + k, &kvEntry{NS: ns, Key: k, Value: v}}); err != nil {
						return err
					}
				}
			}
			return nil
		},
		Put: func(tx cadence.Tx, v any) error { e := v.(*kvEntry); return tx.Put(e.NS, e.Key, e.Value) },
	},
	{
		Name: "incidents",
		Each: func(tx cadence.Tx, _ Lister, fn func(Record) error) error {
			vs, err := tx.Incidents(cadence.IncidentFilter{})
			return eachNumbered(vs, err, func(v *cadence.Incident) int { return v.Number }, fn)
		},
		Put: func(tx cadence.Tx, v any) error { return tx.PutIncident(v.(*cadence.Incident)) },
	},
	{
		Name: "follow-ups",
		Each: func(tx cadence.Tx, _ Lister, fn func(Record) error) error {
			vs, err := tx.FollowUps(cadence.FollowUpFilter{})
			return eachNumbered(vs, err, func(v *cadence.FollowUp) int { return v.Number }, fn)
		},
		Put: func(tx cadence.Tx, v any) error { return tx.PutFollowUp(v.(*cadence.FollowUp)) },
	},
	{
		Name: "releases",
		Each: func(tx cadence.Tx, _ Lister, fn func(Record) error) error {
			vs, err := tx.Releases(cadence.ReleaseFilter{})
			return eachNumbered(vs, err, func(v *cadence.Release) int { return v.Number }, fn)
		},
		Put: func(tx cadence.Tx, v any) error { return tx.PutRelease(v.(*cadence.Release)) },
	},
	{
		Name: "audit entries",
		Each: func(tx cadence.Tx, _ Lister, fn func(Record) error) error {
			for from := uint64(1); ; {
				es, err := tx.AuditEntries(from, pageSize)
				if err != nil {
					return err
				}
				for _, e := range es {
					if err := fn(Record{fmt.Sprintf("%020d", e.Seq), e}); err != nil {
						return err
					}
					from = e.Seq + 1
				}
				if len(es) < pageSize {
					return nil
				}
			}
		},
		// Appended as is: Prev and Hash are copied, so the chain and its
		// head are the source's.
		Put: func(tx cadence.Tx, v any) error { return tx.AppendAudit(v.(*cadence.AuditEntry)) },
	},
}

// kvEntry is one key/value pair with its namespace.
type kvEntry struct {
	NS, Key string
	Value   []byte
}

func eachNumbered[T any](vs []*T, err error, number func(*T) int, fn func(Record) error) error {
	if err != nil {
		return err
	}
	for _, v := range vs {
		if err := fn(Record{fmt.Sprintf("%010d", number(v)), v}); err != nil {
			return err
		}
	}
	return nil
}

// eachWindow calls fn for consecutive [from, to) windows that together
// cover all time: open-ended before the first occurrence and after the
// last, so answers of occurrences not stored are not missed either.
func eachWindow(tx cadence.Tx, fn func(from, to time.Time) error) error {
	first, err := tx.Occurrences(cadence.OccurrenceFilter{Limit: 1})
	if err != nil {
		return err
	}
	last, err := tx.Occurrences(cadence.OccurrenceFilter{Limit: 1, Newest: true})
	if err != nil {
		return err
	}
	if len(first) == 0 || len(last) == 0 {
		return fn(time.Time{}, time.Time{})
	}
	// A zero bound is "unbounded" to both filters.
	from := first[0].Scheduled
	if err := fn(time.Time{}, from); err != nil {
		return err
	}
	for ; !from.After(last[0].Scheduled); from = from.Add(windowSpan) {
		if err := fn(from, from.Add(windowSpan)); err != nil {
			return err
		}
	}
	return fn(from, time.Time{})
}

// eachMessage copies the listed messages, then the compacted ones.
func eachMessage(tx cadence.Tx, l Lister, fn func(Record) error) error {
	if err := eachListedMessage(tx, fn); err != nil {
		return err
	}
	// Compacted messages are not listed, yet kept: by key, page by page.
	for after := ""; ; {
		keys, err := l.CompactedMessageKeys(after, pageSize)
		if err != nil {
			return err
		}
		for _, k := range keys {
			m, err := tx.Message(k)
			if err != nil {
				return err
			}
			if err := fn(Record{k, m}); err != nil {
				return err
			}
		}
		if len(keys) < pageSize {
			return nil
		}
		after = keys[len(keys)-1]
	}
}

// eachListedMessage pages through the listed outbox by (CreatedAt, Key).
// Messages share a CreatedAt when one tick queues a fan-out, so a page
// that does not get past its first instant is read again with a bigger
// limit.
func eachListedMessage(tx cadence.Tx, fn func(Record) error) error {
	var since time.Time
	var lastKey string
	seen := false
	limit := pageSize
	for {
		ms, err := tx.Messages(cadence.MessageFilter{Since: since, Limit: limit})
		if err != nil {
			return err
		}
		asked := since
		for _, m := range ms {
			if seen && m.CreatedAt.Equal(since) && m.Key <= lastKey {
				continue // read on the previous page
			}
			if err := fn(Record{m.Key, m}); err != nil {
				return err
			}
			since, lastKey, seen = m.CreatedAt, m.Key, true
		}
		switch {
		case len(ms) < limit:
			return nil
		case ms[len(ms)-1].CreatedAt.Equal(asked):
			limit *= 2 // the whole page is one instant: read past it
		default:
			limit = pageSize
		}
	}
}
