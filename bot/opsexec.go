package bot

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// executeOps runs an MLOps verb. Permission checks, refusals and their
// audit entries are the OpsBackend's; this only resolves names and words
// the replies.
func executeOps(ctx context.Context, svc cadence.Service, actor *cadence.Person, cmd Command, loc *time.Location, now time.Time) (Reply, error) {
	ops, ok := svc.(OpsBackend)
	if !ok {
		return Reply{}, &userError{fmt.Sprintf("%s: incidents, follow-ups and releases are not enabled on this bot", cmd.Verb), cadence.ErrNotFound}
	}
	x := opsExec{ctx: ctx, svc: svc, ops: ops, actor: actor, a: cmd.Ops, verb: cmd.Verb, loc: loc, now: now}
	var r Reply
	var err error
	switch cmd.Verb {
	case VerbIncident:
		r, err = x.incident()
	case VerbFollowUp:
		r, err = x.followUp()
	case VerbRelease:
		r, err = x.release()
	case VerbAudit:
		r, err = x.audit()
	case VerbOnCall:
		r, err = x.onCall()
	case VerbHandover:
		r, err = x.handover()
	default:
		return HelpReply(string(cmd.Verb)), nil
	}
	if err != nil {
		return Reply{}, serviceError(cmd.Verb, err)
	}
	return r, nil
}

type opsExec struct {
	ctx   context.Context
	svc   cadence.Service
	ops   OpsBackend
	actor *cadence.Person
	a     *OpsArgs
	verb  Verb
	loc   *time.Location
	now   time.Time
}

// person resolves what was typed for a person: "@ana", "ana", "Ana",
// a Slack mention "<@U0123>" or "<@U0123|ana>". Unknown names are passed
// on as typed (without the @), so the service refuses and audits them.
func (x opsExec) person(typed string) string {
	s := strings.TrimSpace(typed)
	roster := x.svc.Roster()
	if strings.HasPrefix(s, "<@") && strings.HasSuffix(s, ">") {
		id, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(s, "<@"), ">"), "|")
		if p := roster.BySlackID(id); p != nil {
			return p.ID
		}
		return id
	}
	s = strings.TrimPrefix(s, "@")
	if p := roster.Person(s); p != nil {
		return p.ID
	}
	var match *cadence.Person
	for _, p := range roster.People() {
		if strings.EqualFold(p.ID, s) || strings.EqualFold(p.Name, s) || strings.EqualFold(p.Handles.SlackID, s) {
			if match != nil {
				return s // ambiguous: let the service refuse it
			}
			match = p
		}
	}
	if match != nil {
		return match.ID
	}
	return s
}

func (x opsExec) name(id string) string {
	if p := x.svc.Roster().Person(id); p != nil && p.Name != "" {
		return p.Name
	}
	return id
}

func (x opsExec) when(t time.Time) string { return formatTime(t, x.loc) }

func (x opsExec) incident() (Reply, error) {
	a := x.a
	switch a.Sub {
	case "new":
		in := ops.IncidentInput{Title: a.Title, Severity: a.Severity, Issue: a.Issue}
		if a.Owner != "" {
			in.Owner = x.person(a.Owner)
		}
		inc, err := x.ops.OpenIncident(x.ctx, x.actor.ID, in)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Title: "Opened " + inc.ID(), Lines: []string{
			fmt.Sprintf("%s · severity %d · owner %s", inc.Title, inc.Severity, x.name(inc.Owner)),
			fmt.Sprintf("Add action items with /cadence followup add %s @owner YYYY-MM-DD title", inc.ID()),
		}}, nil
	case "list":
		f := cadence.IncidentFilter{Status: []cadence.IncidentStatus{cadence.IncidentOpen}}
		title := "Open incidents"
		if a.Scope == "all" {
			f, title = cadence.IncidentFilter{}, "All incidents"
		}
		incs, err := x.ops.Incidents(x.ctx, f)
		if err != nil {
			return Reply{}, err
		}
		r := Reply{Title: fmt.Sprintf("%s (%d)", title, len(incs))}
		for _, inc := range incs {
			r.Lines = append(r.Lines, x.incidentLine(inc))
		}
		if len(incs) == 0 {
			r.Lines = []string{"None."}
		}
		return r, nil
	case "show":
		inc, fus, err := x.ops.Incident(x.ctx, a.ID)
		if err != nil {
			return Reply{}, err
		}
		r := Reply{Title: inc.ID() + " · " + inc.Title, Lines: []string{
			fmt.Sprintf("Severity %d · owner %s · %s", inc.Severity, x.name(inc.Owner), inc.Status),
			fmt.Sprintf("Opened %s by %s", x.when(inc.OpenedAt), x.name(inc.OpenedBy)),
		}}
		if inc.Link != "" {
			r.Lines = append(r.Lines, "From: "+inc.Link)
		}
		if inc.Issue != "" {
			r.Lines = append(r.Lines, "Issue: "+inc.Issue)
		}
		if inc.Status == cadence.IncidentClosed {
			r.Lines = append(r.Lines, fmt.Sprintf("Closed %s by %s: %s", x.when(inc.ClosedAt), x.name(inc.ClosedBy), inc.Summary))
		}
		sec := cadence.Section{Heading: "Follow-ups"}
		for _, f := range fus {
			sec.Lines = append(sec.Lines, x.followUpLine(f))
		}
		if len(fus) == 0 {
			sec.Lines = []string{"None yet."}
		}
		r.Sections = []cadence.Section{sec}
		return r, nil
	case "close":
		inc, err := x.ops.CloseIncident(x.ctx, x.actor.ID, a.ID, a.Text)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Title: "Closed " + inc.ID(), Lines: []string{inc.Title, "Summary: " + inc.Summary}}, nil
	}
	return HelpReply(string(x.verb)), nil
}

func (x opsExec) incidentLine(inc *cadence.Incident) string {
	return fmt.Sprintf("%s · sev %d · %s · owner %s · %s · opened %s", inc.ID(), inc.Severity, inc.Title,
		x.name(inc.Owner), inc.Status, x.when(inc.OpenedAt))
}

func (x opsExec) followUpLine(f *cadence.FollowUp) string {
	line := fmt.Sprintf("%s %s · %s · due %s · %s", f.ID(), f.Title, x.name(f.Owner), f.Due, f.Status)
	switch {
	case f.Status == cadence.FollowUpDropped:
		line += ": " + f.DropReason
	case f.Status == cadence.FollowUpOpen && x.overdue(f):
		line += " · OVERDUE"
	}
	return line
}

// overdue judges the due date in the owner's zone, as the domain does.
func (x opsExec) overdue(f *cadence.FollowUp) bool {
	loc := time.UTC
	if p := x.svc.Roster().Person(f.Owner); p != nil && p.Location != nil {
		loc = p.Location
	}
	return !x.now.Before(f.Deadline(loc))
}

func (x opsExec) followUp() (Reply, error) {
	a := x.a
	var f *cadence.FollowUp
	var err error
	switch a.Sub {
	case "add":
		f, err = x.ops.AddFollowUp(x.ctx, x.actor.ID, ops.FollowUpInput{Incident: a.ID, Owner: x.person(a.Owner), Due: a.Due, Title: a.Title, Issue: a.Issue})
		if err != nil {
			return Reply{}, err
		}
		return Reply{Title: fmt.Sprintf("Added %s to %s", f.ID(), cadence.IncidentID(f.Incident)), Lines: []string{
			fmt.Sprintf("%s · owner %s · due %s", f.Title, x.name(f.Owner), f.Due),
			fmt.Sprintf("%s is told now and reminded on working days before it is due.", x.name(f.Owner)),
		}}, nil
	case "done":
		if f, err = x.ops.CompleteFollowUp(x.ctx, x.actor.ID, a.ID); err == nil {
			return Reply{Title: f.ID() + " is done", Lines: []string{f.Title}}, nil
		}
	case "drop":
		if f, err = x.ops.DropFollowUp(x.ctx, x.actor.ID, a.ID, a.Text); err == nil {
			return Reply{Title: "Dropped " + f.ID(), Lines: []string{f.Title, "Reason: " + f.DropReason}}, nil
		}
	case "snooze":
		if f, err = x.ops.SnoozeFollowUp(x.ctx, x.actor.ID, a.ID); err == nil {
			return Reply{Title: "Snoozed " + f.ID(), Lines: []string{"No reminders until " + x.when(f.SnoozedUntil) + "."}}, nil
		}
	case "reassign":
		if f, err = x.ops.ReassignFollowUp(x.ctx, x.actor.ID, a.ID, x.person(a.Owner)); err == nil {
			return Reply{Title: f.ID() + " now belongs to " + x.name(f.Owner), Lines: []string{f.Title}}, nil
		}
	case "list":
		return x.followUpList()
	default:
		return HelpReply(string(x.verb)), nil
	}
	return Reply{}, err
}

func (x opsExec) followUpList() (Reply, error) {
	q := cadence.FollowUpFilter{Status: []cadence.FollowUpStatus{cadence.FollowUpOpen}}
	title := "Open follow-ups"
	switch x.a.Scope {
	case "mine":
		q.Owner, title = x.actor.ID, "Your open follow-ups"
	case "all":
		q, title = cadence.FollowUpFilter{}, "All follow-ups"
	}
	fus, err := x.ops.FollowUps(x.ctx, q)
	if err != nil {
		return Reply{}, err
	}
	r := Reply{Title: fmt.Sprintf("%s (%d)", title, len(fus))}
	for _, f := range fus {
		r.Lines = append(r.Lines, x.followUpLine(f)+" · "+cadence.IncidentID(f.Incident))
	}
	if len(fus) == 0 {
		r.Lines = []string{"None."}
	}
	return r, nil
}

func (x opsExec) release() (Reply, error) {
	a := x.a
	var r *cadence.Release
	var err error
	switch a.Sub {
	case "propose":
		if r, err = x.ops.ProposeRelease(x.ctx, x.actor.ID, a.Release); err != nil {
			return Reply{}, err
		}
		var who []string
		for _, id := range x.ops.Approvers() {
			if id != r.ProposedBy {
				who = append(who, x.name(id))
			}
		}
		return Reply{Title: "Proposed " + releaseName(r), Lines: []string{
			fmt.Sprintf("It needs %d approval(s), from: %s.", x.ops.ApprovalsFor(r), strings.Join(who, ", ")),
		}, Sections: []cadence.Section{x.releaseSection(r)}}, nil
	case "list":
		f := cadence.ReleaseFilter{Status: []cadence.ReleaseStatus{cadence.ReleaseProposed, cadence.ReleaseApproved}}
		title := "Release lane"
		if a.Scope == "all" {
			f, title = cadence.ReleaseFilter{}, "All releases"
		}
		rels, err := x.ops.Releases(x.ctx, f)
		if err != nil {
			return Reply{}, err
		}
		out := Reply{Title: fmt.Sprintf("%s (%d)", title, len(rels))}
		for _, r := range rels {
			out.Lines = append(out.Lines, fmt.Sprintf("%s · %s · risk %s · %s · %d/%d approvals · by %s",
				releaseName(r), r.Change, r.Risk, r.Status, len(r.Approvals), x.ops.ApprovalsFor(r), x.name(r.ProposedBy)))
		}
		if len(rels) == 0 {
			out.Lines = []string{"None."}
		}
		return out, nil
	case "show":
		if r, err = x.ops.Release(x.ctx, a.ID); err == nil {
			return Reply{Title: releaseName(r), Lines: []string{string(r.Status)}, Sections: []cadence.Section{x.releaseSection(r)}}, nil
		}
	case "approve":
		if r, err = x.ops.ApproveRelease(x.ctx, x.actor.ID, a.ID); err == nil {
			need := x.ops.ApprovalsFor(r)
			if r.Status == cadence.ReleaseApproved {
				return Reply{Title: "Approved " + releaseName(r), Lines: []string{"The plan is posted to deployment planning."}}, nil
			}
			return Reply{Title: "Approval recorded: " + releaseName(r), Lines: []string{
				fmt.Sprintf("%d of %d approvals; a %s-risk release needs another approver.", len(r.Approvals), need, r.Risk)}}, nil
		}
	case "reject":
		if r, err = x.ops.RejectRelease(x.ctx, x.actor.ID, a.ID, a.Text); err == nil {
			return Reply{Title: "Rejected " + releaseName(r), Lines: []string{"Reason: " + r.RejectReason}}, nil
		}
	case "outcome":
		if r, err = x.ops.RecordReleaseOutcome(x.ctx, x.actor.ID, a.ID, a.Outcome); err == nil {
			return Reply{Title: releaseName(r) + " " + string(r.Status), Lines: []string{"Recorded for the change-failure rate."}}, nil
		}
	default:
		return HelpReply(string(x.verb)), nil
	}
	return Reply{}, err
}

func releaseName(r *cadence.Release) string {
	return fmt.Sprintf("%s %s %s", r.ID(), r.Model, r.Version)
}

func (x opsExec) releaseSection(r *cadence.Release) cadence.Section {
	s := cadence.Section{Heading: "Plan", Lines: []string{
		fmt.Sprintf("Change: %s · risk %s · proposed by %s %s", r.Change, r.Risk, x.name(r.ProposedBy), x.when(r.ProposedAt)),
	}}
	s.Lines = append(s.Lines, r.PlanLines()...)
	for _, ap := range r.Approvals {
		s.Lines = append(s.Lines, fmt.Sprintf("Approved by %s %s", x.name(ap.By), x.when(ap.At)))
	}
	if r.Status == cadence.ReleaseRejected {
		s.Lines = append(s.Lines, fmt.Sprintf("Rejected by %s: %s", x.name(r.RejectedBy), r.RejectReason))
	}
	return s
}

func (x opsExec) audit() (Reply, error) {
	if x.a.Verify {
		v, err := x.ops.VerifyAuditLog(x.ctx, x.actor.ID)
		if err != nil {
			if IsUserError(err) {
				return Reply{}, err
			}
			// A broken chain is news for the reader, not a fault to hide.
			return Reply{Title: "The audit log does NOT verify", Failed: true, Lines: []string{capitalize(err.Error())}}, nil
		}
		return Reply{Title: "The audit log verifies", Lines: []string{
			fmt.Sprintf("%d entries, hash chain intact.", v.Entries),
			"Head: " + v.Head + " (note it down: a later check can then tell if newer entries were cut off)",
		}}, nil
	}
	var since time.Time
	if !x.a.Since.IsZero() {
		since = x.a.Since.In(x.loc)
	}
	es, err := x.ops.AuditLog(x.ctx, x.actor.ID, since)
	if err != nil {
		return Reply{}, err
	}
	title := fmt.Sprintf("Audit log since %s (%d entries)", x.a.Since, len(es))
	if since.IsZero() && len(es) > auditEntriesShown {
		es = es[len(es)-auditEntriesShown:]
		title = fmt.Sprintf("Audit log, the latest %d entries", auditEntriesShown)
	} else if since.IsZero() {
		title = fmt.Sprintf("Audit log (%d entries)", len(es))
	}
	r := Reply{Title: title}
	for _, e := range es {
		r.Lines = append(r.Lines, x.auditLine(e))
	}
	if len(es) == 0 {
		r.Lines = []string{"No entries."}
	}
	return r, nil
}

func (x opsExec) auditLine(e *cadence.AuditEntry) string {
	line := fmt.Sprintf("#%d %s · %s · %s %s", e.Seq, x.when(e.At), x.name(e.Actor), e.Action, e.Target)
	if e.Outcome == cadence.AuditRefused {
		line += " · REFUSED: " + e.Reason
	}
	var kv []string
	for _, k := range sortedDetailKeys(e.Details) {
		kv = append(kv, k+"="+e.Details[k])
	}
	if len(kv) > 0 {
		line += " · " + strings.Join(kv, " ")
	}
	return line
}

func sortedDetailKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
