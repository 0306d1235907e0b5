package ops

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Action IDs of follow-up and release buttons. Value carries the item's
// display ID ("FU-7", "REL-2"); adapters pass both to Ops.Act.
const (
	ActionFollowUpDone     = "followup_done"
	ActionFollowUpSnooze   = "followup_snooze"
	ActionFollowUpReassign = "followup_reassign" // needs the new owner: adapters ask first
	ActionReleaseApprove   = "release_approve"
	ActionReleaseReject    = "release_reject" // needs a reason: adapters ask first
)

// Message keys of the ops messages. Each names what it is about, so a
// replay enqueues nothing new.
func incidentKey(inc *cadence.Incident, what string) string {
	return cadence.MessageKey("inc", inc.ID(), what)
}
func followUpKey(f *cadence.FollowUp, parts ...string) string {
	return cadence.MessageKey(append([]string{"fu", f.ID()}, parts...)...)
}
func releaseKey(r *cadence.Release, parts ...string) string {
	return cadence.MessageKey(append([]string{"rel", r.ID()}, parts...)...)
}

func (o *Ops) channelPlatform(r *cadence.Ritual) string {
	if r.Platform != "" {
		return r.Platform
	}
	return o.platform
}

func (o *Ops) toChannel(r *cadence.Ritual, key string, body cadence.Body, now time.Time) *cadence.Message {
	return &cadence.Message{
		Key: key, Kind: cadence.KindNotice, Platform: o.channelPlatform(r), To: cadence.Recipient{Channel: r.Channel},
		RitualID: r.ID, Body: body, CreatedAt: now, Revision: 1, State: cadence.StatePending, NextAttemptAt: now,
	}
}

func (o *Ops) toPerson(person, key string, body cadence.Body, now time.Time) *cadence.Message {
	return &cadence.Message{
		Key: key, Kind: cadence.KindNotice, Platform: o.platform, To: cadence.Recipient{Person: person},
		Body: body, CreatedAt: now, Revision: 1, State: cadence.StatePending, NextAttemptAt: now,
	}
}

// incidentOpenedNotice is the triage channel's post, in the team's language.
func (o *Ops) incidentOpenedNotice(r *cadence.Ritual, inc *cadence.Incident, now time.Time) *cadence.Message {
	w := o.team()
	lines := []string{
		w.T("incident.opened_meta", "Severity", inc.Severity, "Owner", o.name(inc.Owner), "OpenedBy", o.name(inc.OpenedBy)),
	}
	if inc.Link != "" {
		lines = append(lines, w.T("incident.from", "Link", cadence.LinkText(inc.Link, w.T("incident.the_message"))))
	}
	if inc.Issue != "" {
		lines = append(lines, cadence.IssueLine(inc.Issue))
	}
	return o.toChannel(r, incidentKey(inc, "opened"), cadence.Body{
		Title:    w.T("incident.opened_title", "ID", inc.ID(), "Title", inc.Title),
		Text:     w.T("incident.opened", "ID", inc.ID(), "Severity", inc.Severity, "Title", inc.Title, "Owner", o.name(inc.Owner)),
		Sections: []cadence.Section{{Lines: lines}},
		Footer:   w.T("incident.add_followup_footer", "ID", inc.ID()),
	}, now)
}

func followUpActions(w cadence.Words, f *cadence.FollowUp) []cadence.Action {
	return []cadence.Action{
		{ID: ActionFollowUpDone, Label: w.T("followup.done"), Value: f.ID(), Style: "primary"},
		{ID: ActionFollowUpSnooze, Label: w.T("followup.snooze"), Value: f.ID()},
		{ID: ActionFollowUpReassign, Label: w.T("followup.reassign"), Value: f.ID()},
	}
}

// followUpAssigned tells a (new) owner about a follow-up.
func (o *Ops) followUpAssigned(f *cadence.FollowUp, inc *cadence.Incident, now time.Time) *cadence.Message {
	// The history length tells a reassignment back to an earlier owner
	// from the first assignment, so it is announced again.
	w := o.to(f.Owner)
	return o.toPerson(f.Owner, followUpKey(f, "assigned", f.Owner, strconv.Itoa(len(f.History))), cadence.Body{
		Title: fmt.Sprintf("%s: %s", f.ID(), f.Title),
		Text: w.T("followup.assigned", "ID", f.ID(), "Incident", inc.ID(), "Title", inc.Title,
			"Due", w.Date(f.Due.In(time.UTC), time.UTC)),
		Sections: cadence.IssueSections(f.Issue),
		Actions:  followUpActions(w, f),
		Footer:   followUpCommands(f),
	}, now)
}

// followUpCommands spells the buttons as commands, for chats that show
// no buttons and for people who prefer typing.
func followUpCommands(f *cadence.FollowUp) string {
	return fmt.Sprintf("/cadence followup done %[1]s · followup snooze %[1]s · followup reassign %[1]s @person · followup drop %[1]s REASON", f.ID())
}

// followUpReminder is the daily DM to the owner of a follow-up due soon
// or overdue.
func (o *Ops) followUpReminder(f *cadence.FollowUp, inc *cadence.Incident, kind reminderKind, today cadence.Date, now time.Time) *cadence.Message {
	w := o.to(f.Owner)
	due := w.Day(f.Due.In(time.UTC), time.UTC)
	var title, text string
	switch kind {
	case reminderOverdue:
		title = w.T("followup.overdue_title", "ID", f.ID(), "Title", f.Title)
		text = w.N("followup.overdue", daysBetween(f.Due, today), "ID", f.ID(), "Due", due)
	default:
		title = w.T("followup.due_soon_title", "ID", f.ID(), "Title", f.Title)
		if f.Due == today {
			text = w.T("followup.due_today", "ID", f.ID(), "Due", due)
		} else {
			text = w.N("followup.due_in", daysBetween(today, f.Due), "ID", f.ID(), "Due", due)
		}
	}
	text += " " + w.T("followup.of_incident", "Incident", inc.ID(), "Title", inc.Title)
	return o.toPerson(f.Owner, followUpKey(f, "remind", f.Owner, today.String()), cadence.Body{
		Title: title, Text: text, Sections: cadence.IssueSections(f.Issue), Actions: followUpActions(w, f),
		Footer: w.T("followup.snooze_footer", "Snooze", w.Duration(o.reminders.Snooze)) + " " + followUpCommands(f),
	}, now)
}

func releaseLines(w cadence.Words, r *cadence.Release) []string {
	return append([]string{w.T("release.plan_line", "Change", r.Change, "Risk", r.Risk)}, r.PlanLines()...)
}

func releaseTitle(r *cadence.Release) string {
	return fmt.Sprintf("%s %s %s", r.ID(), r.Model, r.Version)
}

// statusTitle is "Approved: REL-2 churn v7" and its like for r's status.
func statusTitle(w cadence.Words, r *cadence.Release) string {
	return w.T("release.title_"+statusKey(r.Status), "Release", releaseTitle(r))
}

// statusKey is a status as catalog keys spell it ("rolled_back").
func statusKey(s cadence.ReleaseStatus) string { return strings.ReplaceAll(string(s), "-", "_") }

func releaseActions(w cadence.Words, r *cadence.Release) []cadence.Action {
	return []cadence.Action{
		{ID: ActionReleaseApprove, Label: w.T("release.approve"), Value: r.ID(), Style: "primary"},
		{ID: ActionReleaseReject, Label: w.T("release.reject"), Value: r.ID(), Style: "danger"},
	}
}

// releaseProposed posts the proposal to the deployment-planning channel
// and asks each approver other than the proposer, each in their language.
func (o *Ops) releaseProposed(r *cadence.Release, now time.Time) []*cadence.Message {
	// No times in a fresh proposal, so the zone does not matter.
	var out []*cadence.Message
	if ch := o.ritualOfKind(cadence.KindDeploymentPlanning); ch != nil {
		out = append(out, o.toChannel(ch, releaseKey(r, "proposed"), o.releaseRequestBody(o.team(), r, "", time.UTC), now))
	}
	for _, a := range o.Approvers() {
		if a != r.ProposedBy {
			out = append(out, o.toPerson(a, releaseKey(r, "ask", a), o.releaseRequestBody(o.to(a), r, "", time.UTC), now))
		}
	}
	return out
}

func (o *Ops) releaseProgress(r *cadence.Release, need int, now time.Time) *cadence.Message {
	w := o.to(r.ProposedBy)
	last := r.Approvals[len(r.Approvals)-1].By
	return o.toPerson(r.ProposedBy, releaseKey(r, "approval", last), cadence.Body{
		Title: w.T("release.progress_title", "Release", releaseTitle(r)),
		Text: w.T("release.progress", "By", o.name(last), "ID", r.ID(), "Count", len(r.Approvals), "Need", need,
			"Risk", r.Risk),
	}, now)
}

// releaseApproved posts the approved plan to the deployment-planning
// channel (team's language) and tells the proposer (theirs).
func (o *Ops) releaseApproved(r *cadence.Release, now time.Time) []*cadence.Message {
	body := func(w cadence.Words) cadence.Body {
		who := o.approvedBy(w, r, "release.by_policy_no_approval")
		return cadence.Body{
			Title:    w.T("release.title_approved", "Release", releaseTitle(r)),
			Text:     w.T("release.approved", "ID", r.ID(), "By", who, "Proposer", o.name(r.ProposedBy)),
			Sections: []cadence.Section{{Heading: w.T("release.plan"), Lines: releaseLines(w, r)}},
			Footer:   w.T("release.outcome_footer", "ID", r.ID()),
		}
	}
	out := []*cadence.Message{o.toPerson(r.ProposedBy, releaseKey(r, "approved", r.ProposedBy), body(o.to(r.ProposedBy)), now)}
	if ch := o.ritualOfKind(cadence.KindDeploymentPlanning); ch != nil {
		out = append(out, o.toChannel(ch, releaseKey(r, "approved"), body(o.team()), now))
	}
	return out
}

func (o *Ops) releaseRejected(r *cadence.Release, now time.Time) *cadence.Message {
	w := o.to(r.ProposedBy)
	return o.toPerson(r.ProposedBy, releaseKey(r, "rejected"), cadence.Body{
		Title: w.T("release.title_rejected", "Release", releaseTitle(r)),
		Text:  w.T("release.rejected", "By", o.name(r.RejectedBy), "ID", r.ID(), "Reason", r.RejectReason),
	}, now)
}

func (o *Ops) releaseOutcome(r *cadence.Release, now time.Time) []*cadence.Message {
	ch := o.ritualOfKind(cadence.KindDeploymentPlanning)
	if ch == nil {
		return nil
	}
	w := o.team()
	return []*cadence.Message{o.toChannel(ch, releaseKey(r, "outcome", string(r.Status)), cadence.Body{
		Title: statusTitle(w, r),
		Text:  w.T("release.outcome_"+statusKey(r.Status), "ID", r.ID(), "By", o.name(r.OutcomeBy)),
	}, now)}
}

// daysBetween counts calendar days from a to b (b after a: positive).
func daysBetween(a, b cadence.Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)).Hours() / 24)
}
