package cadence

import (
	"cmp"
	"context"
	"errors"
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
	reminders map[string][]time.Duration // ritual → offsets, largest first
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
	l := &engineLive{byID: map[string]*Ritual{}, reminders: map[string][]time.Duration{}, roster: roster}
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

// opsLive is what Ops reads of the configuration, swapped as one value.
type opsLive struct {
	roster    *Roster
	rituals   []*Ritual
	approvers map[string]bool // nil: the default approvers (IsDefaultApprover)
}

func (o *Ops) live() *opsLive { return o.cur.Load() }

// LiveRoster is the roster in force, for views built once at start that
// must follow reloads. (Not Roster: OpsService gets that from its Service.)
func (o *Ops) LiveRoster() *Roster { return o.live().roster }

func buildOpsLive(roster *Roster, rituals []*Ritual, approvers []string) (*opsLive, error) {
	if roster == nil {
		roster = NewRoster(nil)
	}
	l := &opsLive{roster: roster, rituals: rituals}
	if len(approvers) > 0 {
		l.approvers = map[string]bool{}
		for _, id := range approvers {
			if roster.Person(id) == nil {
				return nil, fmt.Errorf("ops: approver %q is not in the roster", id)
			}
			l.approvers[id] = true
		}
	}
	return l, nil
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
		if f := changedFields(p, x); len(f) > 0 {
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

// changedFields compares two structs field by field. Schedules compare by
// their spec and zones by name: parsing the same file twice gives equal
// values but different pointers.
func changedFields[T any](a, b *T) []string {
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

// ReloadInput is a new configuration for OpsService.Reload.
type ReloadInput struct {
	Rituals   []*Ritual
	Roster    *Roster
	Approvers []string // [releases] approvers; empty: the default approvers
	// Source names where it came from, for the audit log ("config.toml").
	Source string
	// Actor is who made the change (ConfigActor when empty: the file).
	Actor string
	// Apply, if set, runs once the configuration is in force, for what
	// lives beside the engine (on-call rotations, views of the config).
	Apply func()
}

// ConfigActor is the audit actor of changes made by reloading the config.
const ConfigActor = "config"

// Handover is an open follow-up given to a ritual's lead because its owner
// left the roster.
type Handover struct {
	FollowUp, From, To string
}

// Reload puts a new configuration in force without a restart, or changes
// nothing and says why. People removed from the roster keep their
// history; they are excused from open occurrences, and their open
// follow-ups go to the lead of a ritual they were in (told in chat). A
// reload that changes something is audited with what changed.
func (s *OpsService) Reload(ctx context.Context, in ReloadInput) (ConfigChange, []Handover, error) {
	eng, ok := s.Service.(*Engine)
	if !ok {
		return ConfigChange{}, nil, errors.New("reload: the service does not run an engine")
	}
	// Check everything before swapping anything.
	olive, err := buildOpsLive(in.Roster, in.Rituals, in.Approvers)
	if err != nil {
		return ConfigChange{}, nil, err
	}
	elive, err := eng.build(in.Rituals, in.Roster)
	if err != nil {
		return ConfigChange{}, nil, err
	}
	prev := eng.live()
	change := eng.swap(elive)
	if old := s.Ops.cur.Swap(olive); !maps.Equal(old.approvers, olive.approvers) {
		change.Approvers = []string{"default"}
		if olive.approvers != nil {
			change.Approvers = slices.Sorted(maps.Keys(olive.approvers))
		}
	}
	if in.Apply != nil {
		in.Apply()
	}
	if change.Empty() {
		return change, nil, nil
	}
	now := s.Ops.now()
	var handed []Handover
	var enqueued bool
	err = s.Ops.store.Update(ctx, func(tx Tx) error {
		handed, enqueued = nil, false
		if err := excuseRemoved(tx, change.PeopleRemoved); err != nil {
			return err
		}
		for _, id := range change.PeopleRemoved {
			to := handoverLead(id, prev.rituals, elive)
			from := id
			if p := prev.roster.Person(id); p != nil && p.Name != "" {
				from = p.Name
			}
			h, q, err := s.Ops.handOver(tx, id, from, to, now)
			if err != nil {
				return err
			}
			handed, enqueued = append(handed, h...), enqueued || q
		}
		d := change.Details()
		for _, h := range handed {
			d["followups_handed_over"] = strings.TrimPrefix(d["followups_handed_over"]+", "+h.FollowUp+" "+h.From+"→"+h.To, ", ")
		}
		_, err := AppendAudit(tx, AuditEntry{At: now, Actor: cmp.Or(in.Actor, ConfigActor), Action: "config.reload", Target: "config:" + in.Source, Details: d})
		return err
	})
	if err != nil {
		// The new configuration runs; only the bookkeeping failed. Say so:
		// the next reload of the same file changes nothing and would not retry.
		return change, nil, fmt.Errorf("reload applied, but recording it failed: %w", err)
	}
	if enqueued && s.Ops.enqueued != nil {
		s.Ops.enqueued()
	}
	return change, handed, nil
}

// excuseRemoved excuses people who left the roster from open occurrences:
// nobody could answer for them, and reminders to them could not be sent.
// Their answers already given stay.
func excuseRemoved(tx Tx, removed []string) error {
	if len(removed) == 0 {
		return nil
	}
	open, err := tx.Occurrences(OccurrenceFilter{Status: []Status{StatusOpen}})
	if err != nil {
		return err
	}
	for _, o := range open {
		changed := false
		for _, p := range removed {
			if slices.Contains(o.Expected, p) {
				excuse(o, p, "removed from the roster")
				changed = true
			}
		}
		if changed {
			if err := tx.PutOccurrence(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// handoverLead is who takes over a departed person's follow-ups: the
// lead (in the new config) of the first ritual the person was in, else
// the first lead or admin on the new roster.
func handoverLead(person string, prev []*Ritual, next *engineLive) string {
	ok := func(id string) bool { return id != "" && id != person && next.roster.Person(id) != nil }
	for _, r := range prev {
		if !slices.Contains(r.Participants, person) && !slices.Contains(r.Facilitators, person) && r.Lead != person {
			continue
		}
		if n := next.byID[r.ID]; n != nil && ok(n.Lead) {
			return n.Lead
		}
		if ok(r.Lead) {
			return r.Lead
		}
	}
	for _, p := range next.roster.People() {
		if p.Role.CanRunRituals() && ok(p.ID) {
			return p.ID
		}
	}
	return ""
}

// handOver gives person's open follow-ups to lead and tells the lead,
// saying who left (from: their name) so the message is not a surprise.
func (o *Ops) handOver(tx Tx, person, from, lead string, now time.Time) ([]Handover, bool, error) {
	fus, err := tx.FollowUps(FollowUpFilter{Owner: person, Status: []FollowUpStatus{FollowUpOpen}})
	if err != nil || len(fus) == 0 {
		return nil, false, err
	}
	if lead == "" {
		o.log.Warn().Str("person", person).Int("followups", len(fus)).
			Msg("left the roster with open follow-ups and there is no lead to hand them to; reassign them by hand")
		return nil, false, nil
	}
	var out []Handover
	rec := &opRecord{details: map[string]string{}}
	for _, f := range fus {
		inc, err := tx.Incident(f.Incident)
		if err != nil {
			return nil, false, fmt.Errorf("incident of %s: %w", f.ID(), err)
		}
		f.record(now, ConfigActor, fmt.Sprintf("owner %s → %s (%s left the roster)", person, lead, person))
		f.Owner, f.SnoozedUntil = lead, time.Time{}
		if err := tx.PutFollowUp(f); err != nil {
			return nil, false, err
		}
		m := o.followUpAssigned(f, inc, now)
		m.Body.Text += " " + o.to(lead).t("followup.handed_over", "From", from)
		if err := o.enqueue(tx, rec, m); err != nil {
			return nil, false, err
		}
		if err := o.refreshIncidentOwner(tx, rec, f.Incident, now); err != nil {
			return nil, false, err
		}
		out = append(out, Handover{FollowUp: f.ID(), From: person, To: lead})
	}
	return out, rec.enqueued, nil
}
