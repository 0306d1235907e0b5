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
		if out.wallNext(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
			return nil, fmt.Errorf("schedule %q: never fires: no calendar date matches its day-of-month, month and day-of-week fields", spec)
		}
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

// Period is the shortest nominal (wall-clock) gap between two fire times,
// used to reject a response window longer than the period.
func (s *Schedule) Period() time.Duration {
	if s.interval > 0 {
		return s.interval
	}
	// Every matching day fires at the same minutes of the day, so the
	// shortest gap is either inside a day or from a day's last fire to the
	// next matching day's first. Walking days is cheap; walking fire
	// times with cron/v3 cost a millisecond per ritual.
	w := s.wall
	var mins []int
	for h := range 24 {
		for m := range 60 {
			if w.Hour&(1<<uint(h)) != 0 && w.Minute&(1<<uint(m)) != 0 {
				mins = append(mins, h*60+m)
			}
		}
	}
	if len(mins) == 0 {
		return time.Duration(1<<63 - 1)
	}
	gap := 1<<62 - 1
	for i := 1; i < len(mins); i++ {
		gap = min(gap, mins[i]-mins[i-1])
	}
	// The shortest run of days between two matching days, over eight
	// years from a fixed date (a 29 February comes every four).
	dayGap, last := 1<<31, -1
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 8*366 && dayGap > 1; i, day = i+1, day.AddDate(0, 0, 1) {
		if !s.dayMatches(day) {
			continue
		}
		if last >= 0 {
			dayGap = min(dayGap, i-last)
		}
		last = i
	}
	if dayGap < 1<<31 {
		gap = min(gap, dayGap*24*60-(mins[len(mins)-1]-mins[0]))
	}
	if gap >= 1<<62-1 {
		return time.Duration(1<<63 - 1)
	}
	return time.Duration(gap) * time.Minute
}

// dayMatches is cron's rule for a civil date: the month, and the day of
// month or of week (both when one of them is "*").
func (s *Schedule) dayMatches(d time.Time) bool {
	const star = 1 << 63
	w := s.wall
	if w.Month&(1<<uint(d.Month())) == 0 {
		return false
	}
	dom, dow := w.Dom&(1<<uint(d.Day())) != 0, w.Dow&(1<<uint(d.Weekday())) != 0
	if w.Dom&star != 0 || w.Dow&star != 0 {
		return dom && dow
	}
	return dom || dow
}

// Next returns the first fire instant strictly after t, or the zero time
// if the schedule never fires (ParseSchedule refuses such a spec).
func (s *Schedule) Next(t time.Time) time.Time {
	return s.NextIn(t, s.loc)
}

// NextIn is Next with the wall-clock fields read in loc instead of the
// schedule's zone: per-person rituals fire at 09:15 in each person's zone.
//
// A wall time w fires at instantOfWall(w), the first instant at which the
// wall clock of loc reaches w. That map never decreases, so the next fire
// after t is the first matching wall time beyond every wall time loc has
// already shown by t: in the second pass of a fall-back hour, the walls
// of the repeated hour have fired on their first pass. No candidate is
// ever tried and dropped, so Next is total for any spec and any zone.
func (s *Schedule) NextIn(t time.Time, loc *time.Location) time.Time {
	if s.interval > 0 {
		// Align to whole seconds so IDs derived from instants are stable.
		return t.Truncate(time.Second).Add(s.interval).UTC()
	}
	nw := s.wallNext(highestWall(t, loc))
	if nw.IsZero() {
		return time.Time{}
	}
	return instantOfWall(nw, loc).UTC()
}

// maxShift bounds how far the wall clock of any zone moves at one
// transition, and how far any offset is from UTC (LMT offsets reach
// ±15h56m; date-line moves shift the wall clock by a day).
const maxShift = 30 * time.Hour

// highestWall is the latest wall-clock reading loc has shown at or before
// t. It is t's own reading, unless t is in the second pass of a fall-back:
// then it is the reading just before that fall-back.
func highestWall(t time.Time, loc *time.Location) time.Time {
	high := wallAsUTC(t.In(loc))
	// Readings older than maxShift before t are below t's: a transition
	// moves the clock back by less than that.
	for at := t; !at.Before(t.Add(-maxShift)); {
		start, _ := at.In(loc).ZoneBounds()
		if start.IsZero() || start.Before(t.Add(-maxShift)) {
			break
		}
		before := start.Add(-time.Nanosecond)
		if w := wallAsUTC(before.In(loc)); w.After(high) {
			high = w
		}
		at = before
	}
	return high
}

// wallNext returns the first wall time strictly after w that the spec
// matches, or zero if none ever does. cron/v3 gives up five years after
// its start; a leap day that falls on a Monday can be 28 years away, so
// search on in steps, over a whole 400-year Gregorian cycle (after which
// the calendar repeats).
func (s *Schedule) wallNext(w time.Time) time.Time {
	from := w
	for range 101 { // each round moves on by at least four years
		if n := s.wall.Next(from); !n.IsZero() {
			return n
		}
		// cron/v3 searched through the end of from's year + 5.
		from = time.Date(from.Year()+5, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)
	}
	return time.Time{}
}

// wallAsUTC keeps t's wall-clock fields and drops its zone.
func wallAsUTC(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// instantOfWall maps zone-free wall-clock fields to the first instant at
// which loc's wall clock reads w or later: the earlier instant when w
// exists twice (fall-back), and the instant the gap ends when w does not
// exist (spring-forward).
func instantOfWall(w time.Time, loc *time.Location) time.Time {
	// Walk loc's zone periods forward from an instant whose reading is
	// surely before w; in each period [start, end) the reading is the
	// instant plus a fixed offset, so it reaches w at w-offset, or at
	// start if the period begins past w.
	at := w.Add(-maxShift)
	for {
		local := at.In(loc)
		_, off := local.Zone()
		start, end := local.ZoneBounds()
		cand := w.Add(-time.Duration(off) * time.Second)
		if cand.Before(at) {
			cand = at // at is start, or the walk's first instant
		}
		if end.IsZero() || cand.Before(end) {
			return cand
		}
		if !start.IsZero() && !end.After(start) {
			return cand // never happens with real zone data; never loop
		}
		at = end
	}
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
