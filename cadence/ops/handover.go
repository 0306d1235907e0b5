package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// handoversNS keeps who handed their work to whom (key: the person who
// left), so later facilitator turns and on-call turns go to the taker.
const handoversNS = "handover"

// handoverLookback is how far back the summary looks for incidents the
// leaving person handled and releases they shipped.
const handoverLookback = 90 * 24 * time.Hour

// HandoverResult is a recorded hand-over and what it moved.
type HandoverResult struct {
	Leaving, Taking string
	By              string
	At              time.Time
	// Moved in the hand-over's transaction.
	FollowUps   []*cadence.FollowUp   // open follow-ups, now the taker's
	Incidents   []*cadence.Incident   // open incidents, now owned by the taker
	Releases    []*cadence.Release    // proposals waiting for approval, now the taker's
	Facilitated []*cadence.Occurrence // open occurrences, now facilitated by the taker
	Rituals     []string              // rituals whose later facilitator turns go to the taker
	Rotations   []string              // rotations whose later turns go to the taker
	// For the summary: what the leaving person did recently.
	RecentIncidents []*cadence.Incident
	Shipped         []*cadence.Release
	// Approver is set when the leaving person approves releases by the
	// config file, which a hand-over cannot change.
	Approver bool
}

type handoverRecord struct {
	Taking string
	By     string
	At     time.Time
}

// Handover moves leaving's open work to taking in one transaction: open
// follow-ups, open incidents, release proposals awaiting approval,
// facilitation of open occurrences, and (recorded in the store) later
// facilitator and on-call turns. Only leads and admins may; it is
// audited, and a summary goes to the actor and to the taker.
func (o *Ops) Handover(ctx context.Context, actorID, leaving, taking string) (*HandoverResult, error) {
	var out *HandoverResult
	err := o.run(ctx, actorID, "handover", leaving, func(tx cadence.Tx, now time.Time, rec *opRecord) error {
		rec.set("to", taking)
		actor, err := o.actor(actorID, "hand work over")
		if err != nil {
			return err
		}
		if !actor.Role.CanRunRituals() {
			return cadence.Refusef(cadence.ErrForbidden, "only leads and admins can hand someone's work over; %s is a %s", actor.Name, actor.Role)
		}
		l := o.live().roster.Person(leaving)
		t := o.live().roster.Person(taking)
		switch {
		case l == nil:
			return cadence.Refusef(cadence.ErrInvalidInput, "%q is not on the roster: name the person leaving as @id", leaving)
		case t == nil:
			return cadence.Refusef(cadence.ErrInvalidInput, "%q is not on the roster: name the person taking over as @id", taking)
		case leaving == taking:
			return cadence.Refusef(cadence.ErrInvalidInput, "%s cannot hand over to themselves", l.Name)
		}
		if prev, err := handoverOf(tx, taking); err == nil {
			return cadence.Refusef(cadence.ErrConflict, "%s handed their work to %s on %s and has not taken it back: hand %s's work to someone active",
				t.Name, o.name(prev.Taking), cadence.DateOf(prev.At), l.Name)
		} else if !errors.Is(err, cadence.ErrNotFound) {
			return err
		}
		h := &HandoverResult{Leaving: leaving, Taking: taking, By: actorID, At: now, Approver: o.isApprover(l)}
		what := fmt.Sprintf("hand-over %s → %s", leaving, taking)
		// History first: it is about what the leaving person owned.
		if err := o.handoverHistory(tx, h, now); err != nil {
			return err
		}
		if err := o.moveFollowUps(tx, h, now, actorID, what); err != nil {
			return err
		}
		if err := o.moveIncidents(tx, h); err != nil {
			return err
		}
		if err := o.moveReleases(tx, h, now, actorID, what); err != nil {
			return err
		}
		if err := o.moveFacilitation(tx, h); err != nil {
			return err
		}
		for _, r := range o.live().rituals {
			if slices.Contains(r.Facilitators, leaving) {
				h.Rituals = append(h.Rituals, r.ID)
			}
		}
		for _, r := range o.Rotations() {
			if slices.Contains(r.Members, leaving) {
				h.Rotations = append(h.Rotations, r.ID)
			}
		}
		// Later facilitator and on-call turns follow this record.
		v, err := json.Marshal(handoverRecord{Taking: taking, By: actorID, At: now})
		if err != nil {
			return err
		}
		if err := tx.Put(handoversNS, leaving, v); err != nil {
			return err
		}
		if err := recordHandoverHistory(tx, h, l.Capabilities); err != nil {
			return err
		}
		rec.set("followups", ids(h.FollowUps, (*cadence.FollowUp).ID))
		rec.set("incidents", ids(h.Incidents, (*cadence.Incident).ID))
		rec.set("releases", ids(h.Releases, (*cadence.Release).ID))
		rec.set("facilitated", ids(h.Facilitated, func(o *cadence.Occurrence) string { return o.ID }))
		key := cadence.MessageKey("handover", leaving, now.UTC().Format("20060102T150405Z"))
		for _, to := range slices.Compact([]string{actorID, taking}) {
			if err := o.enqueue(tx, rec, o.toPerson(to, cadence.MessageKey(key, to), o.handoverBody(o.to(to), h), now)); err != nil {
				return err
			}
		}
		out = h
		return nil
	})
	return out, err
}

func ids[T any](xs []T, id func(T) string) string {
	var out []string
	for _, x := range xs {
		out = append(out, id(x))
	}
	return strings.Join(out, " ")
}

func (o *Ops) moveFollowUps(tx cadence.Tx, h *HandoverResult, now time.Time, by, what string) error {
	fus, err := tx.FollowUps(cadence.FollowUpFilter{Owner: h.Leaving, Status: []cadence.FollowUpStatus{cadence.FollowUpOpen}})
	if err != nil {
		return fmt.Errorf("follow-ups of %s: %w", h.Leaving, err)
	}
	for _, f := range fus {
		f.Record(now, by, fmt.Sprintf("owner %s → %s (%s)", f.Owner, h.Taking, what))
		f.Owner, f.SnoozedUntil = h.Taking, time.Time{}
		if err := tx.PutFollowUp(f); err != nil {
			return fmt.Errorf("%s: %w", f.ID(), err)
		}
		h.FollowUps = append(h.FollowUps, f)
	}
	return nil
}

func (o *Ops) moveIncidents(tx cadence.Tx, h *HandoverResult) error {
	incs, err := tx.Incidents(cadence.IncidentFilter{Owner: h.Leaving, Status: []cadence.IncidentStatus{cadence.IncidentOpen}})
	if err != nil {
		return fmt.Errorf("incidents of %s: %w", h.Leaving, err)
	}
	for _, inc := range incs {
		inc.Owner = h.Taking
		if err := tx.PutIncident(inc); err != nil {
			return fmt.Errorf("%s: %w", inc.ID(), err)
		}
		h.Incidents = append(h.Incidents, inc)
	}
	return nil
}

func (o *Ops) moveReleases(tx cadence.Tx, h *HandoverResult, now time.Time, by, what string) error {
	rels, err := tx.Releases(cadence.ReleaseFilter{Status: []cadence.ReleaseStatus{cadence.ReleaseProposed}})
	if err != nil {
		return fmt.Errorf("releases: %w", err)
	}
	for _, r := range rels {
		if r.ProposedBy != h.Leaving {
			continue
		}
		if r.ApprovedBy(h.Taking) {
			// The taker would approve their own proposal.
			return cadence.Refusef(cadence.ErrConflict, "%s has approved %s, which %s proposed: as its new proposer that approval would be their own. Ask %s to reject it or another approver to take it over first",
				o.name(h.Taking), r.ID(), o.name(h.Leaving), o.name(h.Taking))
		}
		r.Record(now, by, fmt.Sprintf("proposer %s → %s (%s)", r.ProposedBy, h.Taking, what))
		r.ProposedBy = h.Taking
		if err := tx.PutRelease(r); err != nil {
			return fmt.Errorf("%s: %w", r.ID(), err)
		}
		h.Releases = append(h.Releases, r)
	}
	return nil
}

func (o *Ops) moveFacilitation(tx cadence.Tx, h *HandoverResult) error {
	occs, err := tx.Occurrences(cadence.OccurrenceFilter{Status: []cadence.Status{cadence.StatusOpen}})
	if err != nil {
		return fmt.Errorf("open occurrences: %w", err)
	}
	for _, oc := range occs {
		if oc.Facilitator != h.Leaving {
			continue
		}
		oc.Facilitator = h.Taking
		if err := tx.PutOccurrence(oc); err != nil {
			return fmt.Errorf("occurrence %s: %w", oc.ID, err)
		}
		h.Facilitated = append(h.Facilitated, oc)
	}
	return nil
}

// handoverHistory reads what the summary reports about the leaving
// person: incidents they owned or opened and releases they shipped,
// over the last 90 days.
func (o *Ops) handoverHistory(tx cadence.Tx, h *HandoverResult, now time.Time) error {
	since := now.Add(-handoverLookback)
	incs, err := tx.Incidents(cadence.IncidentFilter{OpenedFrom: since})
	if err != nil {
		return fmt.Errorf("recent incidents: %w", err)
	}
	for _, inc := range incs {
		if inc.Owner == h.Leaving || inc.OpenedBy == h.Leaving || inc.ClosedBy == h.Leaving {
			h.RecentIncidents = append(h.RecentIncidents, inc)
		}
	}
	rels, err := tx.Releases(cadence.ReleaseFilter{Status: []cadence.ReleaseStatus{cadence.ReleaseShipped, cadence.ReleaseRolledBack}})
	if err != nil {
		return fmt.Errorf("releases: %w", err)
	}
	for _, r := range rels {
		if (r.ProposedBy == h.Leaving || r.OutcomeBy == h.Leaving) && !r.OutcomeAt.Before(since) {
			h.Shipped = append(h.Shipped, r)
		}
	}
	return nil
}

// handoverBody is the summary a hand-over DMs, in w's language.
func (o *Ops) handoverBody(w cadence.Words, h *HandoverResult) cadence.Body {
	leaving, taking := o.name(h.Leaving), o.name(h.Taking)
	b := cadence.Body{
		Title: w.T("handover.dm_title", "Leaving", leaving, "Taking", taking),
		Text:  w.T("handover.dm_text", "Leaving", leaving, "Taking", taking),
	}
	moved := cadence.Section{Heading: w.T("handover.moved_heading")}
	for _, f := range h.FollowUps {
		moved.Lines = append(moved.Lines, w.T("handover.moved_followup", "ID", f.ID(), "Title", f.Title,
			"Incident", cadence.IncidentID(f.Incident), "Due", f.Due.String()))
	}
	for _, inc := range h.Incidents {
		moved.Lines = append(moved.Lines, w.T("handover.moved_incident", "ID", inc.ID(), "Title", inc.Title, "Severity", inc.Severity))
	}
	for _, r := range h.Releases {
		moved.Lines = append(moved.Lines, w.T("handover.moved_release", "Release", releaseTitle(r)))
	}
	for _, oc := range h.Facilitated {
		moved.Lines = append(moved.Lines, w.T("handover.moved_facilitation", "ID", oc.ID))
	}
	if len(h.Rituals) > 0 {
		moved.Lines = append(moved.Lines, w.T("handover.moved_rituals", "Rituals", strings.Join(h.Rituals, ", ")))
	}
	if len(h.Rotations) > 0 {
		moved.Lines = append(moved.Lines, w.T("handover.moved_rotations", "Rotations", strings.Join(h.Rotations, ", ")))
	}
	if len(moved.Lines) == 0 {
		moved.Lines = []string{w.T("handover.nothing_open")}
	}
	recent := cadence.Section{Heading: w.T("handover.recent_heading")}
	for _, inc := range h.RecentIncidents {
		recent.Lines = append(recent.Lines, w.T("handover.recent_incident", "ID", inc.ID(), "Title", inc.Title,
			"Status", w.T("incident.status_"+string(inc.Status))))
	}
	shipped := cadence.Section{Heading: w.T("handover.shipped_heading")}
	for _, r := range h.Shipped {
		shipped.Lines = append(shipped.Lines, w.T("handover.shipped_release", "Release", releaseTitle(r),
			"Status", w.T("release.status_"+statusKey(r.Status))))
	}
	for _, s := range []*cadence.Section{&recent, &shipped} {
		if len(s.Lines) == 0 {
			s.Lines = []string{w.T("handover.none")}
		}
	}
	b.Sections = []cadence.Section{moved, recent, shipped}
	if h.Approver {
		b.Sections = append(b.Sections, cadence.Section{Heading: w.T("handover.todo_heading"), Lines: []string{
			w.T("handover.todo_approver", "Leaving", leaving)}})
	}
	return b
}

func handoverOf(tx cadence.Tx, person string) (handoverRecord, error) {
	var rec handoverRecord
	v, err := tx.Get(handoversNS, person)
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, fmt.Errorf("hand-over of %s: %w", person, err)
	}
	return rec, nil
}

// Substitute returns who stands in for a person who handed their work
// over (the person themselves otherwise), reading the hand-overs once.
// The engine uses it for facilitator turns; on-call turns use it too.
func (o *Ops) Substitute(tx cadence.Tx) func(person string) string {
	var loaded map[string]string
	return func(p string) string {
		if loaded == nil {
			loaded = map[string]string{}
			keys, err := tx.Keys(handoversNS, "")
			if err != nil {
				o.log.Error().Err(err).Msg("hand-overs unreadable: nobody stands in")
			}
			for _, k := range keys {
				if rec, err := handoverOf(tx, k); err == nil {
					loaded[k] = rec.Taking
				}
			}
		}
		for i := 0; i < len(loaded) && loaded[p] != ""; i++ {
			p = loaded[p]
		}
		return p
	}
}
