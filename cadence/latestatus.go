package cadence

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// lateAnswers lists, per ritual, the newest occurrence person may still
// answer late: closed for them, not answered, expected (people who
// declined are not asked again), within the grace. One per ritual keeps
// the list short for rituals that fire every few minutes; the older ones
// still take a late answer from their own prompt's button.
func (e *Engine) lateAnswers(tx Tx, person string, now time.Time) ([]PendingPrompt, error) {
	p := e.live().roster.Person(person)
	if p == nil {
		return nil, nil
	}
	var out []PendingPrompt
	for _, r := range e.live().rituals {
		if !slices.Contains(r.Participants, person) {
			continue
		}
		pp, err := e.lateAnswer(tx, r, p, now)
		if err != nil {
			return nil, err
		}
		if pp != nil {
			out = append(out, *pp)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ClosesAt.Before(out[j].ClosesAt) })
	return out, nil
}

// lateAnswer finds the newest occurrence of r that p may answer late. It
// looks back an hour, then a day, then the whole grace, so a ritual that
// fires every minute is not read a week at a time, and reads at most
// maxLateReads answers.
func (e *Engine) lateAnswer(tx Tx, r *Ritual, p *Person, now time.Time) (*PendingPrompt, error) {
	// A person's close is at most a day (per-person time) plus the window
	// after the scheduled instant.
	horizon := now.Add(-e.grace - r.Window - 48*time.Hour)
	reads := 0
	var to time.Time // zero: no upper bound
	for _, back := range []time.Duration{time.Hour, 24 * time.Hour, 0} {
		from := now.Add(-back - r.Window)
		if back == 0 || from.Before(horizon) {
			from = horizon
		}
		occs, err := tx.Occurrences(OccurrenceFilter{RitualID: r.ID, From: from, To: to, Status: []Status{StatusOpen, StatusClosed}})
		if err != nil {
			return nil, fmt.Errorf("ritual %q: list recent occurrences: %w", r.ID, err)
		}
		for i := len(occs) - 1; i >= 0 && reads < maxLateReads; i-- { // newest first
			o := occs[i]
			if !o.IsExpected(p.ID) {
				continue
			}
			if _, prompted := o.Prompted[p.ID]; !prompted && o.Status == StatusOpen {
				continue // a per-person prompt still to come
			}
			st := AnswerStateAt(o, p.ID, false, now, e.grace)
			if st.Mode != AnswerLate {
				continue
			}
			reads++
			_, err := tx.Answer(o.ID, p.ID)
			if err == nil {
				continue
			}
			if !errors.Is(err, ErrNotFound) {
				return nil, fmt.Errorf("answer of %s to %s: %w", p.ID, o.ID, err)
			}
			return &PendingPrompt{Occurrence: o, Ritual: r, ClosesAt: st.ClosesAt.In(p.Zone()), LateUntil: st.LateUntil.In(p.Zone())}, nil
		}
		if from.Equal(horizon) || reads >= maxLateReads {
			return nil, nil
		}
		to = from
	}
	return nil, nil
}

// maxLateReads bounds the answers lateAnswer reads per ritual looking for
// one not answered (someone who answers every minute of a trial).
const maxLateReads = 20
