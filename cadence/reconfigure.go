package cadence

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
)

// engineLive is the configuration an Engine runs: swapped as one value so
// a tick or an answer sees either the old rituals and roster or the new,
// never half of each.
type engineLive struct {
	rituals   []*Ritual
	byID      map[string]*Ritual
	reminders map[string][]time.Duration  // ritual → offsets, largest first
	zones     map[string][]*time.Location // ritual → its participants' zones (PlanInput.zones)
	roster    *Roster
	compose   composer
}

func (e *Engine) live() *engineLive { return e.cur.Load() }

// build checks rituals against roster and prepares them to run.
func (e *Engine) build(rituals []*Ritual, roster *Roster) (*engineLive, error) {
	if roster == nil {
		roster = NewRoster(nil)
	}
	def := e.platform
	l := &engineLive{byID: map[string]*Ritual{}, reminders: map[string][]time.Duration{}, zones: map[string][]*time.Location{}, roster: roster}
	l.compose = composer{roster: roster, l: e.words, grace: e.grace, platform: func(r *Ritual) string {
		if r.Platform != "" {
			return r.Platform
		}
		return def
	}}
	for i, r := range rituals {
		if err := checkRitual(r, roster); err != nil {
			return nil, fmt.Errorf("engine: ritual %d: %w", i+1, err)
		}
		r, err := withChecklist(r) // the checklist is asked in prompts
		if err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		if l.byID[r.ID] != nil {
			return nil, fmt.Errorf("engine: ritual %q is defined twice", r.ID)
		}
		l.byID[r.ID] = r
		l.rituals = append(l.rituals, r)
		l.reminders[r.ID] = sortedReminders(r.Reminders)
		l.zones[r.ID] = participantZones(r, roster)
	}
	return l, nil
}

// Reconfigure puts new rituals and a new roster in force at once: a tick
// under way finishes on the old ones, the next uses the new. Stored state
// is untouched: ritual cursors, pauses and rotations carry on, and an open
// occurrence keeps the window it opened with (planFire will not open a
// second one inside it). Open occurrences of removed rituals are closed at
// the next tick, as at start-up.
func (e *Engine) Reconfigure(rituals []*Ritual, roster *Roster) (ConfigChange, error) {
	next, err := e.build(rituals, roster)
	if err != nil {
		return ConfigChange{}, err
	}
	return e.swap(next), nil
}

func (e *Engine) swap(next *engineLive) ConfigChange {
	prev := e.cur.Swap(next)
	e.orphansClosed.Store(false)
	return diffConfig(prev, next)
}

// ConfigChange says what a reload changed. Field names are those of
// Ritual and Person, lower-cased.
type ConfigChange struct {
	RitualsAdded, RitualsRemoved []string
	RitualsChanged               map[string][]string // ritual → fields
	PeopleAdded, PeopleRemoved   []string
	PeopleChanged                map[string][]string // person → fields
	// Approvers is the new list of release approvers when it changed;
	// ["default"] when it went back to the default approvers.
	Approvers []string
}

// Empty reports whether nothing changed.
func (c ConfigChange) Empty() bool {
	return len(c.RitualsAdded)+len(c.RitualsRemoved)+len(c.RitualsChanged)+
		len(c.PeopleAdded)+len(c.PeopleRemoved)+len(c.PeopleChanged)+len(c.Approvers) == 0
}

// Details spells the change for the audit log and the log line.
func (c ConfigChange) Details() map[string]string {
	d := map[string]string{}
	put := func(k string, ids []string) {
		if len(ids) > 0 {
			d[k] = strings.Join(ids, ", ")
		}
	}
	changed := func(m map[string][]string) []string {
		var out []string
		for _, id := range slices.Sorted(maps.Keys(m)) {
			out = append(out, id+" ("+strings.Join(m[id], ", ")+")")
		}
		return out
	}
	put("rituals_added", c.RitualsAdded)
	put("rituals_removed", c.RitualsRemoved)
	put("rituals_changed", changed(c.RitualsChanged))
	put("people_added", c.PeopleAdded)
	put("people_removed", c.PeopleRemoved)
	put("people_changed", changed(c.PeopleChanged))
	put("approvers", c.Approvers)
	return d
}

func diffConfig(prev, next *engineLive) ConfigChange {
	var c ConfigChange
	c.RitualsAdded, c.RitualsRemoved, c.RitualsChanged = diffByID(
		prev.rituals, next.rituals, func(r *Ritual) string { return r.ID })
	c.PeopleAdded, c.PeopleRemoved, c.PeopleChanged = diffByID(
		prev.roster.People(), next.roster.People(), func(p *Person) string { return p.ID })
	return c
}

// diffByID compares two lists of structs by ID and, for the ones in both,
// names the fields that differ.
func diffByID[T any](prev, next []*T, id func(*T) string) (added, removed []string, changed map[string][]string) {
	old := map[string]*T{}
	for _, x := range prev {
		old[id(x)] = x
	}
	seen := map[string]bool{}
	for _, x := range next {
		k := id(x)
		seen[k] = true
		p, ok := old[k]
		if !ok {
			added = append(added, k)
			continue
		}
		if f := ChangedFields(p, x); len(f) > 0 {
			if changed == nil {
				changed = map[string][]string{}
			}
			changed[k] = f
		}
	}
	for _, x := range prev {
		if !seen[id(x)] {
			removed = append(removed, id(x))
		}
	}
	return added, removed, changed
}

// ChangedFields compares two structs field by field. Schedules compare by
// their spec and zones by name: parsing the same file twice gives equal
// values but different pointers.
func ChangedFields[T any](a, b *T) []string {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	var out []string
	for i := range va.NumField() {
		fa, fb := va.Field(i), vb.Field(i)
		if !va.Type().Field(i).IsExported() {
			continue
		}
		if !sameValue(fa.Interface(), fb.Interface()) {
			out = append(out, strings.ToLower(va.Type().Field(i).Name))
		}
	}
	return out
}

func sameValue(a, b any) bool {
	switch x := a.(type) {
	case *Schedule:
		y := b.(*Schedule)
		if x == nil || y == nil {
			return x == y
		}
		return x.String() == y.String() && x.Location().String() == y.Location().String()
	case *time.Location:
		return x.String() == b.(*time.Location).String()
	}
	return reflect.DeepEqual(a, b)
}

// participantZones lists the distinct zones r's participants are prompted
// in, as Engine.location gives them (nil for an ID not in the roster).
func participantZones(r *Ritual, roster *Roster) []*time.Location {
	seen := map[*time.Location]bool{}
	zones := []*time.Location{}
	for _, id := range r.Participants {
		var loc *time.Location
		if p := roster.Person(id); p != nil {
			loc = p.Zone()
		}
		if !seen[loc] {
			seen[loc] = true
			zones = append(zones, loc)
		}
	}
	return zones
}
