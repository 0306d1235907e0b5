package ops

import (
	"errors"
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// A release request lives in several places: the post in the
// deployment-planning channel and one DM per approver. Every change to the
// release (an approval, the decision, the outcome) redraws all of them
// through the outbox, so no copy keeps asking for a decision that was
// taken, and no copy offers buttons that can only be refused.

// releaseRequestBody is what a copy of r's request shows now, in w's
// language. approver is the person a DM asks ("" for the channel post),
// loc the zone its times are written in.
func (o *Ops) releaseRequestBody(w cadence.Words, r *cadence.Release, approver string, loc *time.Location) cadence.Body {
	need := o.ApprovalsFor(r)
	body := cadence.Body{
		Title: statusTitle(w, r),
		Text: w.T("release.proposes", "Proposer", o.name(r.ProposedBy), "Model", r.Model, "Version", r.Version,
			"Change", r.Change, "Risk", r.Risk, "Approvals", w.N("release.approvals", need)),
		Sections: []cadence.Section{{Lines: releaseLines(w, r)}},
		Actions:  releaseActions(w, r),
		Footer:   fmt.Sprintf("/cadence release approve %[1]s · release reject %[1]s REASON", r.ID()),
	}
	if r.Status != cadence.ReleaseProposed {
		body.Text = o.releaseDecision(w, r, loc) + "."
		body.Actions, body.Footer = nil, w.T("release.nothing_left")
		if r.Status == cadence.ReleaseApproved {
			body.Footer = w.T("release.outcome_footer", "ID", r.ID())
		}
		return body
	}
	if len(r.Approvals) == 0 {
		return body
	}
	var by []string
	for _, a := range r.Approvals {
		by = append(by, o.name(a.By))
	}
	progress := w.T("release.so_far", "By", w.And(by), "Count", len(r.Approvals), "Need", need)
	body.Sections = append([]cadence.Section{{Lines: []string{progress}}}, body.Sections...)
	for _, a := range r.Approvals {
		if a.By == approver {
			// This approver has done their part: nothing to click.
			body.Text = w.N("release.you_approved", need-len(r.Approvals), "ID", r.ID(), "At", w.DateTime(a.At, loc))
			body.Actions, body.Footer = nil, ""
		}
	}
	return body
}

// releaseDecision says what was decided on r, by whom and when, times in
// loc, in w's language: "REL-2 was approved by Ana and Bo on Tue 1 Dec
// 14:05 CET".
func (o *Ops) releaseDecision(w cadence.Words, r *cadence.Release, loc *time.Location) string {
	at := func(t time.Time) string { return w.DateTime(t, loc) }
	who := o.approvedBy(w, r, "release.by_policy")
	switch r.Status {
	case cadence.ReleaseApproved:
		return w.T("release.decided_approved", "ID", r.ID(), "By", who, "At", at(r.ApprovedAt))
	case cadence.ReleaseRejected:
		return w.T("release.decided_rejected", "ID", r.ID(), "By", o.name(r.RejectedBy), "At", at(r.RejectedAt), "Reason", r.RejectReason)
	case cadence.ReleaseShipped, cadence.ReleaseRolledBack:
		id := "release.decided_" + statusKey(r.Status)
		if !r.ApprovedAt.IsZero() {
			id = "release.decided_approved_" + statusKey(r.Status)
		}
		return w.T(id, "ID", r.ID(), "Approvers", who, "ApprovedAt", at(r.ApprovedAt), "By", o.name(r.OutcomeBy), "At", at(r.OutcomeAt))
	}
	return fmt.Sprintf("%s: %s", r.ID(), r.Status)
}

// redrawReleaseRequests revises every delivered or queued copy of r's
// request: the channel post and each approver's DM.
func (o *Ops) redrawReleaseRequests(tx cadence.Tx, rec *opRecord, r *cadence.Release, now time.Time) error {
	var chLoc *time.Location
	if ch := o.ritualOfKind(cadence.KindDeploymentPlanning); ch != nil {
		chLoc = ch.Location
	}
	if chLoc == nil {
		chLoc = time.UTC
	}
	type copyOf struct {
		key, approver string
		loc           *time.Location
		w             cadence.Words
	}
	copies := []copyOf{{releaseKey(r, "proposed"), "", chLoc, o.team()}}
	for _, a := range o.Approvers() {
		copies = append(copies, copyOf{releaseKey(r, "ask", a), a, o.loc(a), o.to(a)})
	}
	for _, c := range copies {
		m, err := tx.Message(c.key)
		if errors.Is(err, cadence.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("request %s: %w", c.key, err)
		}
		if err := o.revise(tx, rec, m, o.releaseRequestBody(c.w, r, c.approver, c.loc), now); err != nil {
			return err
		}
	}
	return nil
}

// approvedBy names r's approvers joined in w's language ("Ana, Bo and
// Cy"), or, when the policy needed none, the catalog's message none.
func (o *Ops) approvedBy(w cadence.Words, r *cadence.Release, none string) string {
	if len(r.Approvals) == 0 {
		return w.T(none, "Change", r.Change)
	}
	by := make([]string, 0, len(r.Approvals))
	for _, a := range r.Approvals {
		by = append(by, o.name(a.By))
	}
	return w.And(by)
}
