package ops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// ReminderPolicy decides when follow-up owners are reminded: at most once
// a day, on weekdays, inside their working hours in their own zone, from
// DueSoon days before the due date and every day once it is overdue.
type ReminderPolicy struct {
	// WorkdayStart and WorkdayEnd bound the owner's working hours, as
	// offsets from local midnight (default 09:00 to 18:00).
	WorkdayStart, WorkdayEnd time.Duration
	// DueSoon is how many days before the due date reminders start
	// (default 1: the day before and the day itself).
	DueSoon int
	// Snooze is how long the Snooze button silences reminders (default 48h).
	Snooze time.Duration
}

func (p ReminderPolicy) withDefaults() ReminderPolicy {
	if p.WorkdayStart == 0 && p.WorkdayEnd == 0 {
		p.WorkdayStart, p.WorkdayEnd = 9*time.Hour, 18*time.Hour
	}
	if p.DueSoon <= 0 {
		p.DueSoon = 1
	}
	if p.Snooze <= 0 {
		p.Snooze = 48 * time.Hour
	}
	return p
}

type reminderKind string

const (
	reminderNone    reminderKind = ""
	reminderDueSoon reminderKind = "due-soon"
	reminderOverdue reminderKind = "overdue"
)

// followUpReminderDue decides, from the follow-up, its owner and now,
// whether the owner should get today's reminder and which. away is true
// when the owner is out of office or on holiday today. The "once a day"
// part is the message key (one per owner and local date), not this.
func followUpReminderDue(f *cadence.FollowUp, owner *cadence.Person, away bool, now time.Time, p ReminderPolicy) (reminderKind, cadence.Date) {
	if f.Status != cadence.FollowUpOpen || owner == nil || away || now.Before(f.SnoozedUntil) {
		return reminderNone, cadence.Date{}
	}
	local := now.In(owner.Zone())
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return reminderNone, cadence.Date{}
	}
	today := cadence.DateOf(local)
	// Wall-clock time of day, not time since midnight: on DST days the
	// two differ by an hour.
	h, m, sec := local.Clock()
	wall := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second
	if wall < p.WorkdayStart || wall >= p.WorkdayEnd {
		return reminderNone, cadence.Date{}
	}
	switch d := daysBetween(today, f.Due); {
	case d < 0:
		return reminderOverdue, today
	case d <= p.DueSoon:
		return reminderDueSoon, today
	}
	return reminderNone, cadence.Date{}
}

// Tick queues today's follow-up reminders that are due now. cmd calls it
// beside Engine.Tick. Each reminder's key names the follow-up, the owner
// and the owner's date, so replays (and ticks every few seconds) queue
// each reminder once.
func (o *Ops) Tick(ctx context.Context) error {
	now := o.now()
	type due struct {
		f     *cadence.FollowUp
		kind  reminderKind
		today cadence.Date
	}
	var todo []due
	// Plan on a read transaction: most ticks have nothing to send.
	err := o.view(ctx, func(tx cadence.Tx) error {
		open, err := tx.FollowUps(cadence.FollowUpFilter{Status: []cadence.FollowUpStatus{cadence.FollowUpOpen}})
		if err != nil {
			return err
		}
		for _, f := range open {
			owner := o.live().roster.Person(f.Owner)
			if owner == nil {
				continue // left the roster: the triage agenda still lists it
			}
			away, err := o.away(tx, owner, now)
			if err != nil {
				return err
			}
			if kind, today := followUpReminderDue(f, owner, away, now, o.reminders); kind != reminderNone {
				if _, err := tx.Message(followUpKey(f, "remind", f.Owner, today.String())); errors.Is(err, cadence.ErrNotFound) {
					todo = append(todo, due{f, kind, today})
				} else if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("follow-up reminders: %w", err)
	}
	if len(todo) == 0 {
		return nil
	}
	queued := false
	err = o.store.Update(ctx, func(tx cadence.Tx) error {
		queued = false
		for _, d := range todo {
			// Re-read inside the write: it may have been closed since.
			f, err := tx.FollowUp(d.f.Number)
			if err != nil {
				return fmt.Errorf("follow-up %s: %w", d.f.ID(), err)
			}
			if f.Status != cadence.FollowUpOpen || f.Owner != d.f.Owner || now.Before(f.SnoozedUntil) {
				continue
			}
			inc, err := tx.Incident(f.Incident)
			if err != nil {
				return fmt.Errorf("incident of %s: %w", f.ID(), err)
			}
			ok, err := tx.Enqueue(o.followUpReminder(f, inc, d.kind, d.today, now))
			if err != nil {
				return err
			}
			queued = queued || ok
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("follow-up reminders: %w", err)
	}
	if queued {
		o.log.Debug().Int("reminders", len(todo)).Msg("follow-up reminders queued")
		if o.enqueued != nil {
			o.enqueued()
		}
	}
	return nil
}

// away reports whether p is out of office or on holiday at now, from the
// roster and from /cadence ooo.
func (o *Ops) away(tx cadence.Tx, p *cadence.Person, now time.Time) (bool, error) {
	if away, _ := p.Away(now); away {
		return true, nil
	}
	st, err := tx.PersonState(p.ID)
	if errors.Is(err, cadence.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("person %s: %w", p.ID, err)
	}
	d := cadence.DateOf(now.In(p.Zone()))
	for _, r := range st.OutOfOffice {
		if r.Contains(d) {
			return true, nil
		}
	}
	return false, nil
}
