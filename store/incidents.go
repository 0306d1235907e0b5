package store

import (
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

type incidentRecord struct {
	Number   int       `json:"number"`
	Title    string    `json:"title"`
	Severity int       `json:"severity"`
	Owner    string    `json:"owner"`
	OpenedBy string    `json:"opened_by"`
	Link     string    `json:"link"`
	Issue    string    `json:"issue,omitempty"`
	Status   string    `json:"status"`
	OpenedAt time.Time `json:"opened_at"`
	ClosedAt time.Time `json:"closed_at"`
	ClosedBy string    `json:"closed_by"`
	Summary  string    `json:"summary"`
}

func (r *incidentRecord) domain() *cadence.Incident {
	return &cadence.Incident{
		Number: r.Number, Title: r.Title, Severity: r.Severity, Owner: r.Owner, OpenedBy: r.OpenedBy,
		Link: r.Link, Issue: r.Issue, Status: cadence.IncidentStatus(r.Status), OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt,
		ClosedBy: r.ClosedBy, Summary: r.Summary,
	}
}

func (t *tx) Incident(n int) (*cadence.Incident, error) {
	b, err := t.bucket(bucketIncidents)
	if err != nil {
		return nil, err
	}
	var r incidentRecord
	found, err := getJSON(b, numKey(n), &r)
	if err != nil {
		return nil, fmt.Errorf("incident %d: %w", n, err)
	}
	if !found {
		return nil, fmt.Errorf("incident %d: %w", n, cadence.ErrNotFound)
	}
	return r.domain(), nil
}

func (t *tx) PutIncident(i *cadence.Incident) error {
	if err := t.writable("put incident"); err != nil {
		return err
	}
	if err := checkNum("incident", i.Number); err != nil {
		return err
	}
	b, err := t.bucket(bucketIncidents)
	if err != nil {
		return err
	}
	return putJSON(b, numKey(i.Number), incidentRecord{
		Number: i.Number, Title: i.Title, Severity: i.Severity, Owner: i.Owner, OpenedBy: i.OpenedBy,
		Link: i.Link, Issue: i.Issue, Status: string(i.Status), OpenedAt: utc(i.OpenedAt), ClosedAt: utc(i.ClosedAt),
		ClosedBy: i.ClosedBy, Summary: i.Summary,
	})
}

// Incidents scans the bucket: a team opens tens of incidents a year, so
// no secondary index pays for itself.
func (t *tx) Incidents(f cadence.IncidentFilter) ([]*cadence.Incident, error) {
	var out []*cadence.Incident
	err := t.numbered(bucketIncidents, func(k, v []byte) error {
		var r incidentRecord
		if err := decode(k, v, &r); err != nil {
			return err
		}
		if i := r.domain(); f.Match(i) {
			out = append(out, i)
		}
		return nil
	})
	return out, err
}

func (t *tx) LastIncidentNumber() (int, error) { return t.lastNum(bucketIncidents) }
