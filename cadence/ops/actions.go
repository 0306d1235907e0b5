package ops

import (
	"context"
	"fmt"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// Action is a click on a follow-up or release button, as adapters
// receive it: the Action's ID and Value, plus Arg for the buttons that
// need more input first (the new owner of a reassigned follow-up, the
// reason of a rejection), which the adapter asks for in a modal or form.
type Action struct {
	ID    string
	Value string
	Arg   string
}

// NeedsArg reports whether the button needs an input before Act: the
// adapter shows a picker (reassign) or a text box (reject) first.
func NeedsArg(actionID string) bool {
	return actionID == ActionFollowUpReassign || actionID == ActionReleaseReject
}

// IsAction reports whether an action ID belongs to Act.
func IsAction(actionID string) bool {
	switch actionID {
	case ActionFollowUpDone, ActionFollowUpSnooze, ActionFollowUpReassign, ActionReleaseApprove, ActionReleaseReject:
		return true
	}
	return false
}

// Act performs a button click for actorID and returns a short
// confirmation to show them. Refusals are errors wrapping the usual
// sentinels, audited like the commands.
func (o *Ops) Act(ctx context.Context, actorID string, a Action) (string, error) {
	arg := strings.TrimSpace(a.Arg)
	if NeedsArg(a.ID) && arg == "" {
		what := "the new owner"
		if a.ID == ActionReleaseReject {
			what = "a reason"
		}
		err := cadence.Refusef(cadence.ErrInvalidInput, "%s %s: %s is required", a.ID, a.Value, what)
		o.auditRefusal(ctx, o.now(), actorID, actionAudit(a.ID), a.Value, nil, err)
		return "", err
	}
	switch a.ID {
	case ActionFollowUpDone:
		f, err := o.CompleteFollowUp(ctx, actorID, a.Value)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s is done. Thank you!", f.ID()), nil
	case ActionFollowUpSnooze:
		f, err := o.SnoozeFollowUp(ctx, actorID, a.Value)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("No reminders about %s until %s.", f.ID(), f.SnoozedUntil.In(o.loc(actorID)).Format(cadence.TimeLayout)), nil
	case ActionFollowUpReassign:
		f, err := o.ReassignFollowUp(ctx, actorID, a.Value, arg)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s now belongs to %s.", f.ID(), o.name(f.Owner)), nil
	case ActionReleaseApprove:
		r, err := o.ApproveRelease(ctx, actorID, a.Value)
		if err != nil {
			return "", err
		}
		if r.Status == cadence.ReleaseApproved {
			return fmt.Sprintf("%s is approved; the plan is posted.", r.ID()), nil
		}
		return fmt.Sprintf("Your approval of %s is recorded (%d of %d).", r.ID(), len(r.Approvals), o.ApprovalsFor(r)), nil
	case ActionReleaseReject:
		r, err := o.RejectRelease(ctx, actorID, a.Value, arg)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s is rejected.", r.ID()), nil
	}
	err := cadence.Refusef(cadence.ErrInvalidInput, "unknown action %q", a.ID)
	o.auditRefusal(ctx, o.now(), actorID, "action", a.Value, map[string]string{"action": a.ID}, err)
	return "", err
}

// actionAudit is the audit action of a button, as the methods name it.
func actionAudit(id string) string {
	switch id {
	case ActionFollowUpReassign:
		return "followup.reassign"
	case ActionReleaseReject:
		return "release.reject"
	}
	return id
}
