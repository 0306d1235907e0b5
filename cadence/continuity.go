package cadence

import (
	"errors"
	"fmt"
	"strings"
)

// PlanQuestion is the question marked Plan, or nil.
func (r *Ritual) PlanQuestion() *Question {
	for i := range r.Questions {
		if r.Questions[i].Plan {
			return &r.Questions[i]
		}
	}
	return nil
}

// previousHeld is the ritual's occurrence held last before o, or nil. It
// reads one occurrence backwards from o (Newest), never the history.
func previousHeld(tx Tx, r *Ritual, o *Occurrence) (*Occurrence, error) {
	before, err := tx.Occurrences(OccurrenceFilter{RitualID: r.ID, To: o.Scheduled, Status: []Status{StatusOpen, StatusClosed}, Newest: true, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("previous occurrence of %s: %w", r.ID, err)
	}
	if len(before) == 0 {
		return nil, nil
	}
	return before[0], nil
}

// previousPlans reads, for each person, their answer to the plan question
// in the previous occurrence, as the section their prompt shows. People
// who did not answer it, or answered "none", get nothing.
func (c composer) previousPlans(tx Tx, r *Ritual, o *Occurrence, people []string) (map[string][]Section, error) {
	q := r.PlanQuestion()
	if q == nil || len(people) == 0 {
		return nil, nil
	}
	prev, err := previousHeld(tx, r, o)
	if err != nil || prev == nil {
		return nil, err
	}
	out := map[string][]Section{}
	for _, p := range people {
		a, err := tx.Answer(prev.ID, p)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("previous answer of %s to %s: %w", p, prev.ID, err)
		}
		t := strings.TrimSpace(a.Text(q.ID))
		if isNone(t) {
			continue
		}
		day := prev.PersonPromptAt(p).In(c.loc(p, r)).Format("Mon 2 Jan")
		out[p] = []Section{{Heading: fmt.Sprintf("Your plan last time (%s)", day), Lines: []string{UserText(t)}}}
	}
	return out, nil
}
