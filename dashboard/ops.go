package dashboard

import (
	"context"
	"slices"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// OpsSource is what the MLOps sections read; *ops.Ops is one.
type OpsSource interface {
	FollowUps(ctx context.Context, f cadence.FollowUpFilter) ([]*cadence.FollowUp, error)
	Incidents(ctx context.Context, f cadence.IncidentFilter) ([]*cadence.Incident, error)
	Releases(ctx context.Context, f cadence.ReleaseFilter) ([]*cadence.Release, error)
	ApprovalsFor(r *cadence.Release) int
}

var _ OpsSource = (*ops.Ops)(nil)

// OpsSections returns the follow-ups, incidents, release-lane and
// by-capability pages over src, for Options.Sections. The follow-ups and release-lane
// sections also add their part to the weekly digest (DigestSection).
//
// Each table lists what was live in the period: items created before its
// end and not finished before its start. States, ages and counts are as
// of the end of the period, or now if that is earlier — the instant
// ops.Figures calls At — so a past period reads as it stood then.
// The capability filter selects owners (of follow-ups and incidents) and
// submitters (of releases). Incidents and releases belong to no ritual,
// so the ritual filter does not change these pages.
func OpsSections(src OpsSource, roster *cadence.Roster, clock cadence.Clock) []Section {
	if clock == nil {
		clock = cadence.SystemClock{}
	}
	o := &opsView{src: src, roster: roster, clock: clock}
	return []Section{&followUpSection{o}, &incidentSection{o}, &releaseSection{o}, &capabilitySection{o}}
}

// opsView holds what the three sections share.
type opsView struct {
	src    OpsSource
	roster *cadence.Roster
	clock  cadence.Clock
}

// people is the roster in force: the source's after a config reload.
func (o *opsView) people() *cadence.Roster {
	if l, ok := o.src.(interface{ LiveRoster() *cadence.Roster }); ok {
		return l.LiveRoster()
	}
	return o.roster
}

// at is the instant a period is read at: its end, or now if earlier.
func (o *opsView) at(q cadence.ReportQuery) time.Time {
	now := o.clock.Now().UTC()
	if !q.To.IsZero() && q.To.Before(now) {
		return q.To
	}
	return now
}

// loc is a person's zone: due dates are in the owner's calendar.
func (o *opsView) loc(id string) *time.Location {
	if p := o.people().Person(id); p != nil && p.Location != nil {
		return p.Location
	}
	return time.UTC
}

func (o *opsView) personCell(id string) Cell {
	if p := o.people().Person(id); p != nil && p.Name != "" {
		return Cell{Value: id, Text: p.Name}
	}
	return textCell(id)
}

func (o *opsView) name(id string) string {
	if p := o.people().Person(id); p != nil && p.Name != "" {
		return p.Name
	}
	return id
}

// selected reports whether the capability filter keeps a person.
func selected(q cadence.ReportQuery, person string) bool {
	return len(q.PersonIDs) == 0 || slices.Contains(q.PersonIDs, person)
}

// live reports whether something created at start and finished at end
// (zero: not finished) overlaps [q.From, q.To).
func live(q cadence.ReportQuery, start, end time.Time) bool {
	return (q.To.IsZero() || start.Before(q.To)) && (end.IsZero() || !end.Before(q.From))
}

// dateCell is a UTC date, or no value for the zero time.
func dateCell(t time.Time) Cell {
	if t.IsZero() {
		return Cell{}
	}
	return textCell(t.UTC().Format(dateLayout))
}

// secondsCell is a duration in whole seconds shown as "2d 3h"; ok=false
// is no value.
func secondsCell(d time.Duration, ok bool) Cell {
	if !ok {
		return Cell{}
	}
	return Cell{Value: int(d.Round(time.Second) / time.Second), Text: durationText(d)}
}

func boolCell(b bool) Cell {
	if b {
		return Cell{Value: true, Text: "yes"}
	}
	return Cell{Value: false, Text: "no"}
}
