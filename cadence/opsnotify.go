package cadence

import (
	"fmt"
	"strconv"
	"strings"
	"time"
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
func incidentKey(inc *Incident, what string) string { return MessageKey("inc", inc.ID(), what) }
func followUpKey(f *FollowUp, parts ...string) string {
	return MessageKey(append([]string{"fu", f.ID()}, parts...)...)
}
func releaseKey(r *Release, parts ...string) string {
	return MessageKey(append([]string{"rel", r.ID()}, parts...)...)
}

func (o *Ops) channelPlatform(r *Ritual) string {
	if r.Platform != "" {
		return r.Platform
	}
	return o.platform
}

func (o *Ops) toChannel(r *Ritual, key string, body Body, now time.Time) *Message {
	return &Message{
		Key: key, Kind: KindNotice, Platform: o.channelPlatform(r), To: Recipient{Channel: r.Channel},
		RitualID: r.ID, Body: body, CreatedAt: now, Revision: 1, State: StatePending, NextAttemptAt: now,
	}
}

func (o *Ops) toPerson(person, key string, body Body, now time.Time) *Message {
	return &Message{
		Key: key, Kind: KindNotice, Platform: o.platform, To: Recipient{Person: person},
		Body: body, CreatedAt: now, Revision: 1, State: StatePending, NextAttemptAt: now,
	}
}

func (o *Ops) incidentOpenedNotice(r *Ritual, inc *Incident, now time.Time) *Message {
	lines := []string{
		fmt.Sprintf("Severity %d · owner %s · opened by %s", inc.Severity, o.name(inc.Owner), o.name(inc.OpenedBy)),
	}
	if inc.Link != "" {
		lines = append(lines, "From: "+LinkText(inc.Link, "the message"))
	}
	if inc.Issue != "" {
		lines = append(lines, IssueLine(inc.Issue))
	}
	return o.toChannel(r, incidentKey(inc, "opened"), Body{
		Title:    fmt.Sprintf("%s opened: %s", inc.ID(), inc.Title),
		Text:     fmt.Sprintf("%s (sev %d) is open: %s. Owner: %s.", inc.ID(), inc.Severity, inc.Title, o.name(inc.Owner)),
		Sections: []Section{{Lines: lines}},
		Footer:   fmt.Sprintf("/cadence followup add %s @owner YYYY-MM-DD title — to add an action item", inc.ID()),
	}, now)
}

func followUpActions(w Words, f *FollowUp) []Action {
	return []Action{
		{ID: ActionFollowUpDone, Label: w.T("followup.done"), Value: f.ID(), Style: "primary"},
		{ID: ActionFollowUpSnooze, Label: w.T("followup.snooze"), Value: f.ID()},
		{ID: ActionFollowUpReassign, Label: w.T("followup.reassign"), Value: f.ID()},
	}
}

// followUpAssigned tells a (new) owner about a follow-up.
func (o *Ops) followUpAssigned(f *FollowUp, inc *Incident, now time.Time) *Message {
	// The history length tells a reassignment back to an earlier owner
	// from the first assignment, so it is announced again.
	w := o.to(f.Owner)
	return o.toPerson(f.Owner, followUpKey(f, "assigned", f.Owner, strconv.Itoa(len(f.History))), Body{
		Title: fmt.Sprintf("%s: %s", f.ID(), f.Title),
		Text: w.T("followup.assigned", "ID", f.ID(), "Incident", inc.ID(), "Title", inc.Title,
			"Due", w.Date(f.Due.In(time.UTC), time.UTC)),
		Sections: IssueSections(f.Issue),
		Actions:  followUpActions(w, f),
		Footer:   followUpCommands(f),
	}, now)
}

// followUpCommands spells the buttons as commands, for chats that show
// no buttons and for people who prefer typing.
func followUpCommands(f *FollowUp) string {
	return fmt.Sprintf("/cadence followup done %[1]s · followup snooze %[1]s · followup reassign %[1]s @person · followup drop %[1]s REASON", f.ID())
}

// followUpReminder is the daily DM to the owner of a follow-up due soon
// or overdue.
func (o *Ops) followUpReminder(f *FollowUp, inc *Incident, kind reminderKind, today Date, now time.Time) *Message {
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
	return o.toPerson(f.Owner, followUpKey(f, "remind", f.Owner, today.String()), Body{
		Title: title, Text: text, Sections: IssueSections(f.Issue), Actions: followUpActions(w, f),
		Footer: w.T("followup.snooze_footer", "Snooze", w.Duration(o.reminders.Snooze)) + " " + followUpCommands(f),
	}, now)
}

func releaseLines(r *Release) []string {
	return append([]string{fmt.Sprintf("Change: %s · risk %s", r.Change, r.Risk)}, r.PlanLines()...)
}

func releaseTitle(r *Release) string { return fmt.Sprintf("%s %s %s", r.ID(), r.Model, r.Version) }

func releaseActions(r *Release) []Action {
	return []Action{
		{ID: ActionReleaseApprove, Label: "Approve", Value: r.ID(), Style: "primary"},
		{ID: ActionReleaseReject, Label: "Reject", Value: r.ID(), Style: "danger"},
	}
}

// releaseProposed posts the proposal to the deployment-planning channel
// and asks each approver other than the proposer.
func (o *Ops) releaseProposed(r *Release, now time.Time) []*Message {
	body := o.releaseRequestBody(r, "", time.UTC) // no times in a fresh proposal
	var out []*Message
	if ch := o.ritualOfKind(KindDeploymentPlanning); ch != nil {
		out = append(out, o.toChannel(ch, releaseKey(r, "proposed"), body, now))
	}
	for _, a := range o.Approvers() {
		if a != r.ProposedBy {
			out = append(out, o.toPerson(a, releaseKey(r, "ask", a), body.Clone(), now))
		}
	}
	return out
}

func (o *Ops) releaseProgress(r *Release, need int, now time.Time) *Message {
	return o.toPerson(r.ProposedBy, releaseKey(r, "approval", r.Approvals[len(r.Approvals)-1].By), Body{
		Title: "Approval: " + releaseTitle(r),
		Text: fmt.Sprintf("%s approved %s (%d of %d approvals; %s risk needs %d).",
			o.name(r.Approvals[len(r.Approvals)-1].By), r.ID(), len(r.Approvals), need, r.Risk, need),
	}, now)
}

// releaseApproved posts the approved plan to the deployment-planning
// channel and tells the proposer.
func (o *Ops) releaseApproved(r *Release, now time.Time) []*Message {
	var by []string
	for _, a := range r.Approvals {
		by = append(by, o.name(a.By))
	}
	if len(by) == 0 {
		by = []string{"the " + string(r.Change) + " policy (no approval needed)"}
	}
	body := Body{
		Title:    "Approved: " + releaseTitle(r),
		Text:     fmt.Sprintf("%s is approved by %s. Proposed by %s.", r.ID(), strings.Join(by, " and "), o.name(r.ProposedBy)),
		Sections: []Section{{Heading: "Plan", Lines: releaseLines(r)}},
		Footer:   fmt.Sprintf("After the release: /cadence release outcome %s shipped|rolled-back", r.ID()),
	}
	out := []*Message{o.toPerson(r.ProposedBy, releaseKey(r, "approved", r.ProposedBy), body.Clone(), now)}
	if ch := o.ritualOfKind(KindDeploymentPlanning); ch != nil {
		out = append(out, o.toChannel(ch, releaseKey(r, "approved"), body, now))
	}
	return out
}

func (o *Ops) releaseRejected(r *Release, now time.Time) *Message {
	return o.toPerson(r.ProposedBy, releaseKey(r, "rejected"), Body{
		Title: "Rejected: " + releaseTitle(r),
		Text:  fmt.Sprintf("%s rejected %s: %s", o.name(r.RejectedBy), r.ID(), r.RejectReason),
	}, now)
}

func (o *Ops) releaseOutcome(r *Release, now time.Time) []*Message {
	ch := o.ritualOfKind(KindDeploymentPlanning)
	if ch == nil {
		return nil
	}
	return []*Message{o.toChannel(ch, releaseKey(r, "outcome", string(r.Status)), Body{
		Title: fmt.Sprintf("%s: %s", strings.ToUpper(string(r.Status[:1]))+string(r.Status[1:]), releaseTitle(r)),
		Text:  fmt.Sprintf("%s is %s (recorded by %s).", r.ID(), r.Status, o.name(r.OutcomeBy)),
	}, now)}
}

// daysBetween counts calendar days from a to b (b after a: positive).
func daysBetween(a, b Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)).Hours() / 24)
}
