package cadence

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// WithAggregates wraps a store's read-write transaction so that every
// write of a fact keeps the aggregates, in the same transaction. Stores
// call it in Update; the domain rules (what a fact adds) stay here.
//
// An answer to an open occurrence costs nothing extra: open occurrences
// are not aggregated. Closing (or missing, skipping) adds the
// occurrence's figures once; a late answer, a later excuse or any other
// change to a final occurrence applies only its difference.
func WithAggregates(tx Tx) Tx {
	if _, ok := tx.(*aggTx); ok {
		return tx
	}
	return &aggTx{Tx: tx, status: map[string]Status{}, final: map[string]*Occurrence{}}
}

type aggTx struct {
	Tx
	// status is the stored status of occurrences this transaction read or
	// wrote, so writes to open ones need no extra read.
	status map[string]Status
	// final holds copies of final occurrences written or looked up for an
	// answer here, so answers to them decode the occurrence once.
	final map[string]*Occurrence
}

func (t *aggTx) Occurrence(id string) (*Occurrence, error) {
	o, err := t.Tx.Occurrence(id)
	if err == nil {
		t.status[id] = o.Status
	}
	return o, err
}

// OccurrenceFor notes the status too: an answer to an open occurrence then
// writes without reading the whole occurrence (a thousand people's part).
func (t *aggTx) OccurrenceFor(id, person string) (*Occurrence, error) {
	o, err := t.Tx.OccurrenceFor(id, person)
	if err == nil {
		t.status[id] = o.Status
	}
	return o, err
}

func (t *aggTx) Occurrences(f OccurrenceFilter) ([]*Occurrence, error) {
	os, err := t.Tx.Occurrences(f)
	for _, o := range os {
		t.status[o.ID] = o.Status
	}
	return os, err
}

func (t *aggTx) PutOccurrence(o *Occurrence) error {
	st, known := t.status[o.ID]
	var old *Occurrence
	if !known || IsFinal(st) || IsFinal(o.Status) {
		var err error
		if old, err = t.Tx.Occurrence(o.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	if err := t.Tx.PutOccurrence(o); err != nil {
		return err
	}
	t.status[o.ID] = o.Status
	delete(t.final, o.ID)
	if IsFinal(o.Status) {
		t.final[o.ID] = o.Clone()
	}
	if (old == nil || !IsFinal(old.Status)) && !IsFinal(o.Status) {
		return nil
	}
	if err := reaggregate(t.Tx, old, o); err != nil {
		return fmt.Errorf("aggregates of %s: %w", o.ID, err)
	}
	return nil
}

func (t *aggTx) PutAnswer(a *Answer) error {
	if st, known := t.status[a.OccurrenceID]; known && !IsFinal(st) {
		return t.Tx.PutAnswer(a)
	}
	o := t.final[a.OccurrenceID]
	if o == nil {
		var err error
		o, err = t.Tx.Occurrence(a.OccurrenceID)
		if errors.Is(err, ErrNotFound) {
			return t.Tx.PutAnswer(a)
		}
		if err != nil {
			return err
		}
		t.status[o.ID] = o.Status
		if !IsFinal(o.Status) {
			return t.Tx.PutAnswer(a)
		}
		t.final[o.ID] = o
	}
	prev, err := t.Tx.Answer(a.OccurrenceID, a.PersonID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := t.Tx.PutAnswer(a); err != nil {
		return err
	}
	only := map[string]bool{a.PersonID: true}
	before := occurrenceFacts(o, map[string]*Answer{a.PersonID: prev}, time.Time{}, only)
	after := occurrenceFacts(o, map[string]*Answer{a.PersonID: a}, time.Time{}, only)
	if slices.Equal(before, after) {
		return nil // an edit: the first submission counts
	}
	oa, err := t.Tx.OccurrenceAggregate(o.ID)
	if errors.Is(err, ErrNotFound) {
		oa = newOccurrenceAggregate(o)
	} else if err != nil {
		return err
	}
	weeks := weekSet{}
	for _, f := range before {
		oa.addFact(o, f, -1)
		if err := weeks.add(t.Tx, o, f, -1); err != nil {
			return err
		}
	}
	for _, f := range after {
		oa.addFact(o, f, +1)
		if err := weeks.add(t.Tx, o, f, +1); err != nil {
			return err
		}
	}
	if err := t.Tx.PutOccurrenceAggregate(oa); err != nil {
		return err
	}
	return weeks.put(t.Tx)
}

// reaggregate replaces old's figures (if it was final) by o's (if it is).
func reaggregate(tx Tx, old, o *Occurrence) error {
	as, err := tx.Answers(o.ID)
	if err != nil {
		return err
	}
	byPerson := make(map[string]*Answer, len(as))
	for _, a := range as {
		byPerson[a.PersonID] = a
	}
	var before, after []personFact
	oldFinal := old != nil && IsFinal(old.Status)
	if oldFinal {
		before = occurrenceFacts(old, byPerson, time.Time{}, nil)
	}
	if IsFinal(o.Status) {
		after = occurrenceFacts(o, byPerson, time.Time{}, nil)
		if oldFinal && old.Status == o.Status && old.Late == o.Late && openDelay(old) == openDelay(o) &&
			slices.Equal(before, after) && slices.Equal(old.Expected, o.Expected) {
			return nil // a facilitator or reminder change: no figure moves
		}
	}
	weeks := weekSet{}
	for _, f := range before {
		if err := weeks.add(tx, old, f, -1); err != nil {
			return err
		}
	}
	if !IsFinal(o.Status) {
		if err := tx.DeleteOccurrenceAggregate(o.ID); err != nil {
			return err
		}
		return weeks.put(tx)
	}
	oa := newOccurrenceAggregate(o)
	for _, f := range after {
		oa.addFact(o, f, +1)
		if err := weeks.add(tx, o, f, +1); err != nil {
			return err
		}
	}
	if err := tx.PutOccurrenceAggregate(oa); err != nil {
		return err
	}
	return weeks.put(tx)
}

// newOccurrenceAggregate holds o's own figures, before any person's.
func newOccurrenceAggregate(o *Occurrence) *OccurrenceAggregate {
	return &OccurrenceAggregate{
		OccurrenceID: o.ID, RitualID: o.RitualID, Scheduled: o.Scheduled, Status: o.Status,
		Late: o.Late, OpenDelay: openDelay(o),
	}
}

// addFact adds (sign +1) or removes (−1) one person's fact.
func (a *OccurrenceAggregate) addFact(o *Occurrence, f personFact, sign int) {
	if f.excused {
		a.Excused += sign
		return
	}
	if !f.counted {
		return
	}
	a.Expected += sign
	if f.answered {
		a.Answered += sign
		a.Latency.Add(f.latency, sign)
	}
	if f.onTime {
		a.AnsweredOnTime += sign
	}
	if f.answered {
		return
	}
	if sign < 0 {
		if i := slices.Index(a.Missing, f.person); i >= 0 {
			a.Missing = slices.Delete(a.Missing, i, i+1)
		}
		if len(a.Missing) == 0 {
			a.Missing = nil // as a rebuild leaves it
		}
		return
	}
	a.Missing = append(a.Missing, f.person)
	order := make(map[string]int, len(o.Expected))
	for i, p := range o.Expected {
		order[p] = i
	}
	slices.SortStableFunc(a.Missing, func(x, y string) int { return order[x] - order[y] })
}

// outcomeOf is a counted fact's outcome.
func outcomeOf(f personFact) Outcome {
	switch {
	case f.onTime:
		return OutcomeOnTime
	case f.answered:
		return OutcomeLate
	}
	return OutcomeMissed
}

// addFact adds (sign +1) or removes (−1) one fact of an occurrence
// scheduled at the given time.
func (w *WeekAggregate) addFact(scheduled time.Time, f personFact, sign int) {
	if f.excused {
		w.Excused += sign
		return
	}
	if !f.counted {
		return
	}
	oc := WeekOutcome{At: uint32(scheduled.Sub(w.Week) / time.Second), Outcome: outcomeOf(f)}
	if sign < 0 {
		if i := slices.Index(w.Outcomes, oc); i >= 0 {
			w.Outcomes = slices.Delete(w.Outcomes, i, i+1)
		}
		if len(w.Outcomes) == 0 {
			w.Outcomes = nil // as a rebuild leaves it
		}
	} else {
		i, _ := slices.BinarySearchFunc(w.Outcomes, oc.At, func(x WeekOutcome, at uint32) int { return int(x.At) - int(at) })
		w.Outcomes = slices.Insert(w.Outcomes, i, oc)
	}
	if f.answered {
		w.Latency.Add(f.latency, sign)
	}
}

// weekSet gathers the week aggregates one change touches, read once and
// written once.
type weekSet map[[2]string]*WeekAggregate

func (s weekSet) add(tx Tx, o *Occurrence, f personFact, sign int) error {
	k := [2]string{o.RitualID, f.person}
	w := s[k]
	if w == nil {
		week := WeekOf(o.Scheduled)
		var err error
		w, err = tx.WeekAggregate(week, o.RitualID, f.person)
		if errors.Is(err, ErrNotFound) {
			w = &WeekAggregate{Week: week, RitualID: o.RitualID, PersonID: f.person}
		} else if err != nil {
			return err
		}
		s[k] = w
	}
	w.addFact(o.Scheduled, f, sign)
	return nil
}

func (s weekSet) put(tx Tx) error {
	for _, w := range s {
		if err := tx.PutWeekAggregate(w); err != nil {
			return err
		}
	}
	return nil
}
