package cadence

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule computes fire times of a cron spec in a time zone, with the DST
// rules we promise (cron/v3 alone skips a 02:30 job on spring-forward and
// runs a 01:30 job twice on fall-back):
//
//   - a wall-clock time that does not exist (spring-forward gap) fires at
//     the first instant after the gap;
//   - a wall-clock time that exists twice (fall-back) fires once, at its
//     first instant.
//
// cron/v3 is used only to parse the spec and to step through wall-clock
// fields; we evaluate it on a zone-free copy of the wall clock (UTC) and map
// the result back into the zone ourselves.
type Schedule struct {
	spec     string
	loc      *time.Location
	wall     *cron.SpecSchedule // evaluated in UTC as a zone-free wall clock
	interval time.Duration      // for "@every": a constant delay, zone-free
}

var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a 5-field cron spec, a descriptor (@daily, @weekly,
// ...) or "@every 30s". A "CRON_TZ=Zone " prefix overrides loc.
func ParseSchedule(spec string, loc *time.Location) (*Schedule, error) {
	s := strings.TrimSpace(spec)
	if s == "" {
		return nil, fmt.Errorf("empty schedule")
	}
	if loc == nil {
		loc = time.UTC
	}
	if strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ=") {
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return nil, fmt.Errorf("schedule %q has a time zone but no spec", spec)
		}
		name := s[strings.Index(s, "=")+1 : i]
		l, err := time.LoadLocation(name)
		if err != nil {
			return nil, fmt.Errorf("schedule %q: unknown time zone %q", spec, name)
		}
		loc = l
		s = strings.TrimSpace(s[i:])
	}
	// cron/v3 silently rounds "@every 500ms" up to 1s and "@every 1.5s"
	// down to 1s; check the duration as written.
	if rest, ok := strings.CutPrefix(s, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return nil, fmt.Errorf("schedule %q: %w", spec, err)
		}
		if d < time.Second || d%time.Second != 0 {
			return nil, fmt.Errorf("schedule %q: @every needs a whole number of seconds, at least 1s", spec)
		}
	}
	parsed, err := specParser.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	out := &Schedule{spec: strings.TrimSpace(spec), loc: loc}
	switch p := parsed.(type) {
	case *cron.SpecSchedule:
		c := *p
		c.Location = time.UTC
		out.wall = &c
	case cron.ConstantDelaySchedule:
		if p.Delay < time.Second {
			return nil, fmt.Errorf("schedule %q: @every needs at least 1s", spec)
		}
		out.interval = p.Delay
	default:
		return nil, fmt.Errorf("schedule %q: unsupported kind %T", spec, parsed)
	}
	return out, nil
}

// String returns the spec as written.
func (s *Schedule) String() string { return s.spec }

// Location is the zone in which the spec's wall-clock fields are read.
func (s *Schedule) Location() *time.Location { return s.loc }

// Interval is the constant delay of an "@every" schedule, or 0.
func (s *Schedule) Interval() time.Duration { return s.interval }

// Period is a conservative estimate of the shortest gap between two fire
// times, used to reject a response window longer than the period.
func (s *Schedule) Period() time.Duration {
	if s.interval > 0 {
		return s.interval
	}
	// Scan a year of fire times from a fixed reference to find the
	// minimum gap. Fixed reference keeps this deterministic.
	t := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	minGap := time.Duration(1<<63 - 1)
	prev := s.wallNext(t)
	for i := 0; i < 400 && !prev.IsZero(); i++ {
		n := s.wallNext(prev)
		if n.IsZero() {
			break
		}
		if g := n.Sub(prev); g < minGap {
			minGap = g
		}
		prev = n
	}
	return minGap
}

// Next returns the first fire instant strictly after t, or the zero time
// if there is none within five years.
func (s *Schedule) Next(t time.Time) time.Time {
	return s.NextIn(t, s.loc)
}

// NextIn is Next with the wall-clock fields read in loc instead of the
// schedule's zone: per-person rituals fire at 09:15 in each person's zone.
func (s *Schedule) NextIn(t time.Time, loc *time.Location) time.Time {
	if s.interval > 0 {
		// Align to whole seconds so IDs derived from instants are stable.
		return t.Truncate(time.Second).Add(s.interval).UTC()
	}
	local := t.In(loc)
	w := wallAsUTC(local)
	for i := 0; i < 3; i++ {
		nw := s.wallNext(w)
		if nw.IsZero() {
			return time.Time{}
		}
		inst := instantOfWall(nw, loc)
		if inst.After(t) {
			return inst.UTC()
		}
		// The wall time maps to an instant at or before t: it is the
		// second pass of a fall-back hour we already fired. Step on.
		w = nw
	}
	return time.Time{}
}

func (s *Schedule) wallNext(w time.Time) time.Time { return s.wall.Next(w) }

// wallAsUTC keeps t's wall-clock fields and drops its zone.
func wallAsUTC(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// instantOfWall maps zone-free wall-clock fields to an instant in loc:
// the earlier instant when the wall time is ambiguous, and the end of the
// gap when it does not exist.
func instantOfWall(w time.Time, loc *time.Location) time.Time {
	// Try both offsets around w and keep the earliest instant whose wall
	// clock in loc equals w. Offsets are found by probing a day either side.
	var best, latest time.Time
	for _, probe := range []time.Time{w.Add(-36 * time.Hour), w.Add(36 * time.Hour)} {
		_, off := time.Date(probe.Year(), probe.Month(), probe.Day(), probe.Hour(), probe.Minute(), 0, 0, loc).Zone()
		cand := w.Add(-time.Duration(off) * time.Second)
		if wallAsUTC(cand.In(loc)).Equal(w) && (best.IsZero() || cand.Before(best)) {
			best = cand
		}
		if cand.After(latest) {
			latest = cand
		}
	}
	if !best.IsZero() {
		return best
	}
	// w falls in a gap. The later candidate lies just past the gap, in the
	// zone period that began at the transition: fire at that transition.
	if start, _ := latest.In(loc).ZoneBounds(); !start.IsZero() && !start.After(latest) && latest.Sub(start) < 24*time.Hour {
		return start
	}
	return latest
}

// WallIn maps a fire instant of s to the instant with the same civil date
// and the same wall-clock fire in loc: for a per-person ritual, fire is the
// ritual's 09:15 in Zurich, and the result is 09:15 on the same date in
// loc. The DST rules of NextIn apply in loc. "@every" schedules have no
// wall clock: fire is returned unchanged.
func (s *Schedule) WallIn(fire time.Time, loc *time.Location) time.Time {
	if s.interval > 0 || loc == nil {
		return fire.UTC()
	}
	day := DateOf(fire.In(s.loc))
	// fire is the k-th fire of its civil date in the schedule's zone; take
	// the k-th fire of the same date in loc, so "0 9,15 * * *" maps 15:00
	// to 15:00 and not to the day's first fire.
	k := 0
	for t := s.Next(day.In(s.loc).Add(-time.Nanosecond)); !t.IsZero() && t.Before(fire) && k < 1440; t = s.Next(t) {
		k++
	}
	t := s.NextIn(day.In(loc).Add(-time.Nanosecond), loc)
	for ; k > 0 && !t.IsZero(); k-- {
		t = s.NextIn(t, loc)
	}
	return t
}
