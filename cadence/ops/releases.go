package ops

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cadencebot/cadencebot/cadence"
)

// ReleaseInput proposes a release (the form or /cadence release propose).
type ReleaseInput struct {
	Model, Version string
	Change         cadence.ChangeType
	Risk           cadence.Risk
	Evidence       string // link to the evaluation
	RollbackPlan   string
	// DataContract is the proposer's explicit answer about the
	// data-contract check: a compliance check has no default.
	DataContract     ContractCheck
	DataContractNote string
	Planned          cadence.Date // optional
	Notes            string
	// Source and Lineage are set by the release API (see Release).
	Source  string
	Lineage *cadence.Lineage
}

// ContractCheck is the outcome of the data-contract check as the proposer
// states it; the zero value means nobody said, which validate refuses.
type ContractCheck string

const (
	ContractPassed    ContractCheck = "passed"
	ContractNotPassed ContractCheck = "not-passed"
)

// ParseContractCheck reads the answers forms and commands accept:
// yes/passed/ok/true or no/failed/not-passed/false; anything else,
// including "", is the zero value.
func ParseContractCheck(s string) ContractCheck {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "ok", "passed", "pass", "true":
		return ContractPassed
	case "no", "failed", "fail", "not-passed", "false":
		return ContractNotPassed
	}
	return ""
}

// Field names of ReleaseInput in FieldErrors, as forms and the command
// grammar name them.
const (
	FieldModel        = "model"
	FieldVersion      = "version"
	FieldChange       = "change"
	FieldRisk         = "risk"
	FieldEvidence     = "evidence"
	FieldRollback     = "rollback"
	FieldDataContract = "contract"
	FieldContractNote = "note" // why a data-contract check did not pass
	FieldPlanned      = "planned"
	FieldNotes        = "notes"
)

// validate checks a proposal; errors are keyed by field for forms.
// Evidence is required for changes that alter what a model predicts
// (retrain, new model, data change) and a rollback plan for everything
// but a rollback; a failed or skipped data-contract check needs a note.
func (in *ReleaseInput) validate(proposer *cadence.Person, now time.Time) error {
	fe := cadence.FieldErrors{}
	trim := func(s *string) { *s = strings.TrimSpace(*s) }
	trim(&in.Model)
	trim(&in.Version)
	trim(&in.Evidence)
	trim(&in.RollbackPlan)
	trim(&in.DataContractNote)
	trim(&in.Notes)
	limit := func(field, s string, max int) {
		if n := utf8.RuneCountInString(s); n > max {
			fe[field] = fmt.Sprintf("%d characters, the limit is %d", n, max)
		}
	}
	if in.Model == "" {
		fe[FieldModel] = "which model or pipeline?"
	}
	limit(FieldModel, in.Model, 100)
	if in.Version == "" {
		fe[FieldVersion] = "which version?"
	}
	limit(FieldVersion, in.Version, 100)
	switch {
	case in.Change == "":
		fe[FieldChange] = "pick a change type (" + joinStrings(cadence.ChangeTypes) + ")"
	case !in.Change.Valid():
		fe[FieldChange] = fmt.Sprintf("%q is not a change type; pick one of %s", in.Change, joinStrings(cadence.ChangeTypes))
	}
	switch {
	case in.Risk == "":
		fe[FieldRisk] = "pick a risk level (" + joinStrings(cadence.Risks) + ")"
	case !in.Risk.Valid():
		fe[FieldRisk] = fmt.Sprintf("%q is not a risk level; pick one of %s", in.Risk, joinStrings(cadence.Risks))
	}
	needsEvidence := in.Change == cadence.ChangeRetrain || in.Change == cadence.ChangeNewModel || in.Change == cadence.ChangeData
	if err := checkLink(FieldEvidence, in.Evidence, needsEvidence); err != nil {
		fe[FieldEvidence] = "a link to the evaluation (http or https) is required for a " + string(in.Change)
		if in.Evidence != "" {
			fe[FieldEvidence] = fmt.Sprintf("%q is not an http(s) link", in.Evidence)
		}
	}
	if in.RollbackPlan == "" && in.Change != cadence.ChangeRollback {
		fe[FieldRollback] = "how do we roll this back?"
	}
	limit(FieldRollback, in.RollbackPlan, cadence.MaxAnswerLen)
	switch in.DataContract {
	case ContractPassed:
	case ContractNotPassed:
		if in.DataContractNote == "" {
			fe[FieldContractNote] = "the data-contract check did not pass: say why, or what was checked"
		}
	case "":
		fe[FieldDataContract] = "say whether the data-contract check passed"
	default:
		fe[FieldDataContract] = fmt.Sprintf("%q is not %s or %s", in.DataContract, ContractPassed, ContractNotPassed)
	}
	limit(FieldContractNote, in.DataContractNote, cadence.MaxAnswerLen)
	limit(FieldNotes, in.Notes, cadence.MaxAnswerLen)
	if !in.Planned.IsZero() {
		if today := cadence.DateOf(now.In(proposer.Zone())); in.Planned.Before(today) {
			fe[FieldPlanned] = fmt.Sprintf("%s is in the past (today is %s)", in.Planned, today)
		}
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

func joinStrings[S ~string](xs []S) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return strings.Join(out, ", ")
}

// ProposeRelease records REL-N as proposed, posts it to the
// deployment-planning channel and asks each approver by DM.
func (o *Ops) ProposeRelease(ctx context.Context, actorID string, in ReleaseInput) (*cadence.Release, error) {
	var out *cadence.Release
	err := o.run(ctx, actorID, "release.propose", "", func(tx cadence.Tx, now time.Time, rec *opRecord) error {
		rec.set("model", in.Model)
		rec.set("version", in.Version)
		rec.set("change", string(in.Change))
		rec.set("risk", string(in.Risk))
		if in.Source != "" {
			rec.set("via", "integration:"+in.Source)
		}
		actor, err := o.actor(actorID, "propose releases")
		if err != nil {
			return err
		}
		if err := in.validate(actor, now); err != nil {
			return err
		}
		last, err := tx.LastReleaseNumber()
		if err != nil {
			return err
		}
		r := &cadence.Release{
			Number: last + 1, Model: in.Model, Version: in.Version, Change: in.Change, Risk: in.Risk,
			Evidence: in.Evidence, RollbackPlan: in.RollbackPlan, DataContractOK: in.DataContract == ContractPassed,
			DataContractNote: in.DataContractNote, Planned: in.Planned, Notes: in.Notes,
			Status: cadence.ReleaseProposed, ProposedBy: actorID, ProposedAt: now,
			Source: in.Source, Lineage: in.Lineage,
		}
		r.Record(now, actorID, "proposed")
		if in.Source != "" {
			r.History[0].What = "proposed by integration " + in.Source
		}
		if r.Lineage != nil {
			rec.set("registered_model", r.Lineage.RegisteredModel+"/"+r.Lineage.Version)
			rec.set("run_id", r.Lineage.RunID)
		}
		msgs := o.releaseProposed(r, now)
		if o.ApprovalsFor(r) == 0 {
			// The change type's policy needs no approval: approved as
			// proposed, said so in the history and the audit.
			r.Status, r.ApprovedAt = cadence.ReleaseApproved, now
			r.Record(now, actorID, fmt.Sprintf("approved by the %s policy (no approval needed)", r.Change))
			rec.set("auto_approved", "true")
			msgs = o.releaseApproved(r, now)
		}
		if err := tx.PutRelease(r); err != nil {
			return err
		}
		rec.target = r.ID()
		rec.set("evidence", r.Evidence)
		rec.set("data_contract_ok", strconv.FormatBool(r.DataContractOK))
		out = r
		msgs = append(msgs, o.releaseHooks(r, "proposed", now)...)
		if r.Status == cadence.ReleaseApproved {
			msgs = append(msgs, o.releaseHooks(r, "approved", now)...)
		}
		return o.enqueueAll(tx, rec, msgs)
	})
	return out, err
}

// ApproveRelease adds the actor's approval. The approver must be one of
// the configured approvers and not the person who proposed it; a
// high-risk release needs HighRiskApprovals distinct approvals. The last
// needed approval posts the approved plan to the deployment-planning
// channel.
func (o *Ops) ApproveRelease(ctx context.Context, actorID, id string) (*cadence.Release, error) {
	return o.decide(ctx, actorID, "release.approve", id, func(r *cadence.Release, now time.Time, rec *opRecord) ([]*cadence.Message, error) {
		for _, a := range r.Approvals {
			if a.By == actorID {
				return nil, cadence.Refusef(cadence.ErrConflict, "you already approved %s on %s; it needs another approver",
					r.ID(), a.At.In(o.loc(actorID)).Format(cadence.TimeLayout))
			}
		}
		r.Approvals = append(r.Approvals, cadence.Approval{By: actorID, At: now})
		need := o.ApprovalsFor(r)
		rec.set("approvals", fmt.Sprintf("%d/%d", len(r.Approvals), need))
		if len(r.Approvals) < need {
			r.Record(now, actorID, fmt.Sprintf("approved (%d of %d)", len(r.Approvals), need))
			return []*cadence.Message{o.releaseProgress(r, need, now)}, nil
		}
		r.Status, r.ApprovedAt = cadence.ReleaseApproved, now
		r.Record(now, actorID, "approved")
		return o.releaseApproved(r, now), nil
	})
}

// RejectRelease turns a proposal down with a reason. Same rules as
// approving: an approver who did not propose it.
func (o *Ops) RejectRelease(ctx context.Context, actorID, id, reason string) (*cadence.Release, error) {
	return o.decide(ctx, actorID, "release.reject", id, func(r *cadence.Release, now time.Time, rec *opRecord) ([]*cadence.Message, error) {
		why, err := checkText("reason", reason, MaxTitleLen)
		if err != nil {
			return nil, err
		}
		r.Status, r.RejectedBy, r.RejectedAt, r.RejectReason = cadence.ReleaseRejected, actorID, now, why
		r.Record(now, actorID, "rejected: "+why)
		rec.set("reason", why)
		return []*cadence.Message{o.releaseRejected(r, now)}, nil
	})
}

// decide runs the checks shared by approve and reject.
func (o *Ops) decide(ctx context.Context, actorID, action, id string, fn func(r *cadence.Release, now time.Time, rec *opRecord) ([]*cadence.Message, error)) (*cadence.Release, error) {
	var out *cadence.Release
	err := o.run(ctx, actorID, action, id, func(tx cadence.Tx, now time.Time, rec *opRecord) error {
		actor, err := o.actor(actorID, "decide on releases")
		if err != nil {
			return err
		}
		r, err := o.release(tx, id)
		if err != nil {
			return err
		}
		rec.target = r.ID()
		if !o.isApprover(actor) {
			return cadence.Refusef(cadence.ErrForbidden, "only release approvers (%s) can approve or reject %s", o.names(o.Approvers()), r.ID())
		}
		if actor.ID == r.ProposedBy {
			return cadence.Refusef(cadence.ErrForbidden, "you proposed %s, so another approver must decide on it", r.ID())
		}
		if r.Status != cadence.ReleaseProposed {
			// A late click on a request that is still on screen: say
			// what was decided, by whom and when.
			return cadence.Refusef(cadence.ErrConflict, "nothing changed: %s", o.releaseDecision(cadence.NewWords(o.words, cadence.DefaultLanguage), r, o.loc(actorID)))
		}
		msgs, err := fn(r, now, rec)
		if err != nil {
			return err
		}
		if r.Status != cadence.ReleaseProposed {
			msgs = append(msgs, o.releaseHooks(r, string(r.Status), now)...)
		}
		if err := tx.PutRelease(r); err != nil {
			return err
		}
		out = r
		if err := o.redrawReleaseRequests(tx, rec, r, now); err != nil {
			return err
		}
		return o.enqueueAll(tx, rec, msgs)
	})
	return out, err
}

// RecordReleaseOutcome records, after the fact, that an approved release
// shipped or that a shipped one was rolled back. The proposer, approvers,
// leads and admins may record it.
func (o *Ops) RecordReleaseOutcome(ctx context.Context, actorID, id string, outcome cadence.ReleaseStatus) (*cadence.Release, error) {
	var out *cadence.Release
	err := o.run(ctx, actorID, "release.outcome", id, func(tx cadence.Tx, now time.Time, rec *opRecord) error {
		rec.set("outcome", string(outcome))
		actor, err := o.actor(actorID, "record release outcomes")
		if err != nil {
			return err
		}
		r, err := o.release(tx, id)
		if err != nil {
			return err
		}
		rec.target = r.ID()
		if actor.ID != r.ProposedBy && !o.isApprover(actor) && !actor.Role.CanRunRituals() {
			return cadence.Refusef(cadence.ErrForbidden, "only whoever proposed %s, approvers, leads and admins can record its outcome", r.ID())
		}
		switch {
		case outcome != cadence.ReleaseShipped && outcome != cadence.ReleaseRolledBack:
			return cadence.Fieldf("outcome", "%q is not %s or %s", outcome, cadence.ReleaseShipped, cadence.ReleaseRolledBack)
		case outcome == cadence.ReleaseShipped && r.Status != cadence.ReleaseApproved,
			outcome == cadence.ReleaseRolledBack && r.Status != cadence.ReleaseApproved && r.Status != cadence.ReleaseShipped:
			return cadence.Refusef(cadence.ErrConflict, "%s is %s, so it cannot be marked %s", r.ID(), r.Status, outcome)
		}
		r.Status, r.OutcomeAt, r.OutcomeBy = outcome, now, actorID
		r.Record(now, actorID, string(outcome))
		if err := tx.PutRelease(r); err != nil {
			return err
		}
		out = r
		if err := o.redrawReleaseRequests(tx, rec, r, now); err != nil {
			return err
		}
		return o.enqueueAll(tx, rec, append(o.releaseOutcome(r, now), o.releaseHooks(r, string(outcome), now)...))
	})
	return out, err
}

// Releases lists releases matching f.
func (o *Ops) Releases(ctx context.Context, f cadence.ReleaseFilter) ([]*cadence.Release, error) {
	var out []*cadence.Release
	err := o.view(ctx, func(tx cadence.Tx) error {
		var err error
		out, err = tx.Releases(f)
		return err
	})
	return out, err
}

// Release returns one release by display ID.
func (o *Ops) Release(ctx context.Context, id string) (*cadence.Release, error) {
	var out *cadence.Release
	err := o.view(ctx, func(tx cadence.Tx) error {
		var err error
		out, err = o.release(tx, id)
		return err
	})
	return out, err
}

func (o *Ops) release(tx cadence.Tx, id string) (*cadence.Release, error) {
	n, err := cadence.ParseReleaseID(id)
	if err != nil {
		return nil, err
	}
	r, err := tx.Release(n)
	if errors.Is(err, cadence.ErrNotFound) {
		return nil, cadence.Refusef(cadence.ErrNotFound, "there is no release %s", cadence.ReleaseID(n))
	}
	return r, err
}

func (o *Ops) names(ids []string) string {
	if len(ids) == 0 {
		return "none are configured"
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = o.name(id)
	}
	return strings.Join(out, ", ")
}

func (o *Ops) enqueueAll(tx cadence.Tx, rec *opRecord, ms []*cadence.Message) error {
	for _, m := range ms {
		if m == nil {
			continue
		}
		if err := o.enqueue(tx, rec, m); err != nil {
			return err
		}
	}
	return nil
}
