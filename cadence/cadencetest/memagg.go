package cadencetest

import (
	"fmt"
	"sort"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// memAgg holds the aggregates of the in-memory store.
type memAgg struct {
	occ   map[string]*cadence.OccurrenceAggregate
	weeks map[string]*cadence.WeekAggregate // weekKey
}

func weekKey(week time.Time, ritual, person string) string {
	return week.UTC().Format(time.RFC3339) + "\x00" + ritual + "\x00" + person
}

func (t *tx) aggs() *memAgg {
	if t.s.agg.occ == nil {
		t.s.agg.occ = map[string]*cadence.OccurrenceAggregate{}
		t.s.agg.weeks = map[string]*cadence.WeekAggregate{}
	}
	return &t.s.agg
}

func (t *tx) OccurrenceAggregate(id string) (*cadence.OccurrenceAggregate, error) {
	a, ok := t.aggs().occ[id]
	if !ok {
		return nil, fmt.Errorf("aggregate of %q: %w", id, cadence.ErrNotFound)
	}
	return a.Clone(), nil
}

func (t *tx) PutOccurrenceAggregate(a *cadence.OccurrenceAggregate) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if a.OccurrenceID == "" {
		return fmt.Errorf("put occurrence aggregate: empty id: %w", cadence.ErrInvalidInput)
	}
	m := t.aggs().occ
	remember(t, m, a.OccurrenceID)
	c := a.Clone()
	c.Scheduled = c.Scheduled.UTC()
	m[a.OccurrenceID] = c
	return nil
}

func (t *tx) DeleteOccurrenceAggregate(id string) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	m := t.aggs().occ
	remember(t, m, id)
	delete(m, id)
	return nil
}

func (t *tx) OccurrenceAggregates(from, to time.Time) ([]*cadence.OccurrenceAggregate, error) {
	var out []*cadence.OccurrenceAggregate
	for _, a := range t.aggs().occ {
		if (!from.IsZero() && a.Scheduled.Before(from)) || (!to.IsZero() && !a.Scheduled.Before(to)) {
			continue
		}
		out = append(out, a.Clone())
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Scheduled.Equal(out[j].Scheduled) {
			return out[i].Scheduled.Before(out[j].Scheduled)
		}
		return out[i].OccurrenceID < out[j].OccurrenceID
	})
	return out, nil
}

func (t *tx) WeekAggregate(week time.Time, ritual, person string) (*cadence.WeekAggregate, error) {
	w, ok := t.aggs().weeks[weekKey(week, ritual, person)]
	if !ok {
		return nil, fmt.Errorf("week aggregate %s %s %s: %w", week.Format("2006-01-02"), ritual, person, cadence.ErrNotFound)
	}
	return w.Clone(), nil
}

func (t *tx) PutWeekAggregate(w *cadence.WeekAggregate) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if w.RitualID == "" || w.PersonID == "" || w.Week.IsZero() {
		return fmt.Errorf("put week aggregate: want week, ritual and person: %w", cadence.ErrInvalidInput)
	}
	m := t.aggs().weeks
	k := weekKey(w.Week, w.RitualID, w.PersonID)
	remember(t, m, k)
	if w.Empty() {
		delete(m, k)
		return nil
	}
	c := w.Clone()
	c.Week = c.Week.UTC()
	m[k] = c
	return nil
}

func (t *tx) EachWeekAggregate(from, to time.Time, fn func(*cadence.WeekAggregate) error) error {
	m := t.aggs().weeks
	keys := make([]string, 0, len(m))
	for k, w := range m {
		if (!from.IsZero() && w.Week.Before(from)) || (!to.IsZero() && !w.Week.Before(to)) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := fn(m[k].Clone()); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) ClearAggregates() error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	old := t.s.agg
	t.undo = append(t.undo, func() { t.s.agg = old })
	t.s.agg = memAgg{occ: map[string]*cadence.OccurrenceAggregate{}, weeks: map[string]*cadence.WeekAggregate{}}
	return nil
}
