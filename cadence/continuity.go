package cadence

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
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
	answerOf, err := previousAnswers(tx, prev, people)
	if err != nil {
		return nil, err
	}
	out := map[string][]Section{}
	for _, p := range people {
		a, err := answerOf(p)
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
		w := c.to(p)
		day := w.day(prev.PersonPromptAt(p), c.loc(p, r))
		out[p] = []Section{{Heading: w.t("prompt.plan_last_time", "Day", day), Lines: []string{UserText(t)}}}
	}
	return out, nil
}

// batchPlansFrom is how many people's previous answers are worth one read
// of the whole previous occurrence, whatever its size.
const batchPlansFrom = 32

// previousAnswers returns a lookup of people's answers to prev. A prompt
// round usually asks most of the roster at once, and reading prev's
// answers in one go then costs PostgreSQL one round trip instead of one
// per person (500 on a first tick of 500 people). A few people of a large
// roster (one zone's prompt time, a late joiner) are read one by one, so
// they do not pay for everyone's answers.
func previousAnswers(tx Tx, prev *Occurrence, people []string) (func(person string) (*Answer, error), error) {
	if len(people) < batchPlansFrom && 4*len(people) < len(prev.Expected) {
		return func(p string) (*Answer, error) { return tx.Answer(prev.ID, p) }, nil
	}
	all, err := tx.Answers(prev.ID)
	if err != nil {
		return nil, fmt.Errorf("previous answers to %s: %w", prev.ID, err)
	}
	by := make(map[string]*Answer, len(all))
	for _, a := range all {
		by[a.PersonID] = a
	}
	return func(p string) (*Answer, error) {
		if a := by[p]; a != nil {
			return a, nil
		}
		return nil, ErrNotFound
	}, nil
}

// blockerLookback bounds how far back an agenda looks for open blockers:
// a blocker nobody mentioned for this long drops off instead of costing
// every agenda a scan of the whole history.
const blockerLookback = 14 * 24 * time.Hour

// OpenBlocker is a person's blocker that no later answer cleared.
type OpenBlocker struct {
	Person, Text string
	Raised       time.Time // scheduled time of the first occurrence of the run
}

// OpenBlockers lists the blockers raised in r's occurrences before occ
// (within blockerLookback) that are still open. A person's newest answer
// decides: a blocker in it is open, "none" or empty clears it. Not
// answering an occurrence clears nothing; raising it again in a row keeps
// the first day it was raised.
func OpenBlockers(tx Tx, r *Ritual, occ *Occurrence) ([]OpenBlocker, error) {
	occs, err := tx.Occurrences(OccurrenceFilter{RitualID: r.ID, From: occ.Scheduled.Add(-blockerLookback), To: occ.Scheduled,
		Status: []Status{StatusOpen, StatusClosed}, Newest: true, Bare: true})
	if err != nil {
		return nil, fmt.Errorf("earlier occurrences of %s: %w", r.ID, err)
	}
	open := map[string]*OpenBlocker{}
	done := map[string]bool{} // the person's state is decided
	for i, o := range occs {
		answers, err := undecidedAnswers(tx, o.ID, done, i == 0)
		if err != nil {
			return nil, fmt.Errorf("answers of %s: %w", o.ID, err)
		}
		for _, a := range answers {
			p := a.PersonID
			if done[p] {
				continue
			}
			if !a.HasBlocker(r) {
				done[p] = true // cleared (newest answer) or the run's start
				continue
			}
			if b := open[p]; b != nil {
				b.Raised = o.Scheduled
			} else {
				open[p] = &OpenBlocker{Person: p, Text: blockerText(r, a), Raised: o.Scheduled}
			}
		}
	}
	out := make([]OpenBlocker, 0, len(open))
	for _, b := range open {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Raised.Equal(out[j].Raised) {
			return out[i].Raised.Before(out[j].Raised)
		}
		return out[i].Person < out[j].Person
	})
	return out, nil
}

// undecidedAnswers reads the answers to occurrence id of the people not
// done yet. The newest occurrence decides most people, so older ones are
// read by their answerers' keys, and only the undecided few are decoded
// (a year of 500 people: ~500 decoded answers an agenda, not 5,000).
func undecidedAnswers(tx Tx, id string, done map[string]bool, all bool) ([]*Answer, error) {
	if all {
		return tx.Answers(id)
	}
	who, err := tx.Answerers(id)
	if err != nil {
		return nil, err
	}
	var out []*Answer
	for _, p := range who {
		if done[p] {
			continue
		}
		a, err := tx.Answer(id, p)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// blockerText joins a person's real answers to the blocker questions.
func blockerText(r *Ritual, a *Answer) string {
	var parts []string
	for _, q := range r.Questions {
		if t := strings.TrimSpace(a.Text(q.ID)); q.Blocker && !isNone(t) {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "; ")
}
