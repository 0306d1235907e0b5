package cadence

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Snoozing a prompt puts it off: a reminder is queued in the outbox for
// the chosen time (the dispatcher sends nothing before its
// NextAttemptAt) and the ritual's own reminders before then are not sent.
// Answering drops it. Nothing else is stored: the outbox holds the
// intent, as for every message.

// SnoozeFor is how long a prompt is put off.
type SnoozeFor string

const (
	SnoozeHour     SnoozeFor = "1h"       // an hour from now
	SnoozeTomorrow SnoozeFor = "tomorrow" // 09:00 tomorrow in the person's zone
)

// SnoozeMorning is the hour "tomorrow morning" means, in the person's zone.
const SnoozeMorning = 9

// maxSnoozes bounds the snoozes of one prompt: each is its own message.
const maxSnoozes = 5

// ParseSnoozeFor reads "1h" or "tomorrow" (empty: 1h).
func ParseSnoozeFor(s string) (SnoozeFor, bool) {
	switch SnoozeFor(s) {
	case "", SnoozeHour:
		return SnoozeHour, true
	case SnoozeTomorrow:
		return SnoozeTomorrow, true
	}
	return "", false
}

// SnoozeOfAction is how long a prompt's snooze button puts it off; ok is
// false for other buttons.
func SnoozeOfAction(actionID string) (SnoozeFor, bool) {
	switch actionID {
	case ActionSnoozeHour:
		return SnoozeHour, true
	case ActionSnoozeTomorrow:
		return SnoozeTomorrow, true
	}
	return "", false
}

// SnoozeKey is the key of the n-th snooze reminder of a person's prompt.
func SnoozeKey(occurrenceID, person string, n int) string {
	return MessageKey("occ", occurrenceID, "snooze", person, strconv.Itoa(n))
}

// Snoozer is the engine's snooze, an optional ability of a Service.
type Snoozer interface {
	SnoozePrompt(ctx context.Context, occurrenceID, personID string, d SnoozeFor) (time.Time, error)
}

var _ Snoozer = (*Engine)(nil)

// SnoozePrompt puts off person's prompt for occurrenceID and returns when
// they will be reminded. Refused when they answered already, are not
// asked, or the occurrence is no longer open; a snooze past their close
// reminds them then with the late answer (and says so now).
func (e *Engine) SnoozePrompt(ctx context.Context, occurrenceID, personID string, d SnoozeFor) (time.Time, error) {
	ritualID, _, err := ParseOccurrenceID(occurrenceID)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	r := e.live().byID[ritualID]
	if r == nil {
		return time.Time{}, fmt.Errorf("occurrence %s: ritual %q is not configured: %w", occurrenceID, ritualID, ErrNotFound)
	}
	now := e.now()
	loc := e.live().compose.loc(personID, r)
	var until time.Time
	switch d {
	case SnoozeTomorrow:
		y, m, day := now.In(loc).AddDate(0, 0, 1).Date()
		until = time.Date(y, m, day, SnoozeMorning, 0, 0, 0, loc)
	default:
		until = now.Add(time.Hour)
	}
	err = e.update(ctx, func(tx Tx, ev *events) error {
		o, err := tx.Occurrence(occurrenceID)
		if err != nil {
			return fmt.Errorf("occurrence %s: %w", occurrenceID, err)
		}
		switch {
		case o.Status != StatusOpen:
			return Refusef(ErrClosed, "%s is not open any more; nothing to snooze", r.Title)
		case !o.IsExpected(personID):
			return Refusef(ErrForbidden, "you are not asked in this %s", r.Title)
		}
		if _, err := tx.Answer(o.ID, personID); err == nil {
			return Refusef(ErrConflict, "you answered %s already; nothing to snooze", r.Title)
		} else if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("answer of %s: %w", personID, err)
		}
		n, err := nextSnooze(tx, o.ID, personID)
		if err != nil {
			return err
		}
		if n >= maxSnoozes {
			return Refusef(ErrConflict, "you snoozed %s %d times already; answer it or skip it", r.Title, maxSnoozes)
		}
		if late := o.PersonCloseAt(personID).Add(e.grace); !until.Before(late) {
			return Refusef(ErrConflict, "%s takes no answer after %s, before %s", r.Title, late.In(loc).Format(TimeLayout), until.In(loc).Format(TimeLayout))
		}
		return e.enqueue(tx, ev, e.live().compose.snoozed(r, o, personID, n, until, now))
	})
	return until, err
}

// nextSnooze is the number of the person's next snooze of occID (the
// count of earlier ones).
func nextSnooze(tx Tx, occID, person string) (int, error) {
	for n := 0; n < maxSnoozes; n++ {
		if _, err := tx.Message(SnoozeKey(occID, person, n)); errors.Is(err, ErrNotFound) {
			return n, nil
		} else if err != nil {
			return 0, fmt.Errorf("snooze of %s: %w", person, err)
		}
	}
	return maxSnoozes, nil
}

// snoozedUntil is when the person's latest snooze of occID reminds them,
// or zero when none is waiting.
func snoozedUntil(tx Tx, occID, person string) (time.Time, error) {
	n, err := nextSnooze(tx, occID, person)
	if err != nil || n == 0 {
		return time.Time{}, err
	}
	m, err := tx.Message(SnoozeKey(occID, person, n-1))
	if err != nil {
		return time.Time{}, fmt.Errorf("snooze of %s: %w", person, err)
	}
	if m.State != StatePending {
		return time.Time{}, nil
	}
	return m.NextAttemptAt, nil
}

// dropSnoozes settles the person's snooze reminders still waiting: once
// they answered, "we have no answer from you yet" is no longer true. Each
// key is looked at: an earlier one may be gone (deleted past the outbox
// retention, Outlived) while a later one still waits for a late answer.
func dropSnoozes(tx Tx, occID, person string) error {
	for n := 0; n < maxSnoozes; n++ {
		m, err := tx.Message(SnoozeKey(occID, person, n))
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("snooze of %s: %w", person, err)
		}
		if m.State != StatePending || !m.Ref.IsZero() {
			continue
		}
		m.State, m.LastError = StateDropped, "not sent: the person answered first"
		if err := tx.PutMessage(m); err != nil {
			return fmt.Errorf("drop snooze %s: %w", m.Key, err)
		}
	}
	return nil
}

// snoozed is the reminder a snooze queues for until: the questions and
// buttons of a prompt while the person's window is open, the late answer
// after it.
func (c composer) snoozed(r *Ritual, o *Occurrence, p string, n int, until, now time.Time) *Message {
	m := c.base(r, o, KindReminder, SnoozeKey(o.ID, p, n), Recipient{Person: p}, now)
	m.NextAttemptAt = until
	w := c.to(p)
	closeAt := o.PersonCloseAt(p)
	m.Body = Body{
		Title:     w.t("snoozed.title", "Ritual", r.Title),
		Text:      w.t("snoozed.text", "Ritual", r.Title, "Close", c.at(w, closeAt, p, r)),
		Questions: QuestionsIn(r.Questions, w.lang),
		Actions:   promptActions(w, o.ID),
	}
	late := m.Body.Clone()
	late.Text = w.t("snoozed.late", "Ritual", r.Title, "Close", c.at(w, closeAt, p, r), "Until", c.at(w, closeAt.Add(c.grace), p, r))
	late.Actions = lateActions(w, o.ID)
	m.StaleAt, m.LateBody, m.ExpiresAt = closeAt, &late, closeAt.Add(c.grace)
	return m
}
