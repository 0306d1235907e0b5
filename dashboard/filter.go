package dashboard

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// DefaultWeeks is how many ISO weeks the dashboard shows when no date
// range is given: the current week and the eleven before it.
const DefaultWeeks = 12

// maxRange bounds a query so one request cannot ask for decades.
const maxRange = 3 * 366 * 24 * time.Hour

const dateLayout = "2006-01-02"

// Filter is what the query string selects. Dates are UTC civil dates,
// the same calendar the weekly rollup (Monday 00:00 UTC) uses.
type Filter struct {
	From, To   time.Time // [From, To): To is midnight after the last day shown
	RitualIDs  []string
	Capability string
	PersonIDs  []string // the people holding Capability
	Sort       string   // column key of the page's main table; "" = default order
	Desc       bool
	// Weeks is a preset's length ("weeks=13"): the range ends today and
	// starts that many ISO weeks back, so a bookmark keeps rolling.
	Weeks int

	fromSet, toSet bool
}

// FilterError is a bad query parameter; the handlers answer 400 with it.
type FilterError struct {
	Param string
	Msg   string
}

func (e *FilterError) Error() string { return fmt.Sprintf("query parameter %q: %s", e.Param, e.Msg) }

// Presets are the period links above the filters, in ISO weeks.
var Presets = []struct {
	Label string
	Weeks int
}{{"4 weeks", 4}, {"Quarter", 13}, {"Year", 52}}

// maxWeeks bounds the weeks parameter like maxRange bounds dates.
const maxWeeks = 156

// ParseFilter reads from, to (YYYY-MM-DD, inclusive), weeks (a preset
// length instead of from), ritual (repeatable), cap, sort and dir. Unknown rituals and capabilities are errors rather
// than empty results, so a typo in a bookmarked URL is visible.
func ParseFilter(q url.Values, now time.Time, rituals []*cadence.Ritual, roster *cadence.Roster) (Filter, error) {
	var f Filter
	today := midnightUTC(now)
	f.To = today.AddDate(0, 0, 1)
	if s := strings.TrimSpace(q.Get("to")); s != "" {
		d, err := time.Parse(dateLayout, s)
		if err != nil {
			return f, &FilterError{"to", fmt.Sprintf("%q is not a date in YYYY-MM-DD form", s)}
		}
		f.To, f.toSet = d.AddDate(0, 0, 1), true
	}
	weeks := DefaultWeeks
	if s := strings.TrimSpace(q.Get("weeks")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxWeeks {
			return f, &FilterError{"weeks", fmt.Sprintf("%q is not a number of weeks from 1 to %d", s, maxWeeks)}
		}
		if strings.TrimSpace(q.Get("from")) != "" {
			return f, &FilterError{"weeks", "give either weeks or from, not both"}
		}
		weeks, f.Weeks = n, n
	}
	f.From = weekStart(f.To.AddDate(0, 0, -1)).AddDate(0, 0, -7*(weeks-1))
	if s := strings.TrimSpace(q.Get("from")); s != "" {
		d, err := time.Parse(dateLayout, s)
		if err != nil {
			return f, &FilterError{"from", fmt.Sprintf("%q is not a date in YYYY-MM-DD form", s)}
		}
		f.From, f.fromSet = d, true
	}
	if !f.From.Before(f.To) {
		return f, &FilterError{"from", fmt.Sprintf("%s is after to (%s)", f.From.Format(dateLayout), f.To.AddDate(0, 0, -1).Format(dateLayout))}
	}
	if f.To.Sub(f.From) > maxRange {
		return f, &FilterError{"from", "the range is longer than 3 years"}
	}

	for _, id := range q["ritual"] {
		if id = strings.TrimSpace(id); id == "" {
			continue // the form's "all rituals" option
		}
		if !slices.ContainsFunc(rituals, func(r *cadence.Ritual) bool { return r.ID == id }) {
			return f, &FilterError{"ritual", fmt.Sprintf("no ritual with id %q", id)}
		}
		if !slices.Contains(f.RitualIDs, id) {
			f.RitualIDs = append(f.RitualIDs, id)
		}
	}

	if c := strings.TrimSpace(q.Get("cap")); c != "" {
		f.Capability = c
		for _, p := range roster.People() {
			if p.HasCapability(c) {
				f.PersonIDs = append(f.PersonIDs, p.ID)
			}
		}
		if len(f.PersonIDs) == 0 {
			return f, &FilterError{"cap", fmt.Sprintf("nobody in the roster has capability %q", c)}
		}
	}

	f.Sort = strings.TrimSpace(q.Get("sort"))
	switch dir := q.Get("dir"); dir {
	case "", "asc":
	case "desc":
		f.Desc = true
	default:
		return f, &FilterError{"dir", fmt.Sprintf("%q is not asc or desc", dir)}
	}
	return f, nil
}

// Query is the report query the filter selects.
func (f Filter) Query() cadence.ReportQuery {
	return cadence.ReportQuery{From: f.From, To: f.To, RitualIDs: f.RitualIDs, PersonIDs: f.PersonIDs}
}

// LastDay is the inclusive end date shown in the form.
func (f Filter) LastDay() time.Time { return f.To.AddDate(0, 0, -1) }

// Values encodes the filter back into a query string. Dates left to
// their default stay out, so a bookmark keeps rolling with the calendar.
func (f Filter) Values() url.Values {
	v := url.Values{}
	if f.fromSet {
		v.Set("from", f.From.Format(dateLayout))
	}
	if f.Weeks > 0 {
		v.Set("weeks", strconv.Itoa(f.Weeks))
	}
	if f.toSet {
		v.Set("to", f.LastDay().Format(dateLayout))
	}
	for _, id := range f.RitualIDs {
		v.Add("ritual", id)
	}
	if f.Capability != "" {
		v.Set("cap", f.Capability)
	}
	if f.Sort != "" {
		v.Set("sort", f.Sort)
		if f.Desc {
			v.Set("dir", "desc")
		}
	}
	return v
}

// capabilities lists every capability in the roster, sorted.
func capabilities(roster *cadence.Roster) []string {
	var out []string
	for _, p := range roster.People() {
		for _, c := range p.Capabilities {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	slices.Sort(out)
	return out
}

func midnightUTC(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// weekStart is Monday 00:00 UTC of t's ISO week.
func weekStart(t time.Time) time.Time {
	d := midnightUTC(t)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// weekLabel names t's ISO week the way cadence.WeekAdherence does: "2026-W48".
func weekLabel(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// weeksIn lists the Monday of every ISO week that overlaps [from, to).
func weeksIn(from, to time.Time) []time.Time {
	var out []time.Time
	for w := weekStart(from); w.Before(to); w = w.AddDate(0, 0, 7) {
		out = append(out, w)
	}
	return out
}
