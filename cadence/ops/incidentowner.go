package ops

import (
	"errors"
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// The owner of an incident, when someone else makes them its owner, gets
// a DM with the incident and its follow-ups. The DM is redrawn in place
// as follow-ups are added, done, dropped or reassigned and when the
// incident closes, so it always shows where the incident stands.

func incidentOwnerKey(inc *cadence.Incident) string { return incidentKey(inc, "owner/"+inc.Owner) }

// incidentOwnerBody is what the owner's DM says, in their language.
func (o *Ops) incidentOwnerBody(inc *cadence.Incident, fus []*cadence.FollowUp) cadence.Body {
	w, loc := o.to(inc.Owner), o.loc(inc.Owner)
	lines := []string{w.T("incident.owner_meta", "Severity", inc.Severity, "OpenedBy", o.name(inc.OpenedBy),
		"At", w.DateTime(inc.OpenedAt, loc))}
	if inc.Link != "" {
		lines = append(lines, w.T("incident.from", "Link", inc.Link))
	}
	text := w.T("incident.owner_text", "OpenedBy", o.name(inc.OpenedBy), "ID", inc.ID(), "Severity", inc.Severity, "Title", inc.Title)
	footer := fmt.Sprintf("/cadence followup add %[1]s @owner YYYY-MM-DD title · incident show %[1]s · incident close %[1]s SUMMARY", inc.ID())
	if inc.Status == cadence.IncidentClosed {
		text = w.T("incident.owner_closed", "ID", inc.ID(), "By", o.name(inc.ClosedBy), "At", w.DateTime(inc.ClosedAt, loc), "Title", inc.Title)
		lines = append(lines, w.T("incident.summary", "Summary", inc.Summary))
		footer = fmt.Sprintf("/cadence incident show %s", inc.ID())
	}
	fu := cadence.Section{Heading: w.T("incident.followups_heading")}
	for _, f := range fus {
		line := w.T("incident.followup_line", "ID", f.ID(), "Title", f.Title, "Owner", o.name(f.Owner),
			"Due", w.Day(f.Due.In(time.UTC), time.UTC))
		if f.Status != cadence.FollowUpOpen {
			line += " · " + w.T("followup.status_"+string(f.Status))
		}
		fu.Lines = append(fu.Lines, line)
	}
	if len(fu.Lines) == 0 {
		fu.Lines = []string{w.T("incident.followups_none")}
	}
	return cadence.Body{
		Title:    w.T("incident.owner_title", "ID", inc.ID(), "Title", inc.Title),
		Text:     text,
		Sections: []cadence.Section{{Lines: lines}, fu},
		Footer:   footer,
	}
}

// incidentOwnerAssigned is the owner's DM, nil when the owner opened the
// incident themselves.
func (o *Ops) incidentOwnerAssigned(inc *cadence.Incident, now time.Time) *cadence.Message {
	if inc.Owner == inc.OpenedBy {
		return nil
	}
	return o.toPerson(inc.Owner, incidentOwnerKey(inc), o.incidentOwnerBody(inc, nil), now)
}

// refreshIncidentOwner redraws the owner's DM of the incident numbered n,
// if they got one, with its follow-ups as they are now.
func (o *Ops) refreshIncidentOwner(tx cadence.Tx, rec *opRecord, n int, now time.Time) error {
	inc, err := tx.Incident(n)
	if err != nil {
		return fmt.Errorf("incident %s: %w", cadence.IncidentID(n), err)
	}
	m, err := tx.Message(incidentOwnerKey(inc))
	if errors.Is(err, cadence.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	fus, err := tx.FollowUps(cadence.FollowUpFilter{Incident: inc.Number})
	if err != nil {
		return err
	}
	return o.revise(tx, rec, m, o.incidentOwnerBody(inc, fus), now)
}

// revise replaces the body of a queued or delivered message and bumps its
// revision, so the dispatcher updates it in place (or sends the newest
// version if it has not gone out yet).
func (o *Ops) revise(tx cadence.Tx, rec *opRecord, m *cadence.Message, body cadence.Body, now time.Time) error {
	if m.Revise(body, now) {
		rec.enqueued = true
	}
	return tx.PutMessage(m)
}
