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

func (o *Ops) incidentOpenedNotice(r *cadence.Ritual, inc *cadence.Incident, now time.Time) *cadence.Message {
	lines := []string{
		fmt.Sprintf("Severity %d · owner %s · opened by %s", inc.Severity, o.name(inc.Owner), o.name(inc.OpenedBy)),
	}
	if inc.Link != "" {
		lines = append(lines, "From: "+cadence.LinkText(inc.Link, "the message"))
	}
	if inc.Issue != "" {
		lines = append(lines, cadence.IssueLine(inc.Issue))
	}
	return o.toChannel(r, incidentKey(inc, "opened"), cadence.Body{
		Title:    fmt.Sprintf("%s opened: %s", inc.ID(), inc.Title),
		Text:     fmt.Sprintf("%s (sev %d) is open: %s. Owner: %s.", inc.ID(), inc.Severity, inc.Title, o.name(inc.Owner)),
		Sections: []cadence.Section{{Lines: lines}},
		Footer:   fmt.Sprintf("/cadence followup add %s @owner YYYY-MM-DD title — to add an action item", inc.ID()),
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

func releaseLines(r *cadence.Release) []string {
	return append([]string{fmt.Sprintf("Change: %s · risk %s", r.Change, r.Risk)}, r.PlanLines()...)
}

func releaseTitle(r *cadence.Release) string {
	return fmt.Sprintf("%s %s %s", r.ID(), r.Model, r.Version)
}

func releaseActions(r *cadence.Release) []cadence.Action {
	return []cadence.Action{
		{ID: ActionReleaseApprove, Label: "Approve", Value: r.ID(), Style: "primary"},
		{ID: ActionReleaseReject, Label: "Reject", Value: r.ID(), Style: "danger"},
	}
}

// releaseProposed posts the proposal to the deployment-planning channel
// and asks each approver other than the proposer.
func (o *Ops) releaseProposed(r *cadence.Release, now time.Time) []*cadence.Message {
	body := o.releaseRequestBody(r, "", time.UTC) // no times in a fresh proposal
	var out []*cadence.Message
	if ch := o.ritualOfKind(cadence.KindDeploymentPlanning); ch != nil {
		out = append(out, o.toChannel(ch, releaseKey(r, "proposed"), body, now))
	}
	for _, a := range o.Approvers() {
		if a != r.ProposedBy {
			out = append(out, o.toPerson(a, releaseKey(r, "ask", a), body.Clone(), now))
		}
	}
	return out
}

func (o *Ops) releaseProgress(r *cadence.Release, need int, now time.Time) *cadence.Message {
	return o.toPerson(r.ProposedBy, releaseKey(r, "approval", r.Approvals[len(r.Approvals)-1].By), cadence.Body{
		Title: "Approval: " + releaseTitle(r),
		Text: fmt.Sprintf("%s approved %s (%d of %d approvals; %s risk needs %d).",
			o.name(r.Approvals[len(r.Approvals)-1].By), r.ID(), len(r.Approvals), need, r.Risk, need),
	}, now)
}

// releaseApproved posts the approved plan to the deployment-planning
// channel and tells the proposer.
func (o *Ops) releaseApproved(r *cadence.Release, now time.Time) []*cadence.Message {
	var by []string
	for _, a := range r.Approvals {
		by = append(by, o.name(a.By))
	}
	if len(by) == 0 {
		by = []string{"the " + string(r.Change) + " policy (no approval needed)"}
	}
	body := cadence.Body{
		Title:    "Approved: " + releaseTitle(r),
		Text:     fmt.Sprintf("%s is approved by %s. Proposed by %s.", r.ID(), strings.Join(by, " and "), o.name(r.ProposedBy)),
		Sections: []cadence.Section{{Heading: "Plan", Lines: releaseLines(r)}},
		Footer:   fmt.Sprintf("After the release: /cadence release outcome %s shipped|rolled-back", r.ID()),
	}
	out := []*cadence.Message{o.toPerson(r.ProposedBy, releaseKey(r, "approved", r.ProposedBy), body.Clone(), now)}
	if ch := o.ritualOfKind(cadence.KindDeploymentPlanning); ch != nil {
		out = append(out, o.toChannel(ch, releaseKey(r, "approved"), body, now))
	}
	return out
}

func (o *Ops) releaseRejected(r *cadence.Release, now time.Time) *cadence.Message {
	return o.toPerson(r.ProposedBy, releaseKey(r, "rejected"), cadence.Body{
		Title: "Rejected: " + releaseTitle(r),
		Text:  fmt.Sprintf("%s rejected %s: %s", o.name(r.RejectedBy), r.ID(), r.RejectReason),
	}, now)
}

func (o *Ops) releaseOutcome(r *cadence.Release, now time.Time) []*cadence.Message {
	ch := o.ritualOfKind(cadence.KindDeploymentPlanning)
	if ch == nil {
		return nil
	}
	return []*cadence.Message{o.toChannel(ch, releaseKey(r, "outcome", string(r.Status)), cadence.Body{
		Title: fmt.Sprintf("%s: %s", strings.ToUpper(string(r.Status[:1]))+string(r.Status[1:]), releaseTitle(r)),
		Text:  fmt.Sprintf("%s is %s (recorded by %s).", r.ID(), r.Status, o.name(r.OutcomeBy)),
	}, now)}
}

// daysBetween counts calendar days from a to b (b after a: positive).
func daysBetween(a, b cadence.Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)).Hours() / 24)
}
