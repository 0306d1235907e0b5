package cadence

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Rotation is an on-call rotation ([[rotations]]): Members take turns of
// Length days, in order, starting with Members[0] on Start. Each turn
// starts at the hand-off wall-clock time in Location, so a turn that
// spans a DST change lasts an hour more or less, and the hand-off stays
// at 09:00 local.
type Rotation struct {
	ID      string
	Title   string
	Members []string
	// Location is the hand-off zone.
	Location *time.Location
	// Start is the civil date of the first hand-off (on the hand-off
	// weekday, when Length is whole weeks).
	Start Date
	// HandoffHour and HandoffMinute are the hand-off wall-clock time.
	HandoffHour, HandoffMinute int
	// Length is a turn's length in days.
	Length int
	// Overrides from the config file (holiday cover); swaps made with
	// /cadence oncall swap live in the store.
	Overrides []Override
	// Import, if set, reads the current on-call from PagerDuty or
	// Opsgenie; it wins over the schedule for the shift it covers.
	Import *RotationImport
}

// RotationImport is [rotations.import]: the rotation's current on-call is
// read from an incident-response tool. Provider names it ("pagerduty" or
// "opsgenie"); the token is in the environment variable TokenEnv, never
// in the config file.
type RotationImport struct {
	Provider string
	Schedule string
	TokenEnv string
	// URL is the API base; empty: the provider's public one.
	URL string
	// Every is how often to ask.
	Every time.Duration
}

// Override puts Person on call in [From, To) instead of the schedule.
type Override struct {
	Rotation string
	From, To time.Time
	Person   string
	// Replaces is who the schedule had on call (swaps), or "".
	Replaces string
	By       string
	At       time.Time
	Note     string
}

// Shift is who is on call from From until To. Person is "" before a
// rotation's first hand-off.
type Shift struct {
	Rotation string
	Person   string
	From, To time.Time
	// Override is set when the shift comes from an override or swap.
	Override *Override
}

// handoff is the instant turn k starts: the hand-off wall time on the
// date Start + k*Length in the rotation's zone; a time that does not
// exist that day (spring-forward) is the instant the gap ends.
func (r *Rotation) handoff(k int) time.Time {
	d := time.Date(r.Start.Year, r.Start.Month, r.Start.Day+k*r.Length, r.HandoffHour, r.HandoffMinute, 0, 0, time.UTC)
	return instantOfWall(d, r.loc()).UTC()
}

func (r *Rotation) loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// turn is the index of the turn in force at t (negative before Start).
func (r *Rotation) turn(t time.Time) int {
	period := time.Duration(r.Length) * 24 * time.Hour
	k := int(t.Sub(r.handoff(0)) / period)
	if t.Before(r.handoff(0)) {
		k-- // integer division truncates towards zero
	}
	// DST shifts hand-offs by at most a few hours: one step fixes it.
	for r.handoff(k).After(t) {
		k--
	}
	for !r.handoff(k + 1).After(t) {
		k++
	}
	return k
}

// scheduled is the turn in force at t, without overrides.
func (r *Rotation) scheduled(t time.Time) Shift {
	k := r.turn(t)
	s := Shift{Rotation: r.ID, From: r.handoff(k), To: r.handoff(k + 1)}
	if k < 0 {
		return Shift{Rotation: r.ID, To: r.handoff(0)}
	}
	if n := len(r.Members); n > 0 {
		s.Person = r.Members[k%n]
	}
	return s
}

// OnCallAt says who is on call in r at instant t, given the overrides
// (config and store, in any order; they must not overlap: see
// CheckOverrides). The shift returned is cut where an override begins or
// ends, so its To is the next change of person or hand-off.
func OnCallAt(r *Rotation, overrides []Override, t time.Time) Shift {
	t = t.UTC()
	for i := range overrides {
		ov := &overrides[i]
		if ov.Rotation != "" && ov.Rotation != r.ID {
			continue
		}
		if !t.Before(ov.From) && t.Before(ov.To) {
			return Shift{Rotation: r.ID, Person: ov.Person, From: ov.From.UTC(), To: ov.To.UTC(), Override: ov}
		}
	}
	s := r.scheduled(t)
	for _, ov := range overrides {
		if ov.Rotation != "" && ov.Rotation != r.ID {
			continue
		}
		if !ov.To.After(t) && ov.To.After(s.From) {
			s.From = ov.To.UTC()
		}
		if ov.From.After(t) && ov.From.Before(s.To) {
			s.To = ov.From.UTC()
		}
	}
	return s
}

// NextOnCall is the shift after cur: the next person to be on call. It
// skips pieces of the same person (an override ending where their own
// turn resumes), and looks at most one full cycle ahead.
func NextOnCall(r *Rotation, overrides []Override, cur Shift) Shift {
	next := cur
	for i := 0; i < 2*len(r.Members)+2*len(overrides)+2; i++ {
		next = OnCallAt(r, overrides, next.To)
		if next.Person != cur.Person {
			return next
		}
	}
	return next
}

// CheckOverrides reports an override that ends before it starts, names
// nobody, or overlaps another: any of them would leave the rotation with
// a gap (nobody on call) or an overlap (two people on call).
func CheckOverrides(overrides []Override) error {
	sorted := slices.Clone(overrides)
	slices.SortFunc(sorted, func(a, b Override) int {
		if c := strings.Compare(a.Rotation, b.Rotation); c != 0 {
			return c
		}
		return a.From.Compare(b.From)
	})
	for i, ov := range sorted {
		if ov.Person == "" {
			return Refusef(ErrInvalidInput, "the override from %s to %s names nobody: that leaves a gap with nobody on call", UTCStamp(ov.From), UTCStamp(ov.To))
		}
		if !ov.To.After(ov.From) {
			return Refusef(ErrInvalidInput, "the override for %s ends (%s) before it starts (%s): that leaves a gap", ov.Person, UTCStamp(ov.To), UTCStamp(ov.From))
		}
		if i > 0 {
			prev := sorted[i-1]
			if prev.Rotation == ov.Rotation && ov.From.Before(prev.To) {
				return Refusef(ErrConflict, "overlap: %s is on call from %s to %s%s, and %s from %s to %s%s",
					prev.Person, UTCStamp(prev.From), UTCStamp(prev.To), prev.origin(), ov.Person, UTCStamp(ov.From), UTCStamp(ov.To), ov.origin())
			}
		}
	}
	return nil
}

// origin says where a stored swap came from; config overrides say
// nothing (the error names their place in the file).
func (ov Override) origin() string {
	if ov.By == "" {
		return ""
	}
	return fmt.Sprintf(" (a swap stored by %s on %s)", ov.By, UTCStamp(ov.At))
}

// UTCStamp writes t as on-call records show when something was stored:
// "2026-11-30 09:15 UTC".
func UTCStamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// PlanSwap computes the two overrides of "a and b swap on day": b takes
// a's turn in force at the hand-off time of day (from now, if it has
// begun), and a takes b's next turn after it. It refuses when a is not
// on call then, b has no later turn, or either turn is already changed
// by an override (the swap would overlap it).
func PlanSwap(r *Rotation, existing []Override, a, b string, day Date, now time.Time) ([]Override, error) {
	if a == b {
		return nil, Refusef(ErrInvalidInput, "swap needs two different people")
	}
	for _, p := range []string{a, b} {
		if !slices.Contains(r.Members, p) {
			return nil, Refusef(ErrInvalidInput, "%s is not a member of rotation %s (members: %s)", p, r.ID, strings.Join(r.Members, ", "))
		}
	}
	at := instantOfWall(time.Date(day.Year, day.Month, day.Day, r.HandoffHour, r.HandoffMinute, 0, 0, time.UTC), r.loc()).UTC()
	base := r.scheduled(at)
	if base.Person == "" {
		return nil, Refusef(ErrInvalidInput, "rotation %s starts on %s; %s is before it", r.ID, r.Start, day)
	}
	if !base.To.After(now) {
		return nil, Refusef(ErrInvalidInput, "the turn in force on %s ended at %s: a past turn cannot be swapped", day, UTCStamp(base.To))
	}
	if eff := OnCallAt(r, existing, at); eff.Override != nil {
		return nil, Refusef(ErrConflict, "the turn in force on %s is already changed: %s is on call from %s to %s instead of the schedule; a swap on top would overlap it",
			day, eff.Person, UTCStamp(eff.From), UTCStamp(eff.To))
	}
	if base.Person != a {
		return nil, Refusef(ErrInvalidInput, "%s is not on call in %s on %s: %s is (from %s to %s)", a, r.ID, day, base.Person, UTCStamp(base.From), UTCStamp(base.To))
	}
	k := r.turn(at)
	other := Shift{}
	for i := 1; i <= len(r.Members); i++ {
		if r.Members[(k+i)%len(r.Members)] == b {
			other = Shift{Person: b, From: r.handoff(k + i), To: r.handoff(k + i + 1)}
			break
		}
	}
	from := base.From
	if from.Before(now) {
		from = now.UTC().Truncate(time.Minute)
	}
	out := []Override{
		{Rotation: r.ID, From: from, To: base.To, Person: b, Replaces: a},
		{Rotation: r.ID, From: other.From, To: other.To, Person: a, Replaces: b},
	}
	if err := CheckOverrides(append(slices.Clone(existing), out...)); err != nil {
		return nil, fmt.Errorf("swap %s and %s on %s: %w", a, b, day, err)
	}
	return out, nil
}

// InstantOfWall is the instant loc's wall clock first reads w's fields
// (w's own zone is ignored): the earlier one at fall-back, the end of the
// gap at spring-forward, as schedules do.
func InstantOfWall(w time.Time, loc *time.Location) time.Time {
	return instantOfWall(wallAsUTC(w), loc).UTC()
}
