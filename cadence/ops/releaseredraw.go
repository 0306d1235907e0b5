package ops

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// A release request lives in several places: the post in the
// deployment-planning channel and one DM per approver. Every change to the
// release (an approval, the decision, the outcome) redraws all of them
// through the outbox, so no copy keeps asking for a decision that was
// taken, and no copy offers buttons that can only be refused.

// releaseRequestBody is what a copy of r's request shows now. approver is
// the person a DM asks ("" for the channel post), loc the zone its times
// are written in.
func (o *Ops) releaseRequestBody(r *cadence.Release, approver string, loc *time.Location) cadence.Body {
	need := o.ApprovalsFor(r)
	body := cadence.Body{
		Title:    "Proposed: " + releaseTitle(r),
		Text:     fmt.Sprintf("%s proposes %s %s (%s, %s risk); it needs %s.", o.name(r.ProposedBy), r.Model, r.Version, r.Change, r.Risk, plural(need, "approval")),
		Sections: []cadence.Section{{Lines: releaseLines(r)}},
		Actions:  releaseActions(r),
		Footer:   fmt.Sprintf("/cadence release approve %[1]s · release reject %[1]s REASON", r.ID()),
	}
	if r.Status != cadence.ReleaseProposed {
		body.Title = strings.ToUpper(string(r.Status[:1])) + string(r.Status[1:]) + ": " + releaseTitle(r)
		body.Text = o.releaseDecision(r, loc) + "."
		body.Actions, body.Footer = nil, "Nothing left to decide."
		if r.Status == cadence.ReleaseApproved {
			body.Footer = fmt.Sprintf("After the release: /cadence release outcome %s shipped|rolled-back", r.ID())
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
	progress := fmt.Sprintf("Approved so far by %s (%d of %d).", joinAnd(by), len(r.Approvals), need)
	body.Sections = append([]cadence.Section{{Lines: []string{progress}}}, body.Sections...)
	for _, a := range r.Approvals {
		if a.By == approver {
			// This approver has done their part: nothing to click.
			left := need - len(r.Approvals)
			more := "more approvals"
			if left == 1 {
				more = "more approval"
			}
			body.Text = fmt.Sprintf("You approved %s on %s; it waits for %d %s.", r.ID(), a.At.In(loc).Format(cadence.TimeLayout), left, more)
			body.Actions, body.Footer = nil, ""
		}
	}
	return body
}

// releaseDecision says what was decided on r, by whom and when, times in
// loc: "REL-2 was approved by Ana and Bo on Tue 1 Dec 14:05 CET".
func (o *Ops) releaseDecision(r *cadence.Release, loc *time.Location) string {
	at := func(t time.Time) string { return t.In(loc).Format(cadence.TimeLayout) }
	var by []string
	for _, a := range r.Approvals {
		by = append(by, o.name(a.By))
	}
	if len(by) == 0 {
		by = []string{"the " + string(r.Change) + " policy"}
	}
	approved := fmt.Sprintf("%s was approved by %s on %s", r.ID(), joinAnd(by), at(r.ApprovedAt))
	switch r.Status {
	case cadence.ReleaseApproved:
		return approved
	case cadence.ReleaseRejected:
		return fmt.Sprintf("%s was rejected by %s on %s: %s", r.ID(), o.name(r.RejectedBy), at(r.RejectedAt), r.RejectReason)
	case cadence.ReleaseShipped, cadence.ReleaseRolledBack:
		if r.ApprovedAt.IsZero() {
			return fmt.Sprintf("%s was %s (recorded by %s on %s)", r.ID(), r.Status, o.name(r.OutcomeBy), at(r.OutcomeAt))
		}
		return fmt.Sprintf("%s, and %s (recorded by %s on %s)", approved, r.Status, o.name(r.OutcomeBy), at(r.OutcomeAt))
	}
	return fmt.Sprintf("%s is %s", r.ID(), r.Status)
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
	copies := []struct {
		key, approver string
		loc           *time.Location
	}{{releaseKey(r, "proposed"), "", chLoc}}
	for _, a := range o.Approvers() {
		copies = append(copies, struct {
			key, approver string
			loc           *time.Location
		}{releaseKey(r, "ask", a), a, o.loc(a)})
	}
	for _, c := range copies {
		m, err := tx.Message(c.key)
		if errors.Is(err, cadence.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("request %s: %w", c.key, err)
		}
		if err := o.revise(tx, rec, m, o.releaseRequestBody(r, c.approver, c.loc), now); err != nil {
			return err
		}
	}
	return nil
}
