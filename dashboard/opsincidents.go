package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// incidentSection is /s/incidents: incidents live in the period with
// their follow-ups open and in total.
type incidentSection struct{ *opsView }

func (s *incidentSection) ID() string    { return "incidents" }
func (s *incidentSection) Title() string { return "Incidents" }

func (s *incidentSection) Tables(ctx context.Context, q cadence.ReportQuery) ([]*Table, error) {
	at := s.at(q)
	incs, err := s.src.Incidents(ctx, cadence.IncidentFilter{})
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	fus, err := s.src.FollowUps(ctx, cadence.FollowUpFilter{})
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	type count struct{ open, total int }
	counts := map[int]*count{}
	for _, f := range fus {
		if f.CreatedAt.After(at) {
			continue
		}
		c := counts[f.Incident]
		if c == nil {
			c = &count{}
			counts[f.Incident] = c
		}
		c.total++
		if f.Status == cadence.FollowUpOpen || f.ClosedAt.After(at) {
			c.open++
		}
	}
	t := &Table{
		ID:    "incidents",
		Title: "Incidents",
		Columns: []Column{
			{Key: "id", Label: "ID"},
			{Key: "title", Label: "Title"},
			{Key: "severity", Label: "Severity", Numeric: true},
			{Key: "owner", Label: "Owner"},
			{Key: "opened", Label: "Opened"},
			{Key: "closed", Label: "Closed"},
			{Key: "followups_open", Label: "Follow-ups open", Numeric: true},
			{Key: "followups_total", Label: "Follow-ups", Numeric: true},
			{Key: "link", Label: "Link", Link: true},
		},
	}
	for _, inc := range incs {
		closed := inc.ClosedAt
		if inc.Status != cadence.IncidentClosed {
			closed = time.Time{}
		}
		if !selected(q, inc.Owner) || !live(q, inc.OpenedAt, closed) || inc.OpenedAt.After(at) {
			continue
		}
		if closed.After(at) {
			closed = time.Time{} // still open at the end of the period
		}
		c := counts[inc.Number]
		if c == nil {
			c = &count{}
		}
		link := Cell{}
		if inc.Link != "" {
			link = textCell(inc.Link)
		}
		t.Rows = append(t.Rows, []Cell{
			textCell(inc.ID()), textCell(inc.Title), intCell(inc.Severity), s.personCell(inc.Owner),
			dateCell(inc.OpenedAt), dateCell(closed), intCell(c.open), intCell(c.total), link,
		})
	}
	return []*Table{t}, nil
}
