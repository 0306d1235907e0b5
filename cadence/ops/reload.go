package ops

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// opsLive is what Ops reads of the configuration, swapped as one value.
type opsLive struct {
	roster    *cadence.Roster
	rituals   []*cadence.Ritual
	approvers map[string]bool // nil: the default approvers (IsDefaultApprover)
}

func (o *Ops) live() *opsLive { return o.cur.Load() }

// LiveRoster is the roster in force, for views built once at start that
// must follow reloads. (Not Roster: Service gets that from the cadence.Service it wraps.)
func (o *Ops) LiveRoster() *cadence.Roster { return o.live().roster }

func buildOpsLive(roster *cadence.Roster, rituals []*cadence.Ritual, approvers []string) (*opsLive, error) {
	if roster == nil {
		roster = cadence.NewRoster(nil)
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

// ReloadInput is a new configuration for Service.Reload.
type ReloadInput struct {
	Rituals   []*cadence.Ritual
	Roster    *cadence.Roster
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
func (s *Service) Reload(ctx context.Context, in ReloadInput) (cadence.ConfigChange, []Handover, error) {
	eng, ok := s.Service.(*cadence.Engine)
	if !ok {
		return cadence.ConfigChange{}, nil, errors.New("reload: the service does not run an engine")
	}
	// Check everything before swapping anything.
	olive, err := buildOpsLive(in.Roster, in.Rituals, in.Approvers)
	if err != nil {
		return cadence.ConfigChange{}, nil, err
	}
	prev, prevRoster := eng.Rituals(), eng.Roster()
	change, err := eng.Reconfigure(in.Rituals, in.Roster)
	if err != nil {
		return cadence.ConfigChange{}, nil, err
	}
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
	err = s.Ops.store.Update(ctx, func(tx cadence.Tx) error {
		handed, enqueued = nil, false
		if err := excuseRemoved(tx, change.PeopleRemoved); err != nil {
			return err
		}
		for _, id := range change.PeopleRemoved {
			to := handoverLead(id, prev, in.Rituals, olive.roster)
			from := id
			if p := prevRoster.Person(id); p != nil && p.Name != "" {
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
		_, err := cadence.AppendAudit(tx, cadence.AuditEntry{At: now, Actor: cmp.Or(in.Actor, ConfigActor), Action: "config.reload", Target: "config:" + in.Source, Details: d})
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
func excuseRemoved(tx cadence.Tx, removed []string) error {
	if len(removed) == 0 {
		return nil
	}
	open, err := tx.Occurrences(cadence.OccurrenceFilter{Status: []cadence.Status{cadence.StatusOpen}})
	if err != nil {
		return err
	}
	for _, o := range open {
		changed := false
		for _, p := range removed {
			if slices.Contains(o.Expected, p) {
				o.Excuse(p, "removed from the roster")
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
func handoverLead(person string, prev, next []*cadence.Ritual, roster *cadence.Roster) string {
	ok := func(id string) bool { return id != "" && id != person && roster.Person(id) != nil }
	byID := byRitualID(next)
	for _, r := range prev {
		if !slices.Contains(r.Participants, person) && !slices.Contains(r.Facilitators, person) && r.Lead != person {
			continue
		}
		if n := byID[r.ID]; n != nil && ok(n.Lead) {
			return n.Lead
		}
		if ok(r.Lead) {
			return r.Lead
		}
	}
	for _, p := range roster.People() {
		if p.Role.CanRunRituals() && ok(p.ID) {
			return p.ID
		}
	}
	return ""
}

// handOver gives person's open follow-ups to lead and tells the lead,
// saying who left (from: their name) so the message is not a surprise.
func (o *Ops) handOver(tx cadence.Tx, person, from, lead string, now time.Time) ([]Handover, bool, error) {
	fus, err := tx.FollowUps(cadence.FollowUpFilter{Owner: person, Status: []cadence.FollowUpStatus{cadence.FollowUpOpen}})
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
		f.Record(now, ConfigActor, fmt.Sprintf("owner %s → %s (%s left the roster)", person, lead, person))
		f.Owner, f.SnoozedUntil = lead, time.Time{}
		if err := tx.PutFollowUp(f); err != nil {
			return nil, false, err
		}
		m := o.followUpAssigned(f, inc, now)
		m.Body.Text += " " + o.to(lead).T("followup.handed_over", "From", from)
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
