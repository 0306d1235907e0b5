package config

import (
	"slices"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Upcoming is what `cadencebot config check` prints for one ritual, or for
// one participant of a per-person ritual.
type Upcoming struct {
	Ritual *cadence.Ritual
	Person *cadence.Person // set for per-person rituals only
	Zone   *time.Location  // the zone Fires are expressed in
	Fires  []Fire
}

// Fire is one scheduled instant. Skip says why no occurrence is expected
// then ("skip date", "holiday", "out of office"); the engine decides, this
// only shows the config's effect.
type Fire struct {
	At   time.Time
	Skip string
}

// NextFireTimes lists the next n fire times after now of every ritual, in
// its zone; per-person rituals get one entry per participant, in that
// person's zone.
func NextFireTimes(cfg *Config, now time.Time, n int) []Upcoming {
	var out []Upcoming
	for _, r := range cfg.Rituals {
		if r.Schedule == nil {
			continue
		}
		if !r.PerPersonTime {
			out = append(out, Upcoming{Ritual: r, Zone: r.Location, Fires: fires(r, nil, r.Location, now, n)})
			continue
		}
		for _, id := range r.Participants {
			p := cfg.Roster.Person(id)
			if p == nil {
				continue
			}
			loc := p.Location
			if loc == nil {
				loc = r.Location
			}
			out = append(out, Upcoming{Ritual: r, Person: p, Zone: loc, Fires: fires(r, p, loc, now, n)})
		}
	}
	return out
}

func fires(r *cadence.Ritual, p *cadence.Person, loc *time.Location, now time.Time, n int) []Fire {
	var out []Fire
	t := now
	for len(out) < n {
		var next time.Time
		if p != nil {
			next = r.Schedule.NextIn(t, loc)
		} else {
			next = r.Schedule.Next(t)
		}
		if next.IsZero() {
			break
		}
		at := next.In(loc)
		f := Fire{At: at}
		if slices.Contains(r.SkipDates, cadence.DateOf(at)) {
			f.Skip = "skip date"
		} else if p != nil {
			if away, why := p.Away(at); away {
				f.Skip = why
			}
		}
		out = append(out, f)
		t = next
	}
	return out
}
