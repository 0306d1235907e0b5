package dashboard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// HandoverSource is the hand-over history the capability view reads;
// *ops.Ops has it. Without it the view shows capabilities from the
// roster alone.
type HandoverSource interface {
	HandoverHistory(ctx context.Context) ([]ops.HandoverRecord, error)
}

var _ HandoverSource = (*ops.Ops)(nil)

// capabilitySection is /s/capabilities: per capability who holds it now,
// its open follow-ups, incidents and shipped releases, and its hand-overs
// — a record that survives the people who held it (ops.Capabilities
// says how items are attributed).
type capabilitySection struct{ *opsView }

func (s *capabilitySection) ID() string    { return "capabilities" }
func (s *capabilitySection) Title() string { return "By capability" }

func (s *capabilitySection) Tables(ctx context.Context, q cadence.ReportQuery) ([]*Table, error) {
	var hist []ops.HandoverRecord
	if hs, ok := s.src.(HandoverSource); ok {
		var err error
		if hist, err = hs.HandoverHistory(ctx); err != nil {
			return nil, fmt.Errorf("hand-overs: %w", err)
		}
	}
	fus, err := s.src.FollowUps(ctx, cadence.FollowUpFilter{Status: []cadence.FollowUpStatus{cadence.FollowUpOpen}})
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	incs, err := s.src.Incidents(ctx, cadence.IncidentFilter{})
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	rels, err := s.src.Releases(ctx, cadence.ReleaseFilter{})
	if err != nil {
		return nil, fmt.Errorf("releases: %w", err)
	}
	inPeriod := func(t time.Time) bool {
		return !t.IsZero() && !t.Before(q.From) && (q.To.IsZero() || t.Before(q.To))
	}
	sum := &Table{
		ID:    "capabilities",
		Title: "Capabilities",
		Columns: []Column{
			{Key: "capability", Label: "Capability"},
			{Key: "owners", Label: "Held by"},
			{Key: "followups_open", Label: "Follow-ups open", Numeric: true},
			{Key: "incidents", Label: "Incidents", Numeric: true},
			{Key: "shipped", Label: "Releases shipped", Numeric: true},
			{Key: "handovers", Label: "Hand-overs", Numeric: true},
			{Key: "last_handover", Label: "Last hand-over"},
		},
		Note: "Follow-ups open now; incidents opened and releases shipped in the period; hand-overs ever. " +
			"An item counts under a capability when its owner (a release: its proposer) holds it, held it when handing over, or took over from someone who held it.",
	}
	open := &Table{
		ID:    "capability-followups",
		Title: "Open follow-ups by capability",
		Columns: []Column{
			{Key: "capability", Label: "Capability"},
			{Key: "id", Label: "ID"},
			{Key: "title", Label: "Title"},
			{Key: "owner", Label: "Owner"},
			{Key: "due", Label: "Due"},
		},
	}
	history := &Table{
		ID:    "capability-history",
		Title: "Hand-overs by capability",
		Columns: []Column{
			{Key: "capability", Label: "Capability"},
			{Key: "date", Label: "Date"},
			{Key: "from", Label: "From"},
			{Key: "to", Label: "To"},
			{Key: "by", Label: "By"},
			{Key: "moved", Label: "Moved"},
		},
	}
	for _, c := range ops.Capabilities(s.people(), hist, fus, incs, rels) {
		if !s.capabilitySelected(q, c) {
			continue
		}
		var owners []string
		for _, p := range c.Owners {
			owners = append(owners, s.name(p))
		}
		nInc, nShip := 0, 0
		for _, inc := range c.Incidents {
			if inPeriod(inc.OpenedAt) {
				nInc++
			}
		}
		for _, r := range c.Shipped {
			if inPeriod(shippedAt(r)) {
				nShip++
			}
		}
		last := Cell{}
		if n := len(c.Handovers); n > 0 {
			last = dateCell(c.Handovers[n-1].At)
		}
		sum.Rows = append(sum.Rows, []Cell{textCell(c.Capability), textCell(strings.Join(owners, ", ")),
			intCell(len(c.OpenFollowUps)), intCell(nInc), intCell(nShip), intCell(len(c.Handovers)), last})
		for _, f := range c.OpenFollowUps {
			open.Rows = append(open.Rows, []Cell{textCell(c.Capability), textCell(f.ID()), textCell(f.Title), s.personCell(f.Owner), textCell(f.Due.String())})
		}
		for _, h := range c.Handovers {
			moved := slices.Concat(h.FollowUps, h.Incidents, h.Releases)
			history.Rows = append(history.Rows, []Cell{textCell(c.Capability), dateCell(h.At), s.personCell(h.Leaving),
				s.personCell(h.Taking), s.personCell(h.By), textCell(strings.Join(moved, " "))})
		}
	}
	return []*Table{sum, open, history}, nil
}

// capabilitySelected applies the capability filter (q.PersonIDs, the
// people holding the chosen capability): a capability shows when one of
// its holders, or someone in its hand-overs, is selected.
func (s *capabilitySection) capabilitySelected(q cadence.ReportQuery, c ops.CapabilityRecord) bool {
	if len(q.PersonIDs) == 0 {
		return true
	}
	for _, p := range c.Owners {
		if selected(q, p) {
			return true
		}
	}
	for _, h := range c.Handovers {
		if selected(q, h.Leaving) || selected(q, h.Taking) {
			return true
		}
	}
	return false
}
