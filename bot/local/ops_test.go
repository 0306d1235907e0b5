package local_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/local"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// opsLive is the real engine wrapped with the real Ops, the dispatcher
// delivering to the local chat, and the chat served over HTTP.
type opsLive struct {
	*harness
	ops  *ops.Ops
	disp *cadence.Dispatcher
	ctx  context.Context
}

func newOpsLive(t *testing.T) *opsLive {
	t.Helper()
	zurich := mustLoad(t, "Europe/Zurich")
	roster := cadence.NewRoster([]*cadence.Person{
		{ID: "ana", Name: "Ana Popescu", Role: cadence.RoleSpecialist, Location: mustLoad(t, "Europe/Bucharest")},
		{ID: "lena", Name: "Lena Meier", Role: cadence.RoleLead, Location: zurich},
		{ID: "max", Name: "Max Novak", Role: cadence.RoleManager, Location: mustLoad(t, "Europe/Warsaw")},
		{ID: "olga", Name: "Olga Berg", Role: cadence.RoleAdmin, Location: zurich},
	})
	deploy := &cadence.Ritual{ID: "deploy", Title: "Deployment planning", Kind: cadence.KindDeploymentPlanning, Channel: "deploy",
		Location: zurich, Participants: []string{"ana", "lena"}, Lead: "lena",
		Questions: cadence.DefaultQuestions(cadence.KindDeploymentPlanning), Window: 4 * time.Hour}
	rituals := []*cadence.Ritual{triageRitual(t), deploy}
	for _, r := range rituals {
		sched, err := cadence.ParseSchedule("0 9 * * 1", zurich)
		require.NoError(t, err)
		r.Spec, r.Schedule = "0 9 * * 1", sched
	}
	st, clock, chat := cadencetest.NewStore(), cadence.NewManualClock(start), local.NewChat()
	eng, err := cadence.New(cadence.EngineConfig{Rituals: rituals, Roster: roster, Store: st, Clock: clock,
		Logger: zerolog.Nop(), DefaultPlatform: local.Platform})
	require.NoError(t, err)
	o, err := ops.New(ops.Config{Roster: roster, Rituals: rituals, Store: st, Clock: clock, Logger: zerolog.Nop()})
	require.NoError(t, err)
	disp := cadence.NewDispatcher(st, clock, map[string]cadence.Chat{local.Platform: chat}, zerolog.Nop(), nil)
	return &opsLive{harness: serve(t, "", o.Wrap(eng), st, clock, chat), ops: o, disp: disp, ctx: context.Background()}
}

func (l *opsLive) dispatch() {
	l.t.Helper()
	_, err := l.disp.RunOnce(l.ctx)
	require.NoError(l.t, err)
}

func (l *opsLive) lastAudit() *cadence.AuditEntry {
	l.t.Helper()
	es, err := l.ops.AuditLog(l.ctx, "lena", time.Time{})
	require.NoError(l.t, err)
	require.NotEmpty(l.t, es)
	return es[len(es)-1]
}

// followUp opens INC-1 and gives FU-1 (due 2 Dec) to ana.
func (l *opsLive) followUp() *cadence.FollowUp {
	l.t.Helper()
	inc, err := l.ops.OpenIncident(l.ctx, "lena", ops.IncidentInput{Title: "Churn model drift"})
	require.NoError(l.t, err)
	due, err := cadence.ParseDate("2026-12-02")
	require.NoError(l.t, err)
	f, err := l.ops.AddFollowUp(l.ctx, "lena", ops.FollowUpInput{Incident: inc.ID(), Owner: "ana", Due: due, Title: "Tighten drift alert"})
	require.NoError(l.t, err)
	l.dispatch()
	return f
}

func (l *opsLive) propose(by string, risk cadence.Risk) *cadence.Release {
	l.t.Helper()
	r, err := l.ops.ProposeRelease(l.ctx, by, ops.ReleaseInput{Model: "churn", Version: "2.3.0", Change: cadence.ChangeRetrain,
		Risk: risk, Evidence: "https://mlflow.example.com/runs/42", RollbackPlan: "pin 2.2.1", DataContract: ops.ContractPassed})
	require.NoError(l.t, err)
	l.dispatch()
	return r
}

func (l *opsLive) release(id string) *cadence.Release {
	l.t.Helper()
	r, err := l.ops.Release(l.ctx, id)
	require.NoError(l.t, err)
	return r
}

// actForm matches the form of one button.
func actForm(action, value string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)<form method="post" action="/act" class="act">.{0,300}name="action" value="` + action +
		`">\s*<input type="hidden" name="value" value="` + value + `">`)
}

func TestFollowUpButtonsInTheInbox(t *testing.T) {
	l := newOpsLive(t)
	l.followUp()
	inbox := l.login("ana")
	for _, a := range []string{"followup_done", "followup_snooze", "followup_reassign"} {
		assert.Regexp(t, actForm(a, "FU-1"), inbox)
	}
	assert.Regexp(t, `<select name="arg" required><option value="">Pick a person</option><option value="ana">Ana Popescu</option>`, inbox,
		"Reassign asks for the new owner beside the button")

	// Reassign without picking anyone: refused, nothing changed.
	status, body := l.post("/act", url.Values{"action": {"followup_reassign"}, "value": {"FU-1"}, "arg": {""}, "back": {"/me"}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "Not done: followup_reassign FU-1: the new owner is required")
	assert.Equal(t, cadence.AuditRefused, l.lastAudit().Outcome)

	l.get("/me")
	status, body = l.post("/act", url.Values{"action": {"followup_done"}, "value": {"FU-1"}, "back": {"/me#m-x"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `<p class="flash ok" role="status">FU-1 is done. Thank you!</p>`)
	assert.Contains(t, body, "Your inbox", "back where the button was")
	f, err := l.ops.FollowUp(l.ctx, "FU-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.FollowUpDone, f.Status)
	e := l.lastAudit()
	assert.Equal(t, "followup.done", e.Action)
	assert.Equal(t, "ana", e.Actor)
	assert.Equal(t, cadence.AuditDone, e.Outcome)

	// The same button again: the domain refuses, the page says why.
	status, body = l.post("/act", url.Values{"action": {"followup_done"}, "value": {"FU-1"}, "back": {"/me"}})
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, body, "Not done: FU-1 is already done (by Ana Popescu, Mon 30 Nov ")
}

func TestReassignFromTheOpsPage(t *testing.T) {
	l := newOpsLive(t)
	l.followUp()
	l.login("ana")
	status, body := l.get("/ops")
	require.Equal(t, http.StatusOK, status)
	assert.Regexp(t, actForm("followup_reassign", "FU-1"), body)

	status, body = l.post("/act", url.Values{"action": {"followup_reassign"}, "value": {"FU-1"}, "arg": {"max"}, "back": {"/ops#FU-1"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "FU-1 now belongs to Max Novak.")
	assert.Contains(t, body, "None: nothing is waiting on you.", "the ops page again, without FU-1")
	f, err := l.ops.FollowUp(l.ctx, "FU-1")
	require.NoError(t, err)
	assert.Equal(t, "max", f.Owner)

	l.dispatch()
	l.login("max")
	_, inbox := l.get("/me")
	assert.Regexp(t, actForm("followup_done", "FU-1"), inbox, "the new owner gets the buttons")
}

func TestReleaseButtonsRefuseNonApproversAndOwnReleases(t *testing.T) {
	tests := []struct {
		name, proposer, clicker string
		want                    string
	}{
		{"a manager is no approver", "ana", "max", "only release approvers (Lena Meier, Olga Berg) can approve or reject REL-1"},
		{"approving your own release", "lena", "lena", "you proposed REL-1, so another approver must decide on it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newOpsLive(t)
			l.propose(tt.proposer, cadence.RiskLow)
			l.login(tt.clicker)
			_, channel := l.get("/c/deploy")
			assert.Regexp(t, actForm("release_approve", "REL-1"), channel, "the proposal in the channel carries the buttons")

			status, body := l.post("/act", url.Values{"action": {"release_approve"}, "value": {"REL-1"}, "back": {"/c/deploy"}})
			assert.Equal(t, http.StatusForbidden, status)
			assert.Contains(t, body, "Not done: "+escape(tt.want))
			r := l.release("REL-1")
			assert.Equal(t, cadence.ReleaseProposed, r.Status)
			assert.Empty(t, r.Approvals)
			e := l.lastAudit()
			assert.Equal(t, "release.approve", e.Action)
			assert.Equal(t, cadence.AuditRefused, e.Outcome)
			assert.Equal(t, tt.want, e.Reason)
		})
	}
}

func TestApproveAndRejectFromTheReleaseLane(t *testing.T) {
	l := newOpsLive(t)
	l.propose("ana", cadence.RiskHigh)
	l.propose("ana", cadence.RiskLow)

	// ana proposed both: she sees the lane, not the buttons.
	l.login("ana")
	_, page := l.get("/ops")
	assert.Contains(t, page, "REL-1 churn 2.3.0")
	assert.Contains(t, page, "You proposed it: another approver decides.")
	assert.NotRegexp(t, actForm("release_approve", "REL-1"), page)
	// max is no approver: no buttons either.
	l.login("max")
	_, page = l.get("/ops")
	assert.NotRegexp(t, actForm("release_approve", "REL-1"), page)
	assert.Contains(t, page, "Approvers: Lena Meier, Olga Berg.")

	// Someone who has not said who they are sees the channel, no buttons.
	anonymous := *l.harness
	anonymous.client = anonymous.newClient()
	_, channel := anonymous.get("/c/deploy")
	assert.Contains(t, channel, "Proposed: REL-1 churn 2.3.0")
	assert.NotContains(t, channel, `action="/act"`)

	l.login("lena")
	_, page = l.get("/ops")
	assert.Regexp(t, actForm("release_approve", "REL-1"), page)
	assert.Regexp(t, actForm("release_reject", "REL-2"), page)

	// High risk: Lena's approval is one of two.
	status, body := l.post("/act", url.Values{"action": {"release_approve"}, "value": {"REL-1"}, "back": {"/ops#REL-1"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Your approval of REL-1 is recorded (1 of 2).")
	assert.Contains(t, body, "You approved it; it needs another approver.")
	l.login("olga")
	l.get("/ops")
	status, body = l.post("/act", url.Values{"action": {"release_approve"}, "value": {"REL-1"}, "back": {"/ops#REL-1"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "REL-1 is approved; the plan is posted.")
	assert.Equal(t, cadence.ReleaseApproved, l.release("REL-1").Status)

	// Reject needs a reason.
	status, body = l.post("/act", url.Values{"action": {"release_reject"}, "value": {"REL-2"}, "arg": {"  "}, "back": {"/ops"}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "a reason is required")
	l.get("/ops")
	status, body = l.post("/act", url.Values{"action": {"release_reject"}, "value": {"REL-2"}, "arg": {"no canary plan"}, "back": {"/ops"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "REL-2 is rejected.")
	r := l.release("REL-2")
	assert.Equal(t, cadence.ReleaseRejected, r.Status)
	assert.Equal(t, "no canary plan", r.RejectReason)
	assert.NotContains(t, body, "REL-2 churn", "the lane shows proposed and approved releases only")

	l.dispatch()
	l.login("ana")
	_, inbox := l.get("/me")
	assert.Contains(t, inbox, "Rejected: REL-2 churn 2.3.0")
}

func TestOpsPageFlagsOverdueFollowUps(t *testing.T) {
	l := newOpsLive(t)
	l.followUp()
	l.login("ana")
	_, page := l.get("/ops")
	assert.Contains(t, page, "Due 2026-12-02 · INC-1 Churn model drift")
	assert.NotContains(t, page, "Overdue")

	l.clock.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)) // Thursday in Bucharest
	l.login("ana")                                            // the session idled out
	_, page = l.get("/ops")
	assert.Contains(t, page, `<strong class="flag">Overdue</strong>: was due 2026-12-02 · INC-1 Churn model drift`)
}

func TestProposeReleaseForm(t *testing.T) {
	l := newOpsLive(t)
	l.login("ana")
	l.get("/ops")
	status, body := l.post("/ops/release", url.Values{"model": {""}, "version": {"2.3.0"}, "change": {"retrain"}, "risk": {"medium"},
		"evidence": {"mlflow run 42"}, "rollback": {""}, "contract": {"no"}, "planned": {"2026-11-01"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	for _, want := range []string{
		"Some fields need a change; nothing was proposed yet.",
		"which model or pipeline?",
		escape(`"mlflow run 42" is not an http(s) link`),
		"how do we roll this back?",
		"the data-contract check did not pass: say why, or what was checked",
		"2026-11-01 is in the past (today is 2026-11-30)",
	} {
		assert.Contains(t, body, want)
	}
	assert.Contains(t, body, `name="version" value="2.3.0"`, "what was typed is kept")
	assert.Contains(t, body, `<option selected>retrain</option>`)
	rels, err := l.ops.Releases(l.ctx, cadence.ReleaseFilter{})
	require.NoError(t, err)
	assert.Empty(t, rels)

	status, body = l.post("/ops/release", url.Values{"model": {"churn"}, "version": {"2.3.0"}, "change": {"retrain"}, "risk": {"medium"},
		"evidence": {"https://mlflow.example.com/runs/42"}, "rollback": {"pin 2.2.1\r\nthen redeploy"}, "contract": {"yes"}, "planned": {"2026-12-03"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Proposed REL-1 churn 2.3.0: the approvers are asked now.")
	r := l.release("REL-1")
	assert.Equal(t, "ana", r.ProposedBy)
	assert.Equal(t, "pin 2.2.1\nthen redeploy", r.RollbackPlan)
	assert.Equal(t, "2026-12-03", r.Planned.String())
}

// A compliance check has no default: the form pre-selects nothing, and a
// proposal that does not say is refused next to the field.
func TestProposeReleaseFormContractHasNoDefault(t *testing.T) {
	l := newOpsLive(t)
	l.login("ana")
	_, page := l.get("/ops")
	assert.Contains(t, page, `<select id="rel-contract" name="contract" required><option value="">Pick one</option>`)
	assert.NotContains(t, page, `<option value="yes" selected>`)

	status, body := l.post("/ops/release", url.Values{"model": {"churn"}, "version": {"2.3.0"}, "change": {""}, "risk": {"medium"},
		"evidence": {"https://mlflow.example.com/runs/42"}, "rollback": {"pin 2.2.1"}, "contract": {""}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "say whether the data-contract check passed")
	assert.Contains(t, body, "pick a change type (retrain, new-model, rollback, feature-flag, data-change)")
	assert.NotContains(t, body, escape(`"" is not`))
	rels, err := l.ops.Releases(l.ctx, cadence.ReleaseFilter{})
	require.NoError(t, err)
	assert.Empty(t, rels)
}

func TestActRefusesAForeignForm(t *testing.T) {
	l := newOpsLive(t)
	l.followUp()
	l.login("ana")
	status, body := l.post("/act", url.Values{"csrf": {"not-the-token"}, "action": {"followup_done"}, "value": {"FU-1"}})
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "nothing was done")
	f, err := l.ops.FollowUp(l.ctx, "FU-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.FollowUpOpen, f.Status)

	l.get("/me")
	status, _ = l.post("/act", url.Values{"action": {"answer"}, "value": {"FU-1"}})
	assert.Equal(t, http.StatusBadRequest, status, "only MLOps buttons go through /act")
}

func TestOpsPagesWithoutOpsService(t *testing.T) {
	h := newHarness(t, "") // a bare engine: no incidents, follow-ups or releases
	inbox := h.login("ana")
	assert.NotContains(t, inbox, "Follow-ups &amp; releases", "no link to a page that cannot work")
	status, body := h.get("/ops")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, body, "not enabled")
}

// Once decided, the channel post and every approver's DM are redrawn
// without buttons; a late click (from a page drawn before) goes back to
// that page with what was decided, by whom and when, not to a bare
// "Not done" page.
func TestDecidedReleaseRedrawnAndLateClick(t *testing.T) {
	l := newOpsLive(t)
	l.propose("ana", cadence.RiskLow)
	l.login("olga")
	_, inbox := l.get("/me")
	assert.Regexp(t, actForm("release_approve", "REL-1"), inbox, "olga is asked")

	l.login("lena")
	l.get("/me")
	status, _ := l.post("/act", url.Values{"action": {"release_approve"}, "value": {"REL-1"}, "back": {"/me"}})
	assert.Equal(t, http.StatusOK, status)
	l.dispatch()

	_, channel := l.get("/c/deploy")
	assert.NotRegexp(t, actForm("release_approve", "REL-1"), channel)
	assert.Contains(t, channel, "REL-1 was approved by Lena Meier on")
	l.login("olga")
	_, inbox = l.get("/me")
	assert.NotRegexp(t, actForm("release_approve", "REL-1"), inbox, "olga's request is redrawn")
	assert.Contains(t, inbox, "Approved: REL-1 churn 2.3.0")

	// Olga clicks Reject on a page she had open since before.
	status, body := l.post("/act", url.Values{"action": {"release_reject"}, "value": {"REL-1"}, "arg": {"too late"}, "back": {"/me"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `<p class="flash info" role="status">Nothing changed: REL-1 was approved by Lena Meier on`)
	assert.Contains(t, body, "Your inbox", "back where the button was")
	assert.NotContains(t, body, "Not done")
	assert.Equal(t, cadence.ReleaseApproved, l.release("REL-1").Status)
}
