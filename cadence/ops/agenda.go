package ops

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

var _ cadence.AgendaContributor = (*Ops)(nil)

// agendaLookback is the period an agenda covers when its ritual has no
// earlier occurrence to count from.
const agendaLookback = 7 * 24 * time.Hour

// AgendaSections builds the live part of an MLOps ritual's agenda when an
// occurrence opens (the engine calls it inside the opening transaction):
//
//   - triage: incidents since the last triage, open follow-ups by owner
//     (overdue ones marked), last week's unanswered prompts, blockers
//     open in any standup with their age;
//   - deployment planning: the release lane — proposed releases with their
//     approvals, approved ones waiting to ship;
//   - quality review: incidents of the period to review, follow-up
//     closure, releases shipped vs rolled back;
//   - standup: its open blockers with their age (continuity.go);
//   - hand-off: who hands over to whom, and the open incidents.
//
// Other kinds get nothing. It only reads.
func (o *Ops) AgendaSections(tx cadence.Tx, r *cadence.Ritual, occ *cadence.Occurrence, now time.Time) ([]cadence.Section, error) {
	// Every agenda says who is on call, when rotations are configured.
	var parts []func() (cadence.Section, error)
	a := agenda{o: o, tx: tx, r: r, loc: r.Zone(), now: now}
	if len(o.Rotations()) > 0 {
		parts = append(parts, a.onCallSection)
	}
	switch r.Kind {
	case cadence.KindTriage, cadence.KindDeploymentPlanning, cadence.KindQualityReview:
	case cadence.KindStandup:
		return a.collect(append(parts, a.openBlockersSection(occ))...)
	case cadence.KindHandoff:
		return a.collect(append(parts, a.handoffSection(occ), a.openIncidents)...)
	default:
		if len(parts) == 0 {
			return nil, nil
		}
		return a.collect(parts...)
	}
	since, err := previousOccurrence(tx, r, occ, now)
	if err != nil {
		return nil, err
	}
	a.since = since
	switch r.Kind {
	case cadence.KindTriage:
		parts = append(parts, a.incidentsSince, a.followUpsByOwner, a.unanswered, a.standupBlockers(occ))
	case cadence.KindDeploymentPlanning:
		parts = append(parts, a.proposedReleases, a.approvedReleases)
	default:
		parts = append(parts, a.incidentsToReview, a.followUpClosure, a.releaseOutcomes)
	}
	return a.collect(parts...)
}

// previousOccurrence is when the ritual was last held before occ (a
// skipped or missed one does not count: its agenda was never discussed),
// or a week ago.
func previousOccurrence(tx cadence.Tx, r *cadence.Ritual, occ *cadence.Occurrence, now time.Time) (time.Time, error) {
	before, err := tx.Occurrences(cadence.OccurrenceFilter{RitualID: r.ID, To: occ.Scheduled, Status: []cadence.Status{cadence.StatusOpen, cadence.StatusClosed}, Newest: true, Limit: 1})
	if err != nil {
		return time.Time{}, fmt.Errorf("earlier occurrences of %s: %w", r.ID, err)
	}
	if len(before) > 0 {
		return before[0].Scheduled, nil
	}
	return now.Add(-agendaLookback), nil
}

type agenda struct {
	o          *Ops
	tx         cadence.Tx
	r          *cadence.Ritual
	loc        *time.Location
	since, now time.Time
}

func (a agenda) collect(parts ...func() (cadence.Section, error)) ([]cadence.Section, error) {
	out := make([]cadence.Section, 0, len(parts))
	for _, p := range parts {
		s, err := p()
		if err != nil {
			return nil, fmt.Errorf("agenda of %s: %w", a.r.ID, err)
		}
		if len(s.Lines) == 0 {
			s.Lines = []string{"None."}
		}
		out = append(out, s)
	}
	return out, nil
}

func (a agenda) day(t time.Time) string { return t.In(a.loc).Format("Mon 2 Jan") }

func (a agenda) incidentLine(inc *cadence.Incident) string {
	line := fmt.Sprintf("%s · sev %d · %s · owner %s · %s", inc.ID(), inc.Severity, inc.Title, a.o.name(inc.Owner), inc.Status)
	if inc.Status == cadence.IncidentClosed && inc.Summary != "" {
		line += ": " + inc.Summary
	}
	return line
}

func (a agenda) incidentsSince() (cadence.Section, error) {
	incs, err := a.tx.Incidents(cadence.IncidentFilter{OpenedFrom: a.since, OpenedTo: a.now})
	if err != nil {
		return cadence.Section{}, err
	}
	s := cadence.Section{Heading: fmt.Sprintf("Incidents since %s (%d)", a.day(a.since), len(incs))}
	for _, inc := range incs {
		s.Lines = append(s.Lines, a.incidentLine(inc))
	}
	return s, nil
}

func (a agenda) followUpsByOwner() (cadence.Section, error) {
	fus, err := a.tx.FollowUps(cadence.FollowUpFilter{Status: []cadence.FollowUpStatus{cadence.FollowUpOpen}})
	if err != nil {
		return cadence.Section{}, err
	}
	byOwner := map[string][]*cadence.FollowUp{}
	overdue := 0
	for _, f := range fus {
		byOwner[f.Owner] = append(byOwner[f.Owner], f)
		if !a.now.Before(f.Deadline(a.o.loc(f.Owner))) {
			overdue++
		}
	}
	s := cadence.Section{Heading: fmt.Sprintf("Open follow-ups by owner (%d, %d overdue)", len(fus), overdue)}
	for _, owner := range slices.Sorted(maps.Keys(byOwner)) {
		for _, f := range byOwner[owner] {
			line := fmt.Sprintf("%s: %s %s (%s), due %s", a.o.name(owner), f.ID(), f.Title, cadence.IncidentID(f.Incident), f.Due)
			if today := a.o.today(owner, a.now); f.Due.Before(today) {
				line += fmt.Sprintf(" — OVERDUE %s", plural(daysBetween(f.Due, today), "day"))
			}
			s.Lines = append(s.Lines, line)
		}
	}
	return s, nil
}

// unanswered lists, per occurrence of the last week that has closed, the
// people who were asked and never answered.
func (a agenda) unanswered() (cadence.Section, error) {
	s := cadence.Section{Heading: "Unanswered prompts, last 7 days"}
	occs, err := a.tx.Occurrences(cadence.OccurrenceFilter{From: a.now.Add(-agendaLookback), To: a.now, Status: []cadence.Status{cadence.StatusClosed}})
	if err != nil {
		return s, err
	}
	for _, occ := range occs {
		answers, err := a.tx.Answers(occ.ID)
		if err != nil {
			return s, err
		}
		got := map[string]bool{}
		for _, x := range answers {
			got[x.PersonID] = true
		}
		var missing []string
		for _, p := range occ.Expected {
			if !got[p] {
				missing = append(missing, a.o.name(p))
			}
		}
		if len(missing) > 0 {
			s.Lines = append(s.Lines, fmt.Sprintf("%s %s: %s", a.title(occ.RitualID), a.day(occ.Scheduled), joinNames(missing)))
		}
	}
	return s, nil
}

// standupBlockers lists the blockers open in any standup of the team,
// by the standup's own rule (continuity.go: open until the person's next
// answer to that standup clears it), oldest first, with their age. The
// standup is named when there is more than one.
func (a agenda) standupBlockers(occ *cadence.Occurrence) func() (cadence.Section, error) {
	return func() (cadence.Section, error) {
		var standups []*cadence.Ritual
		for _, r := range a.o.live().rituals {
			if r.Kind == cadence.KindStandup {
				standups = append(standups, r)
			}
		}
		type line struct {
			b     cadence.OpenBlocker
			title string
		}
		var all []line
		for _, r := range standups {
			bs, err := cadence.OpenBlockers(a.tx, r, occ)
			if err != nil {
				return cadence.Section{}, err
			}
			for _, b := range bs {
				all = append(all, line{b, r.Title})
			}
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].b.Raised.Before(all[j].b.Raised) })
		s := cadence.Section{Heading: fmt.Sprintf("Open blockers in standups (%d)", len(all))}
		for _, l := range all {
			text := fmt.Sprintf("%s: %s — raised %s (%s)", a.o.name(l.b.Person), cadence.UserText(l.b.Text), age(l.b.Raised, a.now, a.loc), a.day(l.b.Raised))
			if len(standups) > 1 {
				text += " in " + l.title
			}
			s.Lines = append(s.Lines, text)
		}
		return s, nil
	}
}

func (a agenda) releaseLine(rel *cadence.Release) string {
	line := fmt.Sprintf("%s %s %s · %s · risk %s · by %s", rel.ID(), rel.Model, rel.Version, rel.Change, rel.Risk, a.o.name(rel.ProposedBy))
	if !rel.Planned.IsZero() {
		line += " · planned " + rel.Planned.String()
	}
	return line
}

func (a agenda) proposedReleases() (cadence.Section, error) {
	rels, err := a.tx.Releases(cadence.ReleaseFilter{Status: []cadence.ReleaseStatus{cadence.ReleaseProposed}})
	if err != nil {
		return cadence.Section{}, err
	}
	s := cadence.Section{Heading: fmt.Sprintf("Release lane: proposed (%d)", len(rels))}
	for _, rel := range rels {
		need := a.o.ApprovalsFor(rel)
		line := a.releaseLine(rel) + fmt.Sprintf(" · %d/%d approvals", len(rel.Approvals), need)
		if !rel.DataContractOK {
			line += " · data contract NOT passed"
		}
		s.Lines = append(s.Lines, line)
	}
	return s, nil
}

func (a agenda) approvedReleases() (cadence.Section, error) {
	rels, err := a.tx.Releases(cadence.ReleaseFilter{Status: []cadence.ReleaseStatus{cadence.ReleaseApproved}})
	if err != nil {
		return cadence.Section{}, err
	}
	s := cadence.Section{Heading: fmt.Sprintf("Approved, not shipped yet (%d)", len(rels))}
	for _, rel := range rels {
		s.Lines = append(s.Lines, a.releaseLine(rel)+" · approved "+a.day(rel.ApprovedAt))
	}
	return s, nil
}

// incidentsToReview are incidents opened or closed since the last review,
// and any still open.
func (a agenda) incidentsToReview() (cadence.Section, error) {
	incs, err := a.tx.Incidents(cadence.IncidentFilter{})
	if err != nil {
		return cadence.Section{}, err
	}
	s := cadence.Section{Heading: fmt.Sprintf("Incidents to review since %s", a.day(a.since))}
	for _, inc := range incs {
		recent := !inc.OpenedAt.Before(a.since) || (!inc.ClosedAt.IsZero() && !inc.ClosedAt.Before(a.since))
		if recent || inc.Status == cadence.IncidentOpen {
			s.Lines = append(s.Lines, a.incidentLine(inc))
		}
	}
	return s, nil
}

func (a agenda) followUpClosure() (cadence.Section, error) {
	f, err := a.o.figures(a.tx, a.since, a.now, a.now)
	if err != nil {
		return cadence.Section{}, err
	}
	s := cadence.Section{Heading: "Follow-up closure"}
	if f.FollowUpsDue > 0 {
		s.Lines = append(s.Lines, fmt.Sprintf("Closed on time: %d of %d due (%.0f%%)", f.FollowUpsOnTime, f.FollowUpsDue, 100*f.FollowUpOnTime))
	}
	if f.OpenFollowUps > 0 {
		s.Lines = append(s.Lines, fmt.Sprintf("Open: %d, mean age %s", f.OpenFollowUps, fmtDays(f.MeanOpenAge)))
	}
	return s, nil
}

func (a agenda) releaseOutcomes() (cadence.Section, error) {
	f, err := a.o.figures(a.tx, a.since, a.now, a.now)
	if err != nil {
		return cadence.Section{}, err
	}
	s := cadence.Section{Heading: "Releases shipped vs rolled back"}
	if f.ReleasesDeployed > 0 {
		s.Lines = append(s.Lines, fmt.Sprintf("%d shipped, %d of them rolled back (change-failure rate %.0f%%)",
			f.ReleasesDeployed, f.RolledBack, 100*f.ChangeFailure))
	}
	if f.Approved > 0 {
		s.Lines = append(s.Lines, fmt.Sprintf("%d approved; from proposal to approval: mean %s, median %s",
			f.Approved, cadence.FormatDuration(f.MeanLeadTime), cadence.FormatDuration(f.MedianLeadTime)))
	}
	return s, nil
}

func (a agenda) title(ritualID string) string {
	if r := a.o.ritual(ritualID); r != nil {
		return r.Title
	}
	return ritualID
}

func (o *Ops) ritual(id string) *cadence.Ritual {
	for _, r := range o.live().rituals {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func joinNames(names []string) string { return strings.Join(names, ", ") }

// fmtDays shows a long duration in days and hours: "3d4h".
func fmtDays(d time.Duration) string {
	if d < 24*time.Hour {
		return cadence.FormatDuration(d)
	}
	days := int(d / (24 * time.Hour))
	h := int(d % (24 * time.Hour) / time.Hour)
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, h)
}

// handoffSection says who hands over to whom, and when.
func (a agenda) handoffSection(occ *cadence.Occurrence) func() (cadence.Section, error) {
	return func() (cadence.Section, error) {
		s := cadence.Section{Heading: "Hand-off"}
		if h, ok := a.o.HandoffAt(a.tx, a.r, occ.Scheduled); ok {
			s.Lines = []string{fmt.Sprintf("%s: %s hands over to %s at %s", h.Rotation, a.o.name(h.Outgoing), a.o.name(h.Incoming),
				h.At.In(a.loc).Format(cadence.TimeLayout))}
		}
		return s, nil
	}
}

// openIncidents lists every open incident, oldest first.
func (a agenda) openIncidents() (cadence.Section, error) {
	incs, err := a.tx.Incidents(cadence.IncidentFilter{Status: []cadence.IncidentStatus{cadence.IncidentOpen}})
	if err != nil {
		return cadence.Section{}, err
	}
	s := cadence.Section{Heading: fmt.Sprintf("Open incidents (%d)", len(incs))}
	for _, inc := range incs {
		s.Lines = append(s.Lines, a.incidentLine(inc))
	}
	return s, nil
}

// openBlockersSection is the agenda's list of open blockers with their age.
func (a agenda) openBlockersSection(occ *cadence.Occurrence) func() (cadence.Section, error) {
	return func() (cadence.Section, error) {
		bs, err := cadence.OpenBlockers(a.tx, a.r, occ)
		if err != nil {
			return cadence.Section{}, err
		}
		s := cadence.Section{Heading: fmt.Sprintf("Open blockers (%d)", len(bs))}
		for _, b := range bs {
			s.Lines = append(s.Lines, fmt.Sprintf("%s: %s — raised %s (%s)", a.o.name(b.Person), cadence.UserText(b.Text), age(b.Raised, a.now, a.loc), a.day(b.Raised)))
		}
		return s, nil
	}
}

// age says how many calendar days ago t was in loc: "today", "1 day ago".
func age(t, now time.Time, loc *time.Location) string {
	y1, m1, d1 := t.In(loc).Date()
	y2, m2, d2 := now.In(loc).Date()
	days := int(time.Date(y2, m2, d2, 12, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 12, 0, 0, 0, time.UTC)) / (24 * time.Hour))
	switch {
	case days <= 0:
		return "today"
	case days == 1:
		return "1 day ago"
	}
	return strconv.Itoa(days) + " days ago"
}
