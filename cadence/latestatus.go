package cadence

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// lateAnswers lists the occurrences person may still answer late: closed
// for them, not answered, expected (people who declined are not asked
// again), within the grace.
func (e *Engine) lateAnswers(tx Tx, person string, now time.Time) ([]PendingPrompt, error) {
	p := e.roster.Person(person)
	if p == nil {
		return nil, nil
	}
	// A person's close is at most a day (per-person time) plus the window
	// after the scheduled instant.
	longest := time.Duration(0)
	for _, r := range e.rituals {
		longest = max(longest, r.Window)
	}
	occs, err := tx.Occurrences(OccurrenceFilter{
		From:   now.Add(-e.grace - longest - 48*time.Hour),
		Status: []Status{StatusOpen, StatusClosed},
	})
	if err != nil {
		return nil, fmt.Errorf("list recent occurrences: %w", err)
	}
	var out []PendingPrompt
	for _, o := range occs {
		r := e.byID[o.RitualID]
		if r == nil || !o.IsExpected(person) {
			continue
		}
		if _, prompted := o.Prompted[person]; !prompted && o.Status == StatusOpen {
			continue // a per-person prompt still to come
		}
		_, err := tx.Answer(o.ID, person)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("answer of %s to %s: %w", person, o.ID, err)
		}
		st := AnswerStateAt(o, person, err == nil, now, e.grace)
		if st.Mode != AnswerLate {
			continue
		}
		out = append(out, PendingPrompt{Occurrence: o, Ritual: r, ClosesAt: st.ClosesAt.In(p.loc()), LateUntil: st.LateUntil.In(p.loc())})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ClosesAt.Before(out[j].ClosesAt) })
	return out, nil
}
