package cadence

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// maxStepsPerTick bounds one Tick. A year of "@every 30s" downtime is about
// a million missed fire times; a tick records this many and the next tick
// carries on, so a catch-up never holds the store for long.
const maxStepsPerTick = 10000

// Tick does everything due at the clock's now: opens, prompts, reminds,
// closes, records missed and skipped fire times. Each step is planned by
// NextStep from stored state and applied in its own store transaction, so
// a crash between steps loses nothing and replaying a tick repeats nothing.
func (e *Engine) Tick(ctx context.Context) error {
	now := e.now()
	var errs []error
	if !e.orphansClosed.Load() {
		if err := e.closeOrphans(ctx, now); err != nil {
			errs = append(errs, err)
		} else {
			e.orphansClosed.Store(true)
		}
	}
	for _, r := range e.live().rituals {
		if err := e.tickRitual(ctx, r, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (e *Engine) tickRitual(ctx context.Context, r *Ritual, now time.Time) error {
	for i := 0; i < maxStepsPerTick; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Plan on a read transaction first: most ticks have nothing to do
		// and must not pay for a write.
		var pending bool
		err := e.store.View(ctx, func(tx Tx) error {
			in, err := e.planInput(tx, r, now)
			if err != nil {
				return err
			}
			_, pending = NextStep(in)
			return nil
		})
		if err != nil {
			return fmt.Errorf("tick %s: %w", r.ID, err)
		}
		if !pending {
			return nil
		}
		var done bool
		err = e.update(ctx, func(tx Tx, ev *events) error {
			// Plan again inside the write: an answer may have landed since.
			in, err := e.planInput(tx, r, now)
			if err != nil {
				return err
			}
			step, ok := NextStep(in)
			if !ok {
				done = true
				return nil
			}
			return e.apply(tx, ev, r, step, now)
		})
		if err != nil {
			return fmt.Errorf("tick %s: %w", r.ID, err)
		}
		if done {
			return nil
		}
	}
	e.log.Warn().Str("ritual", r.ID).Int("steps", maxStepsPerTick).Msg("catch-up continues on the next tick")
	return nil
}

// apply writes one step: the occurrence, the ritual state and the messages
// it calls for, all in tx.
func (e *Engine) apply(tx Tx, ev *events, r *Ritual, s Step, now time.Time) error {
	o := s.Occurrence
	if s.State != nil {
		if err := tx.PutRitualState(s.State); err != nil {
			return fmt.Errorf("put ritual state: %w", err)
		}
	}
	if o != nil {
		if err := tx.PutOccurrence(o); err != nil {
			return fmt.Errorf("put occurrence %s: %w", o.ID, err)
		}
	}
	log := e.log.With().Str("ritual", r.ID).Logger()
	if o != nil {
		log = log.With().Str("occurrence", o.ID).Logger()
	}
	switch s.Kind {
	case StepStart:
		ev.on(func() { log.Info().Time("cursor", s.State.Cursor).Msg("ritual started") })
	case StepOpen:
		var extra []Section
		if e.agenda != nil {
			var err error
			if extra, err = e.agenda.AgendaSections(tx, r, o, now); err != nil {
				return fmt.Errorf("agenda of %s: %w", o.ID, err)
			}
		}
		if err := e.enqueue(tx, ev, e.live().compose.agenda(r, o, extra, now)); err != nil {
			return err
		}
		if err := e.enqueue(tx, ev, e.live().compose.summary(r, o, nil, now)); err != nil {
			return err
		}
		if _, err := tx.Summary(o.ID); errors.Is(err, ErrNotFound) {
			if err := tx.PutSummary(RebuildSummary(r, o, nil)); err != nil {
				return fmt.Errorf("put summary of %s: %w", o.ID, err)
			}
		} else if err != nil {
			return fmt.Errorf("summary of %s: %w", o.ID, err)
		}
		if err := e.enqueuePrompts(tx, ev, r, o, s.Prompt, now); err != nil {
			return err
		}
		late, lag := o.Late, o.Delay()
		ev.on(func() {
			e.obs.OccurrenceOpened(r.ID, late)
			e.obs.ScheduleLag(r.ID, lag)
			log.Info().Bool("late", late).Dur("delay", lag).Int("expected", len(o.Expected)).
				Str("facilitator", o.Facilitator).Msg("occurrence opened")
		})
	case StepPrompt:
		if err := e.enqueuePrompts(tx, ev, r, o, s.Prompt, now); err != nil {
			return err
		}
	case StepRemind:
		for _, p := range sortedKeys(s.Remind) {
			// A snoozed prompt gets its own reminder at the chosen time
			// (snooze.go), none of the ritual's before it.
			if until, err := snoozedUntil(tx, o.ID, p); err != nil {
				return err
			} else if now.Before(until) {
				continue
			}
			if err := e.enqueue(tx, ev, e.live().compose.reminder(r, o, p, s.Remind[p], now)); err != nil {
				return err
			}
		}
		ev.on(func() { log.Debug().Int("people", len(s.Remind)).Msg("reminders queued") })
	case StepClose:
		if err := e.refreshSummary(tx, ev, r, o, now); err != nil {
			return err
		}
		if err := e.redrawAgenda(tx, ev, r, o, now); err != nil {
			return err
		}
		ev.on(func() {
			e.obs.OccurrenceClosed(r.ID)
			log.Info().Msg("occurrence closed")
		})
	case StepMiss:
		ev.on(func() {
			e.obs.OccurrenceMissed(r.ID)
			log.Warn().Time("scheduled", o.Scheduled).Msg("occurrence missed: its window passed while cadencebot was down")
		})
	case StepSkip:
		ev.on(func() {
			e.obs.OccurrenceSkipped(r.ID, o.SkipReason)
			log.Info().Str("reason", o.SkipReason).Msg("occurrence skipped")
		})
	default:
		return fmt.Errorf("unknown step %q", s.Kind)
	}
	return nil
}

func (e *Engine) enqueuePrompts(tx Tx, ev *events, r *Ritual, o *Occurrence, people []string, now time.Time) error {
	plans, err := e.live().compose.previousPlans(tx, r, o, people)
	if err != nil {
		return err
	}
	for _, p := range people {
		if err := e.enqueue(tx, ev, e.live().compose.prompt(r, o, p, plans[p], now)); err != nil {
			return err
		}
	}
	return nil
}

// closeOrphans closes the open occurrences of rituals no longer in the
// config, once per engine: nothing else would ever close them, and they
// would stay "pending" for their people forever. There is no ritual left
// to post a summary for; the occurrence keeps its answers for reports.
func (e *Engine) closeOrphans(ctx context.Context, now time.Time) error {
	orphans := func(tx Tx) ([]*Occurrence, error) {
		open, err := tx.Occurrences(OccurrenceFilter{Status: []Status{StatusOpen}})
		var out []*Occurrence
		for _, o := range open {
			if e.live().byID[o.RitualID] == nil {
				out = append(out, o)
			}
		}
		return out, err
	}
	var found []*Occurrence
	err := e.store.View(ctx, func(tx Tx) error {
		var err error
		found, err = orphans(tx)
		return err
	})
	if err != nil || len(found) == 0 {
		return err
	}
	var closed []string
	err = e.store.Update(ctx, func(tx Tx) error {
		closed = closed[:0]
		list, err := orphans(tx)
		if err != nil {
			return err
		}
		for _, o := range list {
			o.Status, o.ClosedAt = StatusClosed, now
			if err := tx.PutOccurrence(o); err != nil {
				return err
			}
			closed = append(closed, o.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("close occurrences of removed rituals: %w", err)
	}
	for _, id := range closed {
		e.log.Warn().Str("occurrence", id).Msg("closed: its ritual is no longer in the config")
	}
	return nil
}
