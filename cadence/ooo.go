package cadence

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ReasonOutOfOffice is the reason the prompts' "I'm out of office" button
// declines with. Besides excusing the person from that occurrence, it
// records the day (today in the person's zone) as out of office, so the
// other rituals of the day do not prompt them either, and status shows
// it; `ooo cancel` takes it back.
const ReasonOutOfOffice = "out of office"

// buttonOOONote marks a day recorded by the button, in ooo list.
const buttonOOONote = "from the prompt's button"

// CancelOutOfOffice removes the person's out-of-office range that contains
// or starts on day (the current or next one when day is zero) and returns
// it. Ranges from the config file are not the bot's to remove: refused with
// ErrForbidden. Occurrences already open stay excused; the person may still
// answer them.
func (e *Engine) CancelOutOfOffice(ctx context.Context, personID string, day Date) (DateRange, error) {
	p := e.live().roster.Person(personID)
	if p == nil {
		return DateRange{}, fmt.Errorf("no person %q: %w", personID, ErrNotFound)
	}
	now := e.now()
	today := DateOf(now.In(p.Zone()))
	var out DateRange
	err := e.update(ctx, func(tx Tx, ev *events) error {
		st, err := tx.PersonState(personID)
		if errors.Is(err, ErrNotFound) {
			st, err = &PersonState{PersonID: personID}, nil
		}
		if err != nil {
			return fmt.Errorf("person %s: read state: %w", personID, err)
		}
		i := pickRange(st.OutOfOffice, day, today)
		if i < 0 {
			if j := pickRange(p.OutOfOffice, day, today); j >= 0 {
				r := p.OutOfOffice[j]
				return Refusef(ErrForbidden, "%s to %s is set in the config file; ask an admin to remove it", r.From, r.To)
			}
			if day.IsZero() {
				return Refusef(ErrNotFound, "you have no out-of-office day from today (%s) on", today)
			}
			return Refusef(ErrNotFound, "you are not out of office on %s", day)
		}
		out = st.OutOfOffice[i]
		st.OutOfOffice = slices.Delete(st.OutOfOffice, i, i+1)
		if err := tx.PutPersonState(st); err != nil {
			return fmt.Errorf("put person state: %w", err)
		}
		ev.on(func() {
			e.log.Info().Str("person", personID).Stringer("from", out.From).Stringer("to", out.To).Msg("out of office cancelled")
		})
		return nil
	})
	return out, err
}

// pickRange finds the range containing or starting on day; for a zero
// day, the one containing today, else the earliest after it. -1: none.
func pickRange(rs []DateRange, day, today Date) int {
	if !day.IsZero() {
		return slices.IndexFunc(rs, func(r DateRange) bool { return r.Contains(day) })
	}
	best := -1
	for i, r := range rs {
		switch {
		case r.Contains(today):
			return i
		case today.Before(r.From) && (best < 0 || r.From.Before(rs[best].From)):
			best = i
		}
	}
	return best
}

// outOfOfficeFrom lists p's out-of-office ranges that end today or later,
// from the config file and from the store, by start date.
func outOfOfficeFrom(p *Person, st *PersonState, today Date) []DateRange {
	var out []DateRange
	add := func(rs []DateRange) {
		for _, r := range rs {
			if !r.To.Before(today) && !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	add(p.OutOfOffice)
	if st != nil {
		add(st.OutOfOffice)
	}
	slices.SortStableFunc(out, func(a, b DateRange) int {
		switch {
		case a.From.Before(b.From):
			return -1
		case b.From.Before(a.From):
			return 1
		}
		return 0
	})
	return out
}

// outOfOfficeOn returns the range of rs containing the date of t in loc.
func outOfOfficeOn(rs []DateRange, t time.Time, loc *time.Location) (DateRange, bool) {
	d := DateOf(t.In(loc))
	for _, r := range rs {
		if r.Contains(d) {
			return r, true
		}
	}
	return DateRange{}, false
}
