package cadence

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// authorize checks that actor may run ritualID (pause, resume, skip).
func (e *Engine) authorize(actorID, ritualID, verb string) (*Ritual, error) {
	r := e.live().byID[ritualID]
	if r == nil {
		return nil, fmt.Errorf("no ritual %q: %w", ritualID, ErrNotFound)
	}
	actor := e.live().roster.Person(actorID)
	if actor == nil {
		return nil, fmt.Errorf("%q is not in the roster, so cannot %s %s: %w", actorID, verb, r.Title, ErrForbidden)
	}
	if !actor.Role.CanRunRituals() {
		return nil, fmt.Errorf("only leads and admins can %s rituals; %s is a %s: %w", verb, actor.Name, actor.Role, ErrForbidden)
	}
	return r, nil
}

// ritualState returns the stored state, or the state a first tick would
// create, so commands work on rituals the engine has not ticked yet.
func (e *Engine) ritualState(tx Tx, r *Ritual, now time.Time) (*RitualState, error) {
	st, err := tx.RitualState(r.ID)
	if err == nil {
		return st, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("ritual %q: read state: %w", r.ID, err)
	}
	in, err := e.planInput(tx, r, now)
	if err != nil {
		return nil, err
	}
	step, _ := NextStep(in)
	return step.State, nil
}

// Skip skips the ritual's open occurrence (the latest, if several are open),
// or marks the next fire time to be skipped when none is open.
func (e *Engine) Skip(ctx context.Context, actorID, ritualID, reason string) (*SkipResult, error) {
	r, err := e.authorize(actorID, ritualID, "skip")
	if err != nil {
		return nil, err
	}
	if reason == "" {
		reason = "no reason given"
	}
	now := e.now()
	var res SkipResult
	err = e.update(ctx, func(tx Tx, ev *events) error {
		open, err := tx.Occurrences(OccurrenceFilter{RitualID: r.ID, Status: []Status{StatusOpen}})
		if err != nil {
			return fmt.Errorf("list open occurrences: %w", err)
		}
		if n := len(open); n > 0 {
			o := open[n-1]
			o.Status, o.SkipReason, o.SkippedBy, o.ClosedAt = StatusSkipped, reason, actorID, now
			if err := tx.PutOccurrence(o); err != nil {
				return fmt.Errorf("put occurrence %s: %w", o.ID, err)
			}
			res = SkipResult{OccurrenceID: o.ID, Scheduled: o.Scheduled}
			ev.on(func() { e.obs.OccurrenceSkipped(r.ID, reason) })
			if err := e.redrawAgenda(tx, ev, r, o, now); err != nil {
				return err
			}
			return e.refreshSummary(tx, ev, r, o, now)
		}
		st, err := e.ritualState(tx, r, now)
		if err != nil {
			return err
		}
		next := r.Schedule.Next(st.Cursor)
		if next.IsZero() {
			return fmt.Errorf("%s has no next occurrence to skip: %w", r.Title, ErrConflict)
		}
		st.SkipNext, st.SkipNextBy = reason, actorID
		if err := tx.PutRitualState(st); err != nil {
			return fmt.Errorf("put ritual state: %w", err)
		}
		res = SkipResult{Scheduled: next, Next: true}
		text := fmt.Sprintf("%s on %s will be skipped: %s (by %s).", r.Title,
			next.In(r.Zone()).Format(TimeLayout), reason, e.live().compose.name(actorID))
		return e.enqueue(tx, ev, e.live().compose.notice(r, MessageKey("ritual", r.ID, "skip", OccurrenceID(r.ID, next)),
			Recipient{Channel: r.Channel}, r.Title+" skipped", text, now))
	})
	if err != nil {
		return nil, err
	}
	e.log.Info().Str("ritual", r.ID).Str("person", actorID).Str("reason", reason).
		Bool("next", res.Next).Time("scheduled", res.Scheduled).Msg("skip")
	return &res, nil
}

// Pause stops new occurrences of a ritual; their fire times are recorded as
// skipped ("paused"). An occurrence already open runs to its close.
func (e *Engine) Pause(ctx context.Context, actorID, ritualID string) error {
	r, err := e.authorize(actorID, ritualID, "pause")
	if err != nil {
		return err
	}
	now := e.now()
	return e.update(ctx, func(tx Tx, ev *events) error {
		st, err := e.ritualState(tx, r, now)
		if err != nil {
			return err
		}
		if st.Paused {
			return nil
		}
		st.Paused, st.PausedBy, st.PausedAt = true, actorID, now
		if err := tx.PutRitualState(st); err != nil {
			return fmt.Errorf("put ritual state: %w", err)
		}
		ev.on(func() { e.log.Info().Str("ritual", r.ID).Str("person", actorID).Msg("paused") })
		return e.enqueue(tx, ev, e.live().compose.notice(r, MessageKey("ritual", r.ID, "pause", now.Format(time.RFC3339Nano)),
			Recipient{Channel: r.Channel}, r.Title+" paused",
			fmt.Sprintf("%s is paused by %s until someone resumes it.", r.Title, e.live().compose.name(actorID)), now))
	})
}

// Resume restarts a paused ritual. Fire times that passed while it was
// paused are first recorded as skipped, so none of them opens late.
func (e *Engine) Resume(ctx context.Context, actorID, ritualID string) error {
	r, err := e.authorize(actorID, ritualID, "resume")
	if err != nil {
		return err
	}
	now := e.now()
	return e.update(ctx, func(tx Tx, ev *events) error {
		st, err := e.ritualState(tx, r, now)
		if err != nil {
			return err
		}
		if !st.Paused {
			return nil
		}
		// Catch up as a tick would, while still paused.
		for i := 0; i < maxStepsPerTick; i++ {
			in, err := e.planInput(tx, r, now)
			if err != nil {
				return err
			}
			step, ok := NextStep(in)
			if !ok {
				break
			}
			if err := e.apply(tx, ev, r, step, now); err != nil {
				return err
			}
		}
		if st, err = tx.RitualState(r.ID); err != nil {
			return fmt.Errorf("ritual %q: read state: %w", r.ID, err)
		}
		st.Paused, st.PausedBy, st.PausedAt = false, "", time.Time{}
		if err := tx.PutRitualState(st); err != nil {
			return fmt.Errorf("put ritual state: %w", err)
		}
		text := fmt.Sprintf("%s is resumed by %s.", r.Title, e.live().compose.name(actorID))
		if next := r.Schedule.Next(st.Cursor); !next.IsZero() {
			text += " Next: " + next.In(r.Zone()).Format(TimeLayout) + "."
		}
		ev.on(func() { e.log.Info().Str("ritual", r.ID).Str("person", actorID).Msg("resumed") })
		return e.enqueue(tx, ev, e.live().compose.notice(r, MessageKey("ritual", r.ID, "resume", now.Format(time.RFC3339Nano)),
			Recipient{Channel: r.Channel}, r.Title+" resumed", text, now))
	})
}

// SetOutOfOffice records a range during which the person is not expected.
// Future occurrences excuse them when they open; open occurrences whose
// prompt falls in the range excuse them now, unless they already answered.
func (e *Engine) SetOutOfOffice(ctx context.Context, personID string, dr DateRange) error {
	p := e.live().roster.Person(personID)
	if p == nil {
		return fmt.Errorf("no person %q: %w", personID, ErrNotFound)
	}
	if dr.From.IsZero() || dr.To.IsZero() {
		return FieldErrors{"from": "a start and an end date are required"}
	}
	if dr.To.Before(dr.From) {
		return FieldErrors{"to": fmt.Sprintf("ends %s, before it starts %s", dr.To, dr.From)}
	}
	now := e.now()
	return e.update(ctx, func(tx Tx, ev *events) error {
		return e.recordOutOfOffice(tx, ev, p, dr, now)
	})
}

// recordOutOfOffice stores dr in p's state (once) and excuses p from the
// open occurrences whose prompt falls in it and that they did not answer.
func (e *Engine) recordOutOfOffice(tx Tx, ev *events, p *Person, dr DateRange, now time.Time) error {
	personID := p.ID
	st, err := tx.PersonState(personID)
	if errors.Is(err, ErrNotFound) {
		st, err = &PersonState{PersonID: personID}, nil
	}
	if err != nil {
		return fmt.Errorf("person %s: read state: %w", personID, err)
	}
	known := false
	for _, x := range st.OutOfOffice {
		known = known || (x.From == dr.From && x.To == dr.To)
	}
	if !known {
		st.OutOfOffice = append(st.OutOfOffice, dr)
		if err := tx.PutPersonState(st); err != nil {
			return fmt.Errorf("put person state: %w", err)
		}
	}
	open, err := tx.Occurrences(OccurrenceFilter{Status: []Status{StatusOpen}})
	if err != nil {
		return fmt.Errorf("list open occurrences: %w", err)
	}
	for _, o := range open {
		r := e.live().byID[o.RitualID]
		if r == nil || !o.IsExpected(personID) || !dr.Contains(DateOf(o.PersonPromptAt(personID).In(p.Zone()))) {
			continue
		}
		if _, ok := o.Excused[personID]; ok {
			continue
		}
		if _, err := tx.Answer(o.ID, personID); err == nil {
			continue
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		o.Excuse(personID, outOfOfficeReason(dr))
		if err := tx.PutOccurrence(o); err != nil {
			return fmt.Errorf("put occurrence %s: %w", o.ID, err)
		}
		if err := e.refreshSummary(tx, ev, r, o, now); err != nil {
			return err
		}
	}
	ev.on(func() {
		e.log.Info().Str("person", personID).Stringer("from", dr.From).Stringer("to", dr.To).Msg("out of office")
	})
	return nil
}
