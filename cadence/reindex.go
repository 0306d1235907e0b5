package cadence

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The aggregates' state lives in the KV space under a domain namespace:
// the version they were built for, absent until the first Reindex.
const (
	aggregateNS    = "cadence"
	aggregateState = "aggregates"
)

// AggregatesReady reports whether tx's aggregates were built for this
// AggregateVersion. Readers use them only then and read the facts
// otherwise: a store being migrated or reindexed never shows wrong
// figures.
func AggregatesReady(tx Tx) (bool, error) {
	raw, err := tx.Get(aggregateNS, aggregateState)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("aggregate state: %w", err)
	}
	return string(raw) == strconv.Itoa(AggregateVersion), nil
}

// ReindexStats says what a Reindex read and wrote.
type ReindexStats struct {
	Occurrences, Answers int // facts read
	Aggregated           int // final occurrences aggregated
	Weeks                int // week aggregates written
}

// Reindex rebuilds every aggregate from the facts, in tx (one
// transaction: readers see the old figures or the new, never half), a
// week of occurrences at a time so memory stays bounded, then marks the
// aggregates ready. tx must be the store's own, not WithAggregates'.
func Reindex(tx Tx) (ReindexStats, error) {
	var st ReindexStats
	if err := tx.ClearAggregates(); err != nil {
		return st, fmt.Errorf("clear aggregates: %w", err)
	}
	first, err := tx.Occurrences(OccurrenceFilter{Limit: 1})
	if err != nil {
		return st, fmt.Errorf("reindex: first occurrence: %w", err)
	}
	last, err := tx.Occurrences(OccurrenceFilter{Limit: 1, Newest: true})
	if err != nil {
		return st, fmt.Errorf("reindex: last occurrence: %w", err)
	}
	if len(first) > 0 {
		end := WeekOf(last[0].Scheduled).AddDate(0, 0, 7)
		for week := WeekOf(first[0].Scheduled); week.Before(end); week = week.AddDate(0, 0, 7) {
			if err := reindexWeek(tx, week, &st); err != nil {
				return st, fmt.Errorf("reindex week of %s: %w", week.Format("2006-01-02"), err)
			}
		}
	}
	if err := tx.Put(aggregateNS, aggregateState, []byte(strconv.Itoa(AggregateVersion))); err != nil {
		return st, fmt.Errorf("mark aggregates ready: %w", err)
	}
	return st, nil
}

// reindexWeek aggregates the occurrences scheduled in one ISO week: the
// week aggregates are complete when it ends, so each is written once.
func reindexWeek(tx Tx, week time.Time, st *ReindexStats) error {
	to := week.AddDate(0, 0, 7)
	occs, err := tx.Occurrences(OccurrenceFilter{From: week, To: to})
	if err != nil {
		return err
	}
	st.Occurrences += len(occs)
	if len(occs) == 0 {
		return nil
	}
	subs, err := tx.SubmissionsBetween(week, to)
	if err != nil {
		return err
	}
	st.Answers += len(subs)
	byOcc := map[string]map[string]*Answer{}
	for _, a := range subs {
		if byOcc[a.OccurrenceID] == nil {
			byOcc[a.OccurrenceID] = map[string]*Answer{}
		}
		byOcc[a.OccurrenceID][a.PersonID] = a
	}
	weeks := map[[2]string]*WeekAggregate{}
	var order [][2]string
	for _, o := range occs {
		if !IsFinal(o.Status) {
			continue
		}
		st.Aggregated++
		oa := newOccurrenceAggregate(o)
		for _, f := range occurrenceFacts(o, byOcc[o.ID], time.Time{}, nil) {
			oa.addFact(o, f, +1)
			k := [2]string{o.RitualID, f.person}
			w := weeks[k]
			if w == nil {
				w = &WeekAggregate{Week: week, RitualID: o.RitualID, PersonID: f.person}
				weeks[k] = w
				order = append(order, k)
			}
			w.addFact(o.Scheduled, f, +1)
		}
		if err := tx.PutOccurrenceAggregate(oa); err != nil {
			return err
		}
	}
	for _, k := range order {
		if w := weeks[k]; !w.Empty() {
			if err := tx.PutWeekAggregate(w); err != nil {
				return err
			}
			st.Weeks++
		}
	}
	return nil
}

// EnsureAggregates reindexes s unless its aggregates are ready; stores
// call it on open, so a database from before aggregates (or from another
// AggregateVersion) gets them on its first start. rebuilt says whether it
// did.
func EnsureAggregates(ctx context.Context, s Store) (rebuilt bool, st ReindexStats, err error) {
	var ready bool
	if err := s.View(ctx, func(tx Tx) error {
		var err error
		ready, err = AggregatesReady(tx)
		return err
	}); err != nil {
		return false, st, err
	}
	if ready {
		return false, st, nil
	}
	err = s.Update(ctx, func(tx Tx) error {
		tx = Unwrap(tx)
		if ready, err := AggregatesReady(tx); err != nil || ready {
			return err // another process built them meanwhile
		}
		rebuilt = true
		var err error
		st, err = Reindex(tx)
		return err
	})
	return rebuilt && err == nil, st, err
}

// RebuildAggregates reindexes s in one transaction (`cadencebot reindex`).
func RebuildAggregates(ctx context.Context, s Store) (ReindexStats, error) {
	var st ReindexStats
	err := s.Update(ctx, func(tx Tx) error {
		var err error
		st, err = Reindex(Unwrap(tx))
		return err
	})
	return st, err
}

// Unwrap returns the store's own transaction under WithAggregates', for
// writes that must not keep aggregates (Reindex) or store-only extras.
func Unwrap(tx Tx) Tx {
	if at, ok := tx.(*aggTx); ok {
		return at.Tx
	}
	return tx
}
