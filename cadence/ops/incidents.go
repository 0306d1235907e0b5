package ops

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cadencebot/cadencebot/cadence"
)

// MaxTitleLen bounds titles of incidents, follow-ups and release notes.
const MaxTitleLen = 200

// IncidentInput opens an incident.
type IncidentInput struct {
	Title    string
	Severity int    // 1..4; 0 means DefaultSeverity
	Owner    string // person ID; empty means the person opening it
	Link     string // permalink of the originating message, if any
	Issue    string // tracker issue URL (https), if any
}

// OpenIncident records a new incident INC-N and tells the triage channel.
// Anyone on the roster may open one.
func (o *Ops) OpenIncident(ctx context.Context, actorID string, in IncidentInput) (*cadence.Incident, error) {
	var out *cadence.Incident
	err := o.run(ctx, actorID, "incident.open", "", func(tx cadence.Tx, now time.Time, rec *opRecord) error {
		rec.set("title", in.Title)
		if _, err := o.actor(actorID, "open incidents"); err != nil {
			return err
		}
		if in.Owner == "" {
			in.Owner = actorID
		}
		if in.Severity == 0 {
			in.Severity = cadence.DefaultSeverity
		}
		title, err := checkTitle("title", in.Title)
		if err != nil {
			return err
		}
		if in.Severity < cadence.MinSeverity || in.Severity > cadence.MaxSeverity {
			return cadence.Fieldf("severity", "%d is not between %d (worst) and %d", in.Severity, cadence.MinSeverity, cadence.MaxSeverity)
		}
		if _, err := o.member(in.Owner, "owner"); err != nil {
			return err
		}
		if err := checkLink("link", in.Link, false); err != nil {
			return err
		}
		issue, err := cadence.CheckIssueURL("issue", in.Issue)
		if err != nil {
			return err
		}
		last, err := tx.LastIncidentNumber()
		if err != nil {
			return err
		}
		inc := &cadence.Incident{
			Number: last + 1, Title: title, Severity: in.Severity, Owner: in.Owner, OpenedBy: actorID,
			Link: strings.TrimSpace(in.Link), Issue: issue, Status: cadence.IncidentOpen, OpenedAt: now,
		}
		if err := tx.PutIncident(inc); err != nil {
			return err
		}
		rec.target = inc.ID()
		rec.set("severity", strconv.Itoa(inc.Severity))
		rec.set("owner", inc.Owner)
		rec.set("link", inc.Link)
		rec.set("issue", inc.Issue)
		out = inc
		var notices []*cadence.Message
		if r := o.ritualOfKind(cadence.KindTriage); r != nil {
			notices = append(notices, o.incidentOpenedNotice(r, inc, now))
		}
		return o.enqueueAll(tx, rec, append(notices, o.incidentOwnerAssigned(inc, now)))
	})
	return out, err
}

// CloseIncident closes an open incident with a summary. Its owner, the
// person who opened it, leads and admins may close it.
func (o *Ops) CloseIncident(ctx context.Context, actorID, id, summary string) (*cadence.Incident, error) {
	var out *cadence.Incident
	err := o.run(ctx, actorID, "incident.close", id, func(tx cadence.Tx, now time.Time, rec *opRecord) error {
		actor, err := o.actor(actorID, "close incidents")
		if err != nil {
			return err
		}
		inc, err := o.incident(tx, id)
		if err != nil {
			return err
		}
		rec.target = inc.ID()
		if actor.ID != inc.Owner && actor.ID != inc.OpenedBy && !actor.Role.CanRunRituals() {
			return cadence.Refusef(cadence.ErrForbidden, "only %s's owner (%s), the person who opened it, leads and admins can close it", inc.ID(), o.name(inc.Owner))
		}
		if inc.Status == cadence.IncidentClosed {
			return cadence.Refusef(cadence.ErrConflict, "%s is already closed (%s)", inc.ID(), inc.ClosedAt.Format(time.DateOnly))
		}
		summary, err = checkText("summary", summary, cadence.MaxAnswerLen)
		if err != nil {
			return err
		}
		inc.Status, inc.ClosedAt, inc.ClosedBy, inc.Summary = cadence.IncidentClosed, now, actorID, summary
		rec.set("summary", summary)
		out = inc
		if err := tx.PutIncident(inc); err != nil {
			return err
		}
		return o.refreshIncidentOwner(tx, rec, inc.Number, now)
	})
	return out, err
}

// Incidents lists incidents matching f.
func (o *Ops) Incidents(ctx context.Context, f cadence.IncidentFilter) ([]*cadence.Incident, error) {
	var out []*cadence.Incident
	err := o.view(ctx, func(tx cadence.Tx) error {
		var err error
		out, err = tx.Incidents(f)
		return err
	})
	return out, err
}

// Incident returns one incident, by display ID, with its follow-ups.
func (o *Ops) Incident(ctx context.Context, id string) (*cadence.Incident, []*cadence.FollowUp, error) {
	var inc *cadence.Incident
	var fus []*cadence.FollowUp
	err := o.view(ctx, func(tx cadence.Tx) error {
		var err error
		if inc, err = o.incident(tx, id); err != nil {
			return err
		}
		fus, err = tx.FollowUps(cadence.FollowUpFilter{Incident: inc.Number})
		return err
	})
	return inc, fus, err
}

// incident looks up "INC-3"; unknown ones are ErrNotFound with the ID.
func (o *Ops) incident(tx cadence.Tx, id string) (*cadence.Incident, error) {
	n, err := cadence.ParseIncidentID(id)
	if err != nil {
		return nil, err
	}
	inc, err := tx.Incident(n)
	if errors.Is(err, cadence.ErrNotFound) {
		return nil, cadence.Refusef(cadence.ErrNotFound, "there is no incident %s", cadence.IncidentID(n))
	}
	return inc, err
}

// ritualOfKind is the first configured ritual of a kind (its channel gets
// incident and release notices), or nil.
func (o *Ops) ritualOfKind(k cadence.Kind) *cadence.Ritual {
	for _, r := range o.live().rituals {
		if r.Kind == k {
			return r
		}
	}
	return nil
}

// checkTitle trims s and refuses empty or over-long titles.
func checkTitle(field, s string) (string, error) { return checkText(field, s, MaxTitleLen) }

func checkText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", cadence.Fieldf(field, "must not be empty")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", cadence.Fieldf(field, "%d characters, the limit is %d", n, max)
	}
	return s, nil
}

// checkLink accepts an absolute http(s) URL, or nothing when optional.
func checkLink(field, s string, required bool) error {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return cadence.Fieldf(field, "a link is required")
		}
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return cadence.Fieldf(field, "%q is not an http(s) link", s)
	}
	return nil
}
