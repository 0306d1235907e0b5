package cadence

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Status is a person's view: open occurrences they are asked to answer
// (answered ones included, while they can still edit), and the next fire
// time of each ritual they take part in, in their own zone.
func (e *Engine) Status(ctx context.Context, personID string) (*PersonStatus, error) {
	p := e.live().roster.Person(personID)
	if p == nil {
		return nil, fmt.Errorf("no person %q: %w", personID, ErrNotFound)
	}
	now := e.now()
	out := &PersonStatus{Person: p}
	err := e.store.View(ctx, func(tx Tx) error {
		open, err := tx.Occurrences(OccurrenceFilter{Status: []Status{StatusOpen}})
		if err != nil {
			return fmt.Errorf("list open occurrences: %w", err)
		}
		if out.Late, err = e.lateAnswers(tx, personID, now); err != nil {
			return err
		}
		st, err := tx.PersonState(personID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("person %s: read state: %w", personID, err)
		}
		out.OutOfOffice = outOfOfficeFrom(p, st, DateOf(now.In(p.Zone())))
		soon := map[string]bool{} // rituals with a prompt still to come in an open occurrence
		for _, o := range open {
			r := e.live().byID[o.RitualID]
			if r == nil || !o.IsExpected(personID) {
				continue
			}
			if _, prompted := o.Prompted[personID]; !prompted {
				// A per-person prompt still to come: that is the person's
				// next fire time of the ritual.
				out.Upcoming = append(out.Upcoming, Upcoming{Ritual: r, At: o.PersonPromptAt(personID).In(p.Zone())})
				soon[r.ID] = true
				continue
			}
			closeAt := o.PersonCloseAt(personID)
			if !now.Before(closeAt) {
				continue
			}
			_, err := tx.Answer(o.ID, personID)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			out.Pending = append(out.Pending, PendingPrompt{Occurrence: o, Ritual: r, Answered: err == nil, ClosesAt: closeAt.In(p.Zone())})
		}
		for _, r := range e.live().rituals {
			if !slices.Contains(r.Participants, personID) || soon[r.ID] {
				continue
			}
			in, err := e.planInput(tx, r, now)
			if err != nil {
				return err
			}
			cursor := now
			paused := false
			if in.State != nil {
				paused = in.State.Paused
				if in.State.Cursor.After(cursor) {
					cursor = in.State.Cursor
				}
			}
			fire := r.Schedule.Next(cursor)
			if fire.IsZero() {
				continue
			}
			out.Upcoming = append(out.Upcoming, Upcoming{Ritual: r, At: promptAt(r, fire, personID, in).In(p.Zone()), Paused: paused})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out.Pending, func(i, j int) bool { return out.Pending[i].ClosesAt.Before(out.Pending[j].ClosesAt) })
	sort.SliceStable(out.Upcoming, func(i, j int) bool { return out.Upcoming[i].At.Before(out.Upcoming[j].At) })
	for i := range out.Upcoming {
		if r, ok := outOfOfficeOn(out.OutOfOffice, out.Upcoming[i].At, p.Zone()); ok {
			out.Upcoming[i].Away = &r
		}
	}
	return out, nil
}

// Occurrence returns one occurrence with its answers.
func (e *Engine) Occurrence(ctx context.Context, id string) (*Occurrence, []*Answer, error) {
	var o *Occurrence
	var as []*Answer
	err := e.store.View(ctx, func(tx Tx) error {
		var err error
		if o, err = tx.Occurrence(id); err != nil {
			return fmt.Errorf("occurrence %s: %w", id, err)
		}
		if as, err = tx.Answers(id); err != nil {
			return fmt.Errorf("answers of %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return o, as, nil
}

// Report computes adherence over q from the store (see BuildReport for the
// figures and TeamScore for the formula).
func (e *Engine) Report(ctx context.Context, q ReportQuery) (*Report, error) {
	if !q.To.IsZero() && !q.From.IsZero() && q.To.Before(q.From) {
		return nil, FieldErrors{"to": fmt.Sprintf("%s is before from %s", q.To.Format("2006-01-02"), q.From.Format("2006-01-02"))}
	}
	now := e.now()
	// An open end means "up to now"; per-person occurrences can be open
	// up to a day before their scheduled instant.
	to := q.To
	if to.IsZero() {
		to = now.Add(48 * time.Hour)
	}
	in := ReportInput{
		Query: q, Now: now, Tolerance: e.tolerance, Rituals: e.live().rituals, Roster: e.live().roster,
	}
	var rep *Report
	err := e.store.View(ctx, func(tx Tx) error {
		// Aggregates answer unless the query is per person (rows would
		// count only those people) or they are not built (yet): then the
		// facts. Any on-time tolerance will do: they keep how late each
		// occurrence opened, to the nanosecond, and "held on time" is
		// decided when they are read.
		if len(q.PersonIDs) == 0 {
			ready, err := AggregatesReady(tx)
			if err != nil {
				return err
			}
			if ready {
				r, err := reportFromAggregates(tx, in, to)
				if err == nil {
					rep = r
					return nil
				}
				if !errors.Is(err, errAggregatesInconsistent) {
					return err
				}
				e.log.Error().Err(err).Msg("report: aggregates disagree, reading the facts; run `cadencebot reindex`")
			}
		}
		var err error
		if len(q.PersonIDs) == 1 {
			// One person's rows count only them: their part of each
			// occurrence and their own answers are all it reads.
			if in.Occurrences, in.Answers, err = personFacts(tx, q.PersonIDs[0], q.From, to); err != nil {
				return err
			}
		} else {
			if in.Occurrences, err = tx.Occurrences(OccurrenceFilter{From: q.From, To: to}); err != nil {
				return fmt.Errorf("list occurrences: %w", err)
			}
			// The weekly pulse tallies scale answers' text; without scale
			// questions adherence needs only who answered when.
			between := tx.SubmissionsBetween
			if !q.WithoutPulse && hasScale(in.Rituals, nil) {
				between = tx.AnswersBetween
			}
			if in.Answers, err = between(q.From, to); err != nil {
				return fmt.Errorf("list answers: %w", err)
			}
		}
		rep = BuildReport(in)
		if q.WithoutPeople {
			rep.People = nil
		}
		if q.WithoutPulse {
			rep.Pulse = nil
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// personFacts is what BuildReport needs for one person's report over
// [from, to): each occurrence with that person's part only
// (OccurrenceFilter.Person) and their answers, a point read per
// occurrence, instead of every answer the team gave in the period. The
// answers keep their text, for the pulse.
func personFacts(tx Tx, person string, from, to time.Time) ([]*Occurrence, []*Answer, error) {
	occs, err := tx.Occurrences(OccurrenceFilter{From: from, To: to, Person: person})
	if err != nil {
		return nil, nil, fmt.Errorf("list occurrences: %w", err)
	}
	var as []*Answer
	for _, o := range occs {
		a, err := tx.Answer(o.ID, person)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("answer of %s to %s: %w", person, o.ID, err)
		}
		as = append(as, a)
	}
	return occs, as, nil
}
