package ops_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// opsStart is Monday 30 Nov 2026 10:00 UTC: 11:00 in Zurich, 12:00 in
// Bucharest, 15:00 in Almaty, 05:00 in New York.
var opsStart = cadencetest.Monday.Add(10 * time.Hour)

// deployRitual: deployment planning, Tuesdays 14:00 Zurich, in #deploy.
func deployRitual(t testing.TB) *cadence.Ritual {
	return &cadence.Ritual{
		ID: "deploy", Title: "Deployment planning", Kind: cadence.KindDeploymentPlanning, Channel: "deploy",
		Spec: "0 14 * * 2", Schedule: cadencetest.MustSchedule(t, "0 14 * * 2", "Europe/Zurich"), Location: cadencetest.Location(t, "Europe/Zurich"),
		Participants: []string{"lea", "ana", "bo"}, Lead: "lea",
		Questions: cadence.DefaultQuestions(cadence.KindDeploymentPlanning), Window: 4 * time.Hour,
	}
}

// qualityRitual: quality review, Thursdays 15:00 Zurich, in #quality.
func qualityRitual(t testing.TB) *cadence.Ritual {
	return &cadence.Ritual{
		ID: "quality", Title: "Quality review", Kind: cadence.KindQualityReview, Channel: "quality",
		Spec: "0 15 * * 4", Schedule: cadencetest.MustSchedule(t, "0 15 * * 4", "Europe/Zurich"), Location: cadencetest.Location(t, "Europe/Zurich"),
		Participants: []string{"lea", "ana", "bo"}, Lead: "lea",
		Questions: cadence.DefaultQuestions(cadence.KindQualityReview), Window: 4 * time.Hour,
		Checklist: []string{"drift dashboards reviewed", "eval regression checked"},
	}
}

// opsHarness runs an Ops service on a manual clock and an in-memory store.
// Approvers are the defaults: Lea (lead) and Root (admin).
type opsHarness struct {
	t       testing.TB
	ctx     context.Context
	clock   *cadence.ManualClock
	store   *cadencetest.Store
	roster  *cadence.Roster
	rituals []*cadence.Ritual
	ops     *ops.Ops
	wakes   int
}

func newOpsHarness(t testing.TB, cfg ...func(*ops.Config)) *opsHarness {
	h := &opsHarness{
		t: t, ctx: context.Background(), clock: cadence.NewManualClock(opsStart), store: cadencetest.NewStore(),
		roster: cadencetest.TestRoster(t), rituals: []*cadence.Ritual{cadencetest.TriageRitual(t), deployRitual(t), qualityRitual(t), cadencetest.StandupRitual(t)},
	}
	c := ops.Config{
		Roster: h.roster, Rituals: h.rituals, Store: h.store, Clock: h.clock, Logger: zerolog.Nop(),
		Enqueued: func() { h.wakes++ },
	}
	for _, f := range cfg {
		f(&c)
	}
	o, err := ops.New(c)
	require.NoError(t, err)
	h.ops = o
	return h
}

func (h *opsHarness) openIncident(actor, title string) *cadence.Incident {
	h.t.Helper()
	inc, err := h.ops.OpenIncident(h.ctx, actor, ops.IncidentInput{Title: title})
	require.NoError(h.t, err)
	return inc
}

func (h *opsHarness) addFollowUp(actor, inc, owner string, due cadence.Date, title string) *cadence.FollowUp {
	h.t.Helper()
	f, err := h.ops.AddFollowUp(h.ctx, actor, ops.FollowUpInput{Incident: inc, Owner: owner, Due: due, Title: title})
	require.NoError(h.t, err)
	return f
}

func validRelease(risk cadence.Risk) ops.ReleaseInput {
	return ops.ReleaseInput{
		Model: "churn", Version: "2.3.0", Change: cadence.ChangeRetrain, Risk: risk,
		Evidence: "https://mlflow.example.com/runs/42", RollbackPlan: "pin 2.2.1 in the registry",
		DataContract: ops.ContractPassed, DataContractNote: "schema v7 checked",
	}
}

func (h *opsHarness) propose(actor string, risk cadence.Risk) *cadence.Release {
	h.t.Helper()
	r, err := h.ops.ProposeRelease(h.ctx, actor, validRelease(risk))
	require.NoError(h.t, err)
	return r
}

func (h *opsHarness) audit() []*cadence.AuditEntry {
	h.t.Helper()
	var out []*cadence.AuditEntry
	require.NoError(h.t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		var err error
		out, err = cadence.ReadAudit(tx, time.Time{})
		return err
	}))
	return out
}

func (h *opsHarness) lastAudit() *cadence.AuditEntry {
	h.t.Helper()
	es := h.audit()
	require.NotEmpty(h.t, es)
	return es[len(es)-1]
}

func (h *opsHarness) message(key string) *cadence.Message {
	h.t.Helper()
	var m *cadence.Message
	require.NoError(h.t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		var err error
		m, err = tx.Message(key)
		return err
	}), "message %s", key)
	return m
}

func (h *opsHarness) messageKeys() []string {
	h.t.Helper()
	var keys []string
	require.NoError(h.t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		ms, err := tx.Messages(cadence.MessageFilter{})
		for _, m := range ms {
			keys = append(keys, m.Key)
		}
		return err
	}))
	return keys
}

// state is everything an ops refusal must leave alone.
type opsState struct {
	Incidents []*cadence.Incident
	FollowUps []*cadence.FollowUp
	Releases  []*cadence.Release
	Messages  []*cadence.Message
}

func (h *opsHarness) state() opsState {
	h.t.Helper()
	var s opsState
	require.NoError(h.t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		var err error
		if s.Incidents, err = tx.Incidents(cadence.IncidentFilter{}); err != nil {
			return err
		}
		if s.FollowUps, err = tx.FollowUps(cadence.FollowUpFilter{}); err != nil {
			return err
		}
		if s.Releases, err = tx.Releases(cadence.ReleaseFilter{}); err != nil {
			return err
		}
		s.Messages, err = tx.Messages(cadence.MessageFilter{})
		return err
	}))
	return s
}

func TestIncidentLifecycle(t *testing.T) {
	h := newOpsHarness(t)
	inc, err := h.ops.OpenIncident(h.ctx, "ana", ops.IncidentInput{
		Title: "  Churn model drift  ", Severity: 2, Owner: "bo", Link: "https://acme.slack.com/archives/C1/p1764496800000100",
	})
	require.NoError(t, err)
	assert.Equal(t, &cadence.Incident{
		Number: 1, Title: "Churn model drift", Severity: 2, Owner: "bo", OpenedBy: "ana",
		Link: "https://acme.slack.com/archives/C1/p1764496800000100", Status: cadence.IncidentOpen, OpenedAt: opsStart,
	}, inc)
	assert.Equal(t, "INC-1", inc.ID())

	notice := h.message("inc/INC-1/opened")
	assert.Equal(t, cadence.Recipient{Channel: "mlops"}, notice.To, "the triage ritual's channel")
	assert.Equal(t, "triage", notice.RitualID)
	assert.Equal(t, "INC-1 opened: Churn model drift", notice.Body.Title)
	assert.Equal(t, 1, h.wakes, "the dispatcher is woken")

	second := h.openIncident("lea", "Feature store lag")
	assert.Equal(t, "INC-2", second.ID(), "numbers are sequential")
	assert.Equal(t, cadence.DefaultSeverity, second.Severity)
	assert.Equal(t, "lea", second.Owner, "the opener owns it by default")

	h.clock.Set(opsStart.Add(2 * time.Hour))
	closed, err := h.ops.CloseIncident(h.ctx, "bo", "inc-1", "Upstream schema change; backfilled and alert added.")
	require.NoError(t, err)
	assert.Equal(t, cadence.IncidentClosed, closed.Status)
	assert.Equal(t, opsStart.Add(2*time.Hour), closed.ClosedAt)
	assert.Equal(t, "bo", closed.ClosedBy)

	open, err := h.ops.Incidents(h.ctx, cadence.IncidentFilter{Status: []cadence.IncidentStatus{cadence.IncidentOpen}})
	require.NoError(t, err)
	require.Len(t, open, 1)
	assert.Equal(t, "INC-2", open[0].ID())

	es := h.audit()
	require.Len(t, es, 3)
	assert.Equal(t, []string{"incident.open", "incident.open", "incident.close"}, []string{es[0].Action, es[1].Action, es[2].Action})
	assert.Equal(t, "INC-1", es[2].Target)
	assert.Equal(t, "bo", es[2].Actor)
	assert.Equal(t, opsStart.Add(2*time.Hour), es[2].At)
	assert.Equal(t, "Upstream schema change; backfilled and alert added.", es[2].Details["summary"])
	assert.Equal(t, map[string]string{"title": "  Churn model drift  ", "severity": "2", "owner": "bo",
		"link": "https://acme.slack.com/archives/C1/p1764496800000100"}, es[0].Details)
}

// Made the owner of an incident by someone else, the owner gets a DM with
// the incident and its follow-ups, redrawn as they change; an owner who
// opened it themselves is not told what they just did.
func TestIncidentOwnerIsTold(t *testing.T) {
	h := newOpsHarness(t)
	_, err := h.ops.OpenIncident(h.ctx, "ana", ops.IncidentInput{Title: "Churn model drift", Severity: 2, Owner: "bo",
		Link: "https://acme.slack.com/archives/C1/p1764496800000100"})
	require.NoError(t, err)
	dm := h.message("inc/INC-1/owner/bo")
	assert.Equal(t, cadence.Recipient{Person: "bo"}, dm.To)
	assert.Equal(t, cadence.KindNotice, dm.Kind)
	assert.Equal(t, "You own INC-1: Churn model drift", dm.Body.Title)
	assert.Equal(t, "Ana made you the owner of INC-1 (sev 2): Churn model drift.", dm.Body.Text)
	assert.Equal(t, []cadence.Section{
		{Lines: []string{"Severity 2 · opened by Ana · Mon 30 Nov 11:00 CET", "From: https://acme.slack.com/archives/C1/p1764496800000100"}},
		{Heading: "Follow-ups", Lines: []string{"None yet."}},
	}, dm.Body.Sections)
	assert.Contains(t, dm.Body.Footer, "/cadence followup add INC-1 @owner YYYY-MM-DD title")

	// Follow-ups show up in the same DM, with their state.
	h.addFollowUp("ana", "INC-1", "cy", cadencetest.Date(2026, 12, 3), "Tighten drift alert")
	h.addFollowUp("ana", "INC-1", "bo", cadencetest.Date(2026, 12, 4), "Backfill features")
	_, err = h.ops.CompleteFollowUp(h.ctx, "cy", "FU-1")
	require.NoError(t, err)
	dm = h.message("inc/INC-1/owner/bo")
	assert.Equal(t, 4, dm.Revision)
	assert.Equal(t, cadence.Section{Heading: "Follow-ups", Lines: []string{
		"FU-1 Tighten drift alert · Cy · due Thu 3 Dec · done",
		"FU-2 Backfill features · Bo · due Fri 4 Dec",
	}}, dm.Body.Sections[1])

	// Closing redraws it once more.
	_, err = h.ops.CloseIncident(h.ctx, "bo", "INC-1", "alert tightened")
	require.NoError(t, err)
	dm = h.message("inc/INC-1/owner/bo")
	assert.Equal(t, "INC-1 is closed (by Bo, Mon 30 Nov 11:00 CET): Churn model drift.", dm.Body.Text)

	// Opening one for yourself sends no DM.
	h.openIncident("lea", "Feature store lag")
	assert.NotContains(t, h.messageKeys(), "inc/INC-2/owner/lea")
}

func TestFollowUpLifecycle(t *testing.T) {
	h := newOpsHarness(t)
	inc := h.openIncident("lea", "Churn model drift")
	f := h.addFollowUp("lea", inc.ID(), "bo", cadencetest.Date(2026, 12, 3), "Tighten drift alert")
	assert.Equal(t, "FU-1", f.ID())
	assert.Equal(t, cadence.FollowUpOpen, f.Status)
	assert.Equal(t, []cadence.Change{{At: opsStart, By: "lea", What: "created for bo, due 2026-12-03"}}, f.History)

	dm := h.message("fu/FU-1/assigned/bo/1")
	assert.Equal(t, cadence.Recipient{Person: "bo"}, dm.To)
	assert.Equal(t, "local", dm.Platform)
	assert.Equal(t, []string{ops.ActionFollowUpDone, ops.ActionFollowUpSnooze, ops.ActionFollowUpReassign},
		[]string{dm.Body.Actions[0].ID, dm.Body.Actions[1].ID, dm.Body.Actions[2].ID})
	assert.Equal(t, "FU-1", dm.Body.Actions[0].Value)
	assert.Contains(t, dm.Body.Footer, "/cadence followup done FU-1", "typed equivalents for chats without buttons")

	// Reassigned by the incident's owner: the new owner is told.
	h.clock.Set(opsStart.Add(time.Hour))
	f, err := h.ops.ReassignFollowUp(h.ctx, "lea", "FU-1", "cy")
	require.NoError(t, err)
	assert.Equal(t, "cy", f.Owner)
	assert.Equal(t, cadence.Recipient{Person: "cy"}, h.message("fu/FU-1/assigned/cy/2").To)

	// Snoozed, then done by its new owner, on time.
	h.clock.Set(opsStart.Add(2 * time.Hour))
	f, err = h.ops.SnoozeFollowUp(h.ctx, "cy", "FU-1")
	require.NoError(t, err)
	assert.Equal(t, opsStart.Add(50*time.Hour), f.SnoozedUntil)
	h.clock.Set(opsStart.Add(3 * time.Hour))
	f, err = h.ops.CompleteFollowUp(h.ctx, "cy", "fu-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.FollowUpDone, f.Status)
	assert.Equal(t, opsStart.Add(3*time.Hour), f.ClosedAt)
	assert.Equal(t, []cadence.Change{
		{At: opsStart, By: "lea", What: "created for bo, due 2026-12-03"},
		{At: opsStart.Add(time.Hour), By: "lea", What: "owner bo → cy"},
		{At: opsStart.Add(2 * time.Hour), By: "cy", What: "reminders snoozed until Wed 2 Dec 17:00 +05"},
		{At: opsStart.Add(3 * time.Hour), By: "cy", What: "done"},
	}, f.History, "every change: who, when, what")

	// A second one is dropped with a reason by a lead.
	g := h.addFollowUp("bo", inc.ID(), "ana", cadencetest.Date(2026, 11, 30), "Write postmortem")
	g, err = h.ops.DropFollowUp(h.ctx, "lea", g.ID(), "covered by the incident summary")
	require.NoError(t, err)
	assert.Equal(t, cadence.FollowUpDropped, g.Status)
	assert.Equal(t, "covered by the incident summary", g.DropReason)

	got, fus, err := h.ops.Incident(h.ctx, "INC-1")
	require.NoError(t, err)
	assert.Equal(t, inc.Title, got.Title)
	require.Len(t, fus, 2)
	assert.Equal(t, []string{"FU-1", "FU-2"}, []string{fus[0].ID(), fus[1].ID()})

	var actions []string
	for _, e := range h.audit() {
		actions = append(actions, e.Action+" "+e.Target)
	}
	assert.Equal(t, []string{
		"incident.open INC-1", "followup.add FU-1", "followup.reassign FU-1", "followup.snooze FU-1",
		"followup.done FU-1", "followup.add FU-2", "followup.drop FU-2",
	}, actions)
	assert.Equal(t, "true", h.audit()[4].Details["on_time"])
}

func TestReleaseLaneLowRisk(t *testing.T) {
	h := newOpsHarness(t)
	r := h.propose("ana", cadence.RiskLow)
	assert.Equal(t, "REL-1", r.ID())
	assert.Equal(t, cadence.ReleaseProposed, r.Status)

	// Posted to deployment planning with buttons; each approver asked.
	post := h.message("rel/REL-1/proposed")
	assert.Equal(t, cadence.Recipient{Channel: "deploy"}, post.To)
	assert.Equal(t, []cadence.Action{
		{ID: ops.ActionReleaseApprove, Label: "Approve", Value: "REL-1", Style: "primary"},
		{ID: ops.ActionReleaseReject, Label: "Reject", Value: "REL-1", Style: "danger"},
	}, post.Body.Actions)
	assert.Contains(t, post.Body.Sections[0].Lines, "Rollback plan: pin 2.2.1 in the registry")
	h.message("rel/REL-1/ask/lea")
	h.message("rel/REL-1/ask/root")

	h.clock.Set(opsStart.Add(3 * time.Hour))
	msg, err := h.ops.Act(h.ctx, "lea", ops.Action{ID: ops.ActionReleaseApprove, Value: "REL-1"})
	require.NoError(t, err)
	assert.Equal(t, "REL-1 is approved; the plan is posted.", msg)
	r, err = h.ops.Release(h.ctx, "REL-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.ReleaseApproved, r.Status)
	assert.Equal(t, opsStart.Add(3*time.Hour), r.ApprovedAt)
	plan := h.message("rel/REL-1/approved")
	assert.Equal(t, cadence.Recipient{Channel: "deploy"}, plan.To, "the approved plan is posted to deployment planning")
	assert.Equal(t, "Approved: REL-1 churn 2.3.0", plan.Body.Title)
	assert.Equal(t, "REL-1 is approved by Lea. Proposed by Ana.", plan.Body.Text)
	assert.Equal(t, cadence.Recipient{Person: "ana"}, h.message("rel/REL-1/approved/ana").To)

	// Outcomes after the fact: shipped, then rolled back.
	r, err = h.ops.RecordReleaseOutcome(h.ctx, "ana", "REL-1", cadence.ReleaseShipped)
	require.NoError(t, err)
	assert.Equal(t, cadence.ReleaseShipped, r.Status)
	r, err = h.ops.RecordReleaseOutcome(h.ctx, "lea", "REL-1", cadence.ReleaseRolledBack)
	require.NoError(t, err)
	assert.Equal(t, cadence.ReleaseRolledBack, r.Status)
	h.message("rel/REL-1/outcome/rolled-back")
}

func TestReleaseLaneHighRiskNeedsTwoApprovers(t *testing.T) {
	h := newOpsHarness(t)
	h.propose("ana", cadence.RiskHigh)

	r, err := h.ops.ApproveRelease(h.ctx, "lea", "REL-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.ReleaseProposed, r.Status, "one approval is not enough")
	assert.Equal(t, "1/2", h.lastAudit().Details["approvals"])
	assert.Contains(t, h.message("rel/REL-1/approval/lea").Body.Text, "1 of 2 approvals")
	assert.NotContains(t, h.messageKeys(), "rel/REL-1/approved")

	h.clock.Set(opsStart.Add(26 * time.Hour))
	r, err = h.ops.ApproveRelease(h.ctx, "root", "REL-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.ReleaseApproved, r.Status)
	assert.Equal(t, []cadence.Approval{{By: "lea", At: opsStart}, {By: "root", At: opsStart.Add(26 * time.Hour)}}, r.Approvals)
	assert.Equal(t, "REL-1 is approved by Lea and Root. Proposed by Ana.", h.message("rel/REL-1/approved").Body.Text)
}

func TestReleaseRejected(t *testing.T) {
	h := newOpsHarness(t)
	h.propose("bo", cadence.RiskMedium)
	msg, err := h.ops.Act(h.ctx, "root", ops.Action{ID: ops.ActionReleaseReject, Value: "REL-1", Arg: "no canary plan"})
	require.NoError(t, err)
	assert.Equal(t, "REL-1 is rejected.", msg)
	r, err := h.ops.Release(h.ctx, "REL-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.ReleaseRejected, r.Status)
	assert.Equal(t, "no canary plan", r.RejectReason)
	assert.Equal(t, "Root rejected REL-1: no canary plan", h.message("rel/REL-1/rejected").Body.Text)
}

func TestConfiguredApprovers(t *testing.T) {
	h := newOpsHarness(t, func(c *ops.Config) { c.Approvers = []string{"max", "cy"}; c.HighRiskApprovals = 1 })
	assert.Equal(t, []string{"cy", "max"}, h.ops.Approvers(), "roster order")
	h.propose("ana", cadence.RiskHigh)
	_, err := h.ops.ApproveRelease(h.ctx, "lea", "REL-1")
	require.ErrorIs(t, err, cadence.ErrForbidden, "a lead is not an approver when approvers are configured")
	r, err := h.ops.ApproveRelease(h.ctx, "cy", "REL-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.ReleaseApproved, r.Status, "one approval configured for high risk")

	_, err = ops.New(ops.Config{Store: h.store, Roster: h.roster, Approvers: []string{"zed"}})
	assert.EqualError(t, err, `ops: approver "zed" is not in the roster`)
}

func TestReleaseProposalFieldErrors(t *testing.T) {
	h := newOpsHarness(t)
	in := ops.ReleaseInput{Model: " ", Version: "1", Change: "hotfix", Risk: "extreme", Evidence: "mlflow run 42",
		Planned: cadencetest.Date(2026, 11, 1)}
	_, err := h.ops.ProposeRelease(h.ctx, "ana", in)
	require.ErrorIs(t, err, cadence.ErrInvalidInput)
	var fe cadence.FieldErrors
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, cadence.FieldErrors{
		"model":    "which model or pipeline?",
		"change":   `"hotfix" is not a change type; pick one of retrain, new-model, rollback, feature-flag, data-change`,
		"risk":     `"extreme" is not a risk level; pick one of low, medium, high`,
		"evidence": `"mlflow run 42" is not an http(s) link`,
		"rollback": "how do we roll this back?",
		"contract": "say whether the data-contract check passed",
		"planned":  "2026-11-01 is in the past (today is 2026-11-30)",
	}, fe)

	// Nothing picked: say what to pick, not `"" is not one of …`; a
	// compliance check has no default, and a failed one needs a note.
	_, err = h.ops.ProposeRelease(h.ctx, "ana", ops.ReleaseInput{Model: "churn", Version: "2",
		RollbackPlan: "pin 1", DataContract: ops.ContractNotPassed})
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, cadence.FieldErrors{
		"change": "pick a change type (retrain, new-model, rollback, feature-flag, data-change)",
		"risk":   "pick a risk level (low, medium, high)",
		"note":   "the data-contract check did not pass: say why, or what was checked",
	}, fe)

	// A rollback needs neither evidence nor a rollback plan.
	r, err := h.ops.ProposeRelease(h.ctx, "ana", ops.ReleaseInput{Model: "churn", Version: "2.2.1",
		Change: cadence.ChangeRollback, Risk: cadence.RiskLow, DataContract: ops.ContractPassed})
	require.NoError(t, err)
	assert.Equal(t, "REL-1", r.ID(), "the refused proposal used no number")

	// A retrain without evidence is refused.
	in = validRelease(cadence.RiskLow)
	in.Evidence = ""
	_, err = h.ops.ProposeRelease(h.ctx, "ana", in)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, cadence.FieldErrors{"evidence": "a link to the evaluation (http or https) is required for a retrain"}, fe)
}

// Every bad input the issue lists (and a few more) is refused with a
// clear message, changes nothing, and is audited with actor and time.
func TestOpsRefusals(t *testing.T) {
	tests := []struct {
		name   string
		actor  string
		do     func(h *opsHarness) error
		is     error
		msg    string
		action string
		target string
	}{
		{"unknown incident", "ana", func(h *opsHarness) error {
			_, err := h.ops.AddFollowUp(h.ctx, "ana", ops.FollowUpInput{Incident: "INC-9", Owner: "bo", Due: cadencetest.Date(2026, 12, 3), Title: "x"})
			return err
		}, cadence.ErrNotFound, "there is no incident INC-9", "followup.add", "INC-9"},
		{"due date in the past", "ana", func(h *opsHarness) error {
			_, err := h.ops.AddFollowUp(h.ctx, "ana", ops.FollowUpInput{Incident: "INC-1", Owner: "bo", Due: cadencetest.Date(2026, 11, 29), Title: "x"})
			return err
		}, cadence.ErrInvalidInput, "due: 2026-11-29 is in the past (today is 2026-11-30 for bo in Europe/Warsaw)", "followup.add", "INC-1"},
		{"follow-up owner not on the roster", "ana", func(h *opsHarness) error {
			_, err := h.ops.AddFollowUp(h.ctx, "ana", ops.FollowUpInput{Incident: "INC-1", Owner: "zed", Due: cadencetest.Date(2026, 12, 3), Title: "x"})
			return err
		}, cadence.ErrInvalidInput, `owner: "zed" is not on the roster`, "followup.add", "INC-1"},
		{"approving your own release", "lea", func(h *opsHarness) error {
			_, err := h.ops.ApproveRelease(h.ctx, "lea", "REL-2")
			return err
		}, cadence.ErrForbidden, "you proposed REL-2, so another approver must decide on it", "release.approve", "REL-2"},
		{"a non-approver clicking Approve", "bo", func(h *opsHarness) error {
			_, err := h.ops.Act(h.ctx, "bo", ops.Action{ID: ops.ActionReleaseApprove, Value: "REL-1"})
			return err
		}, cadence.ErrForbidden, "only release approvers (Lea, Root) can approve or reject REL-1", "release.approve", "REL-1"},
		{"approving twice", "root", func(h *opsHarness) error {
			_, err := h.ops.ApproveRelease(h.ctx, "root", "REL-1")
			return err
		}, cadence.ErrConflict, "you already approved REL-1 on Mon 30 Nov 10:00 UTC; it needs another approver", "release.approve", "REL-1"},
		{"unknown release", "lea", func(h *opsHarness) error {
			_, err := h.ops.ApproveRelease(h.ctx, "lea", "REL-77")
			return err
		}, cadence.ErrNotFound, "there is no release REL-77", "release.approve", "REL-77"},
		{"not a release id", "lea", func(h *opsHarness) error {
			_, err := h.ops.ApproveRelease(h.ctx, "lea", "churn")
			return err
		}, cadence.ErrInvalidInput, `"churn" is not a release ID; want REL-<number>, e.g. REL-3`, "release.approve", "churn"},
		{"reject without a reason", "root", func(h *opsHarness) error {
			_, err := h.ops.Act(h.ctx, "root", ops.Action{ID: ops.ActionReleaseReject, Value: "REL-1"})
			return err
		}, cadence.ErrInvalidInput, "release_reject REL-1: a reason is required", "release.reject", "REL-1"},
		{"outcome before approval", "ana", func(h *opsHarness) error {
			_, err := h.ops.RecordReleaseOutcome(h.ctx, "ana", "REL-1", cadence.ReleaseShipped)
			return err
		}, cadence.ErrConflict, "REL-1 is proposed, so it cannot be marked shipped", "release.outcome", "REL-1"},
		{"someone not on the roster", "zed", func(h *opsHarness) error {
			_, err := h.ops.OpenIncident(h.ctx, "zed", ops.IncidentInput{Title: "x"})
			return err
		}, cadence.ErrForbidden, `"zed" is not on the roster, so cannot open incidents`, "incident.open", ""},
		{"severity out of range", "ana", func(h *opsHarness) error {
			_, err := h.ops.OpenIncident(h.ctx, "ana", ops.IncidentInput{Title: "x", Severity: 7})
			return err
		}, cadence.ErrInvalidInput, "severity: 7 is not between 1 (worst) and 4", "incident.open", ""},
		{"closing someone else's incident", "cy", func(h *opsHarness) error {
			_, err := h.ops.CloseIncident(h.ctx, "cy", "INC-1", "done")
			return err
		}, cadence.ErrForbidden, "only INC-1's owner (Ana), the person who opened it, leads and admins can close it", "incident.close", "INC-1"},
		{"closing without a summary", "ana", func(h *opsHarness) error {
			_, err := h.ops.CloseIncident(h.ctx, "ana", "INC-1", " ")
			return err
		}, cadence.ErrInvalidInput, "summary: must not be empty", "incident.close", "INC-1"},
		{"someone else's follow-up", "cy", func(h *opsHarness) error {
			_, err := h.ops.Act(h.ctx, "cy", ops.Action{ID: ops.ActionFollowUpDone, Value: "FU-1"})
			return err
		}, cadence.ErrForbidden, "only FU-1's owner (Bo), whoever created it, the owner of INC-1, leads and admins can change it", "followup.done", "FU-1"},
		{"dropping without a reason", "bo", func(h *opsHarness) error {
			_, err := h.ops.DropFollowUp(h.ctx, "bo", "FU-1", "")
			return err
		}, cadence.ErrInvalidInput, "reason: must not be empty", "followup.drop", "FU-1"},
		{"reassigning to someone not on the roster", "bo", func(h *opsHarness) error {
			_, err := h.ops.Act(h.ctx, "bo", ops.Action{ID: ops.ActionFollowUpReassign, Value: "FU-1", Arg: "zed"})
			return err
		}, cadence.ErrInvalidInput, `owner: "zed" is not on the roster`, "followup.reassign", "FU-1"},
		{"unknown follow-up", "bo", func(h *opsHarness) error {
			_, err := h.ops.CompleteFollowUp(h.ctx, "bo", "FU-5")
			return err
		}, cadence.ErrNotFound, "there is no follow-up FU-5", "followup.done", "FU-5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newOpsHarness(t)
			h.openIncident("ana", "Churn model drift")
			h.addFollowUp("ana", "INC-1", "bo", cadencetest.Date(2026, 12, 3), "Tighten drift alert")
			h.propose("ana", cadence.RiskHigh) // REL-1
			h.propose("lea", cadence.RiskLow)  // REL-2
			_, err := h.ops.ApproveRelease(h.ctx, "root", "REL-1")
			require.NoError(t, err)
			before, auditBefore := h.state(), h.audit()
			h.clock.Set(opsStart.Add(time.Minute))

			err = tc.do(h)
			require.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Equal(t, before, h.state(), "nothing changed")

			after := h.audit()
			require.Len(t, after, len(auditBefore)+1, "the refusal is audited")
			e := after[len(after)-1]
			assert.Equal(t, cadence.AuditRefused, e.Outcome)
			assert.Equal(t, tc.actor, e.Actor)
			assert.Equal(t, opsStart.Add(time.Minute), e.At)
			assert.Equal(t, tc.action, e.Action)
			assert.Equal(t, tc.target, e.Target)
			assert.Equal(t, err.Error(), e.Reason)
			require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
				_, err := cadence.VerifyAudit(tx)
				return err
			}))
		})
	}
}

func TestOpsServiceAuditsRitualControls(t *testing.T) {
	h := newOpsHarness(t)
	eng, err := cadence.New(cadence.EngineConfig{Rituals: h.rituals, Roster: h.roster, Store: h.store, Clock: h.clock, Logger: zerolog.Nop()})
	require.NoError(t, err)
	var svc cadence.Service = h.ops.Wrap(eng)

	require.NoError(t, svc.Pause(h.ctx, "lea", "triage"))
	err = svc.Pause(h.ctx, "ana", "deploy")
	require.ErrorIs(t, err, cadence.ErrForbidden)
	require.NoError(t, svc.Resume(h.ctx, "lea", "triage"))
	res, err := svc.Skip(h.ctx, "root", "quality", "team offsite")
	require.NoError(t, err)

	es := h.audit()
	require.Len(t, es, 4)
	assert.Equal(t, "ritual.pause", es[0].Action)
	assert.Equal(t, "ritual:triage", es[0].Target)
	assert.Equal(t, cadence.AuditDone, es[0].Outcome)
	assert.Equal(t, "ana", es[1].Actor)
	assert.Equal(t, cadence.AuditRefused, es[1].Outcome)
	assert.Contains(t, es[1].Reason, "only leads and admins can pause rituals")
	assert.Equal(t, "ritual.resume", es[2].Action)
	assert.Equal(t, map[string]string{"reason": "team offsite", "scheduled": res.Scheduled.Format(time.RFC3339)}, es[3].Details)
	assert.Equal(t, opsStart, es[3].At)
}

func TestErrorFieldForForms(t *testing.T) {
	h := newOpsHarness(t)
	h.openIncident("ana", "drift")
	_, err := h.ops.AddFollowUp(h.ctx, "ana", ops.FollowUpInput{Incident: "INC-1", Owner: "bo", Due: cadencetest.Date(2026, 11, 29), Title: "x"})
	field, msg, ok := cadence.ErrorField(err)
	require.True(t, ok)
	assert.Equal(t, "due", field)
	assert.Equal(t, "2026-11-29 is in the past (today is 2026-11-30 for bo in Europe/Warsaw)", msg)

	_, err = h.ops.AddFollowUp(h.ctx, "ana", ops.FollowUpInput{Incident: "INC-1", Owner: "zed", Due: cadencetest.Date(2026, 12, 1), Title: "x"})
	field, _, _ = cadence.ErrorField(err)
	assert.Equal(t, "owner", field)

	_, err = h.ops.AddFollowUp(h.ctx, "ana", ops.FollowUpInput{Incident: "INC-7", Owner: "bo", Due: cadencetest.Date(2026, 12, 1), Title: "x"})
	_, _, ok = cadence.ErrorField(err)
	assert.False(t, ok, "an unknown incident is not about a form field")
}

// Reassigning back to an earlier owner tells them again.
func TestReassignBackAnnouncesAgain(t *testing.T) {
	h := newOpsHarness(t)
	h.openIncident("lea", "drift")
	h.addFollowUp("lea", "INC-1", "bo", cadencetest.Date(2026, 12, 3), "x")
	_, err := h.ops.ReassignFollowUp(h.ctx, "lea", "FU-1", "cy")
	require.NoError(t, err)
	_, err = h.ops.ReassignFollowUp(h.ctx, "lea", "FU-1", "bo")
	require.NoError(t, err)
	assert.Equal(t, []string{"fu/FU-1/assigned/bo/1", "fu/FU-1/assigned/bo/3", "fu/FU-1/assigned/cy/2", "inc/INC-1/opened"}, sortedStrings(h.messageKeys()))
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// Every copy of a release request (the channel post, each approver's DM)
// is redrawn on every change: an approver who approved has nothing left to
// click, and once the release is decided no copy says "needs approval" or
// offers buttons. A late click says what was decided, by whom, when.
func TestDecidedReleaseIsRedrawnEverywhere(t *testing.T) {
	h := newOpsHarness(t)
	h.propose("ana", cadence.RiskHigh) // needs Lea and Root
	keys := []string{"rel/REL-1/proposed", "rel/REL-1/ask/lea", "rel/REL-1/ask/root"}
	for _, k := range keys {
		m := h.message(k)
		assert.Equal(t, "Proposed: REL-1 churn 2.3.0", m.Body.Title, k)
		assert.Len(t, m.Body.Actions, 2, k)
	}

	h.clock.Set(opsStart.Add(time.Hour))
	_, err := h.ops.ApproveRelease(h.ctx, "lea", "REL-1")
	require.NoError(t, err)
	lea := h.message("rel/REL-1/ask/lea")
	assert.Equal(t, 2, lea.Revision)
	assert.Empty(t, lea.Body.Actions, "Lea has done her part")
	assert.Equal(t, "You approved REL-1 on Mon 30 Nov 12:00 CET; it waits for 1 more approval.", lea.Body.Text)
	for _, k := range []string{"rel/REL-1/proposed", "rel/REL-1/ask/root"} {
		m := h.message(k)
		assert.Len(t, m.Body.Actions, 2, "%s still waits for a second approver", k)
		assert.Equal(t, []string{"Approved so far by Lea (1 of 2)."}, m.Body.Sections[0].Lines, k)
	}

	h.clock.Set(opsStart.Add(2 * time.Hour))
	_, err = h.ops.ApproveRelease(h.ctx, "root", "REL-1")
	require.NoError(t, err)
	for k, want := range map[string]string{
		"rel/REL-1/proposed": "REL-1 was approved by Lea and Root on Mon 30 Nov 13:00 CET.",
		"rel/REL-1/ask/lea":  "REL-1 was approved by Lea and Root on Mon 30 Nov 13:00 CET.",
		"rel/REL-1/ask/root": "REL-1 was approved by Lea and Root on Mon 30 Nov 12:00 UTC.",
	} {
		m := h.message(k)
		assert.Equal(t, "Approved: REL-1 churn 2.3.0", m.Body.Title, k)
		assert.Equal(t, want, m.Body.Text, k)
		assert.Empty(t, m.Body.Actions, k)
		assert.NotContains(t, m.Body.Text+m.Body.Footer, "needs", k)
	}

	h.clock.Set(opsStart.Add(30 * 24 * time.Hour))
	_, err = h.ops.RecordReleaseOutcome(h.ctx, "ana", "REL-1", cadence.ReleaseShipped)
	require.NoError(t, err)
	post := h.message("rel/REL-1/proposed")
	assert.Equal(t, "Shipped: REL-1 churn 2.3.0", post.Body.Title)
	assert.Equal(t, "REL-1 was approved by Lea and Root on Mon 30 Nov 13:00 CET, and shipped (recorded by Ana on Wed 30 Dec 11:00 CET).", post.Body.Text)
	assert.Equal(t, cadence.StatePending, post.State, "queued for an update in place")

	// A month later Lea clicks the button of an old copy (a chat that
	// never got the update): told what happened, nothing changes.
	before := h.state()
	_, err = h.ops.Act(h.ctx, "lea", ops.Action{ID: ops.ActionReleaseApprove, Value: "REL-1"})
	require.ErrorIs(t, err, cadence.ErrConflict)
	assert.Equal(t, "nothing changed: REL-1 was approved by Lea and Root on Mon 30 Nov 13:00 CET, and shipped (recorded by Ana on Wed 30 Dec 11:00 CET)", err.Error())
	assert.Equal(t, before, h.state())

	// A rejection is redrawn the same way.
	h.propose("ana", cadence.RiskLow)
	_, err = h.ops.RejectRelease(h.ctx, "root", "REL-2", "no canary plan")
	require.NoError(t, err)
	ask := h.message("rel/REL-2/ask/lea")
	assert.Equal(t, "Rejected: REL-2 churn 2.3.0", ask.Body.Title)
	assert.Equal(t, "REL-2 was rejected by Root on Wed 30 Dec 11:00 CET: no canary plan.", ask.Body.Text)
	assert.Empty(t, ask.Body.Actions)
	_, err = h.ops.Act(h.ctx, "lea", ops.Action{ID: ops.ActionReleaseReject, Value: "REL-2", Arg: "me too"})
	assert.EqualError(t, err, "nothing changed: REL-2 was rejected by Root on Wed 30 Dec 11:00 CET: no canary plan")
}
