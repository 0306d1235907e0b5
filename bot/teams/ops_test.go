package teams_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The MLOps buttons end to end: the real engine wrapped with the real Ops
// on an in-memory store, the dispatcher delivering through the adapter to
// the fake Bot Connector, and clicks sent back as signed card submits
// built from the cards the bot posted.

const deployChannel = "19:deploy@thread.tacv2"

var (
	leaUser = user("29:lea", "aad-lea", "Lea")
	maxUser = user("29:max", "aad-max", "Max")
)

type opsWorld struct {
	t     *testing.T
	ctx   context.Context
	fc    *fakeConnector
	st    *cadencetest.Store
	clock *cadence.ManualClock
	eng   *cadence.Engine
	ops   *ops.Ops
	a     *teams.Adapter
	d     *cadence.Dispatcher
	e     *env
}

func newOpsWorld(t *testing.T) *opsWorld {
	w := &opsWorld{t: t, ctx: context.Background(), fc: newFakeConnector(t), st: cadencetest.NewStore(),
		clock: cadence.NewManualClock(t0)}
	log := zerolog.New(zerolog.NewTestWriter(t))
	people := []*cadence.Person{
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: time.UTC, Handles: cadence.Handles{TeamsID: "aad-ana"}},
		{ID: "ben", Name: "Ben", Role: cadence.RoleSpecialist, Location: time.UTC, Handles: cadence.Handles{TeamsID: "29:ben"}},
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: time.UTC, Handles: cadence.Handles{TeamsID: "aad-lea"}},
		{ID: "max", Name: "Max", Role: cadence.RoleAdmin, Location: time.UTC, Handles: cadence.Handles{TeamsID: "29:max"}},
	}
	ritual := func(id, title string, kind cadence.Kind, channel string) *cadence.Ritual {
		sched, err := cadence.ParseSchedule("0 9 * * MON", time.UTC)
		require.NoError(t, err)
		return &cadence.Ritual{ID: id, Title: title, Kind: kind, Platform: teams.Platform, Channel: channel,
			Spec: "0 9 * * MON", Schedule: sched, Location: time.UTC, Participants: []string{"ana", "ben", "lea"}, Lead: "lea",
			Questions: cadence.DefaultQuestions(kind), Window: 4 * time.Hour}
	}
	rituals := []*cadence.Ritual{
		ritual("triage", "Incident triage", cadence.KindTriage, channelID),
		ritual("deploy", "Deployment planning", cadence.KindDeploymentPlanning, deployChannel),
	}
	roster := cadence.NewRoster(people)
	var err error
	w.eng, err = cadence.New(cadence.EngineConfig{Rituals: rituals, Roster: roster, Store: w.st, Clock: w.clock,
		Logger: log, DefaultPlatform: teams.Platform})
	require.NoError(t, err)
	w.ops, err = ops.New(ops.Config{Roster: roster, Rituals: rituals, Store: w.st, Clock: w.clock,
		Logger: log, Platform: teams.Platform})
	require.NoError(t, err)
	w.a, err = teams.New(w.fc.config(), w.ops.Wrap(w.eng), w.st, w.clock, log)
	require.NoError(t, err)
	w.d = cadence.NewDispatcher(w.st, w.clock, map[string]cadence.Chat{teams.Platform: w.a}, log, nil)
	w.e = &env{t: t, fc: w.fc, st: w.st, clock: w.clock, a: w.a, h: w.a.Handler()}

	// The team with both channels and everyone's personal scope have the app.
	w.deliver(w.e.teamInstall())
	for _, u := range []map[string]any{ana, ben, leaUser, maxUser} {
		w.deliver(w.e.personalInstall(u))
	}
	return w
}

// deliver posts a signed activity and wants it accepted.
func (w *opsWorld) deliver(act map[string]any) {
	w.t.Helper()
	rec := w.e.deliver(act)
	require.Equal(w.t, http.StatusOK, rec.Code, rec.Body.String())
}

func (w *opsWorld) dispatch() {
	w.t.Helper()
	_, err := w.d.RunOnce(w.ctx)
	require.NoError(w.t, err)
}

// since returns the requests the bot made after the first n.
func (w *opsWorld) since(n int) []sent { return w.fc.requests()[n:] }

// posted finds the only card posted to conv whose JSON contains all of parts.
func (w *opsWorld) posted(conv string, parts ...string) sent {
	w.t.Helper()
	var found []sent
	for _, s := range w.fc.posts() {
		if s.Conv != conv {
			continue
		}
		c, ok := card(w.t, s), true
		for _, p := range parts {
			ok = ok && strings.Contains(c, p)
		}
		if ok {
			found = append(found, s)
		}
	}
	require.Len(w.t, found, 1, "cards in %s with %v", conv, parts)
	return found[0]
}

func (w *opsWorld) lastAudit() *cadence.AuditEntry {
	w.t.Helper()
	es, err := w.ops.AuditLog(w.ctx, "lea", time.Time{})
	require.NoError(w.t, err)
	require.NotEmpty(w.t, es)
	return es[len(es)-1]
}

// followUp opens INC-1 (owner lea) with FU-1 for ana and delivers the DMs.
func (w *opsWorld) followUp() *cadence.FollowUp {
	w.t.Helper()
	inc, err := w.ops.OpenIncident(w.ctx, "lea", ops.IncidentInput{Title: "Churn model drift", Severity: 2})
	require.NoError(w.t, err)
	due, err := cadence.ParseDate("2026-12-02")
	require.NoError(w.t, err)
	f, err := w.ops.AddFollowUp(w.ctx, "lea", ops.FollowUpInput{Incident: inc.ID(), Owner: "ana", Due: due, Title: "Tighten drift alert"})
	require.NoError(w.t, err)
	w.dispatch()
	return f
}

// propose has someone propose a low-risk retrain and delivers the asks.
func (w *opsWorld) propose(by string) *cadence.Release {
	w.t.Helper()
	r, err := w.ops.ProposeRelease(w.ctx, by, ops.ReleaseInput{Model: "churn", Version: "2.3.0", Change: cadence.ChangeRetrain,
		Risk: cadence.RiskLow, Evidence: "https://mlflow.example.com/runs/42", RollbackPlan: "pin 2.2.1", DataContract: ops.ContractPassed})
	require.NoError(w.t, err)
	w.dispatch()
	return r
}

// cardAction returns the action of a posted card with the given title,
// as Teams has it.
func cardAction(t *testing.T, s sent, title string) map[string]any {
	t.Helper()
	var c struct{ Actions []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(card(t, s)), &c))
	for _, a := range c.Actions {
		if a["title"] == title {
			return a
		}
	}
	require.Failf(t, "no such button", "%q on %s", title, card(t, s))
	return nil
}

// pressed is the value of a submit of button a: its data merged with the
// inputs, as Teams sends it. An Action.ShowCard's own submit is pressed,
// with inputs keyed by the id of the unfolded card's input.
func pressed(t *testing.T, a map[string]any, input string) map[string]any {
	t.Helper()
	if a["type"] == "Action.ShowCard" {
		sub := a["card"].(map[string]any)
		in := sub["body"].([]any)[0].(map[string]any)
		v := pressed(t, sub["actions"].([]any)[0].(map[string]any), "")
		v[in["id"].(string)] = input
		return v
	}
	require.Equal(t, "Action.Submit", a["type"])
	v := map[string]any{}
	for k, x := range a["data"].(map[string]any) {
		v[k] = x
	}
	return v
}

// channelSubmit is a card submit in a channel thread whose root is the
// clicked card.
func (e *env) channelSubmit(from map[string]any, channel, replyTo string, value map[string]any) map[string]any {
	a := e.base("message", channel+";messageid="+replyTo, "channel", from)
	a["replyToId"] = replyTo
	a["value"] = value
	a["channelData"] = map[string]any{"tenant": map[string]any{"id": testTenant},
		"team": map[string]any{"id": channelID}, "channel": map[string]any{"id": channel}}
	return a
}

func TestFollowUpDoneFromTeams(t *testing.T) {
	w := newOpsWorld(t)
	f := w.followUp()
	dm := w.posted("a:1on1-29:ana", f.ID(), "followup_done")

	n := len(w.fc.requests())
	w.deliver(w.e.submit(ana, dm.NewID, pressed(t, cardAction(t, dm, "Done"), "")))

	got, err := w.ops.FollowUp(w.ctx, f.ID())
	require.NoError(t, err)
	assert.Equal(t, cadence.FollowUpDone, got.Status)
	audit := w.lastAudit()
	assert.Equal(t, "ana", audit.Actor)
	assert.Equal(t, "followup.done", audit.Action)
	assert.Equal(t, f.ID(), audit.Target)
	assert.Equal(t, cadence.AuditDone, audit.Outcome)

	reqs := w.since(n)
	require.Len(t, reqs, 1, "the card redrawn in place, nothing else")
	assert.Equal(t, http.MethodPut, reqs[0].Method)
	assert.Equal(t, "a:1on1-29:ana", reqs[0].Conv)
	assert.Equal(t, dm.NewID, reqs[0].ID)
	c := card(t, reqs[0])
	assert.Contains(t, c, "✓ FU-1 is done. Thank you! — Ana")
	assert.Contains(t, c, "Tighten drift alert", "the card keeps its content")
	assert.NotContains(t, c, `"actions"`, "nothing left to click")
}

// The connector retries a click whose 200 was lost: the same activity id
// is acted on once. A second click (a new activity) is the domain's to
// refuse, and is.
func TestRetriedClickActsOnce(t *testing.T) {
	w := newOpsWorld(t)
	f := w.followUp()
	dm := w.posted("a:1on1-29:ana", f.ID(), "followup_done")
	auditLen := func() int {
		es, err := w.ops.AuditLog(w.ctx, "lea", time.Time{})
		require.NoError(t, err)
		return len(es)
	}

	click := w.e.submit(ana, dm.NewID, pressed(t, cardAction(t, dm, "Done"), ""))
	n, audits := len(w.fc.requests()), auditLen()
	w.deliver(click)
	require.Len(t, w.since(n), 1, "the card redrawn")
	require.Equal(t, audits+1, auditLen())

	n = len(w.fc.requests())
	w.clock.Advance(15 * time.Second)
	w.deliver(click)
	assert.Empty(t, w.since(n), "nothing redrawn or told")
	assert.Equal(t, audits+1, auditLen(), "acted once")
	got, err := w.ops.FollowUp(w.ctx, f.ID())
	require.NoError(t, err)
	assert.Equal(t, cadence.FollowUpDone, got.Status)

	w.deliver(w.e.submit(ana, dm.NewID, pressed(t, cardAction(t, dm, "Done"), "")))
	assert.Equal(t, audits+2, auditLen(), "a new click reaches the domain")
}

func TestSnoozeKeepsTheButtons(t *testing.T) {
	w := newOpsWorld(t)
	f := w.followUp()
	dm := w.posted("a:1on1-29:ana", f.ID(), "followup_done")

	n := len(w.fc.requests())
	w.deliver(w.e.submit(ana, dm.NewID, pressed(t, cardAction(t, dm, "Snooze"), "")))

	got, err := w.ops.FollowUp(w.ctx, f.ID())
	require.NoError(t, err)
	assert.True(t, got.SnoozedUntil.After(w.clock.Now()))
	reqs := w.since(n)
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPut, reqs[0].Method)
	c := card(t, reqs[0])
	assert.Contains(t, c, "No reminders about FU-1 until")
	assert.Contains(t, c, "followup_done", "Done is still there")
}

func TestReassignByShowCardChoice(t *testing.T) {
	w := newOpsWorld(t)
	f := w.followUp()
	dm := w.posted("a:1on1-29:ana", f.ID(), "followup_done")
	reassign := cardAction(t, dm, "Reassign")
	require.Equal(t, "Action.ShowCard", reassign["type"])
	picker, _ := json.Marshal(reassign["card"])
	assert.Contains(t, string(picker), `"value":"ben"`)
	assert.NotContains(t, string(picker), `"value":"ana"`, "not the owner the card went to")

	n := len(w.fc.requests())
	w.deliver(w.e.submit(ana, dm.NewID, pressed(t, reassign, "ben")))

	got, err := w.ops.FollowUp(w.ctx, f.ID())
	require.NoError(t, err)
	assert.Equal(t, "ben", got.Owner)
	audit := w.lastAudit()
	assert.Equal(t, "followup.reassign", audit.Action)
	assert.Equal(t, "ben", audit.Details["owner"])
	reqs := w.since(n)
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPut, reqs[0].Method)
	assert.Contains(t, card(t, reqs[0]), "FU-1 now belongs to Ben. — Ana")
	assert.NotContains(t, card(t, reqs[0]), `"actions"`)

	w.dispatch()
	w.posted("a:1on1-29:ben", f.ID(), "followup_done") // the new owner gets the buttons
}

func TestReassignWithoutChoiceIsRefused(t *testing.T) {
	w := newOpsWorld(t)
	f := w.followUp()
	dm := w.posted("a:1on1-29:ana", f.ID(), "followup_done")

	n := len(w.fc.requests())
	w.deliver(w.e.submit(ana, dm.NewID, pressed(t, cardAction(t, dm, "Reassign"), "")))

	got, err := w.ops.FollowUp(w.ctx, f.ID())
	require.NoError(t, err)
	assert.Equal(t, "ana", got.Owner)
	assert.Equal(t, cadence.AuditRefused, w.lastAudit().Outcome)
	reqs := w.since(n)
	require.Len(t, reqs, 1, "a reply, the card untouched")
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Contains(t, card(t, reqs[0]), "the new owner is required")
}

func TestApproveRefusedInTheChannel(t *testing.T) {
	for _, tc := range []struct {
		name, clicker string
		from          map[string]any
		reason        string
	}{
		{name: "not an approver", clicker: "ben", from: ben, reason: "only release approvers"},
		{name: "own release", clicker: "lea", from: leaUser, reason: "you proposed REL-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newOpsWorld(t)
			r := w.propose("lea")
			proposal := w.posted(deployChannel, "Proposed: "+r.ID(), "release_approve")

			n := len(w.fc.requests())
			w.deliver(w.e.channelSubmit(tc.from, deployChannel, proposal.NewID, pressed(t, cardAction(t, proposal, "Approve"), "")))

			got, err := w.ops.Release(w.ctx, r.ID())
			require.NoError(t, err)
			assert.Equal(t, cadence.ReleaseProposed, got.Status)
			assert.Empty(t, got.Approvals)
			audit := w.lastAudit()
			assert.Equal(t, tc.clicker, audit.Actor)
			assert.Equal(t, "release.approve", audit.Action)
			assert.Equal(t, cadence.AuditRefused, audit.Outcome)

			reqs := w.since(n)
			require.Len(t, reqs, 1, "only the clicker is told; the proposal is untouched")
			assert.Equal(t, http.MethodPost, reqs[0].Method)
			assert.Equal(t, "a:1on1-"+tc.from["id"].(string), reqs[0].Conv, "privately, in their 1:1 chat")
			assert.Contains(t, card(t, reqs[0]), "Not done")
			assert.Contains(t, card(t, reqs[0]), tc.reason)
		})
	}
}

func TestApproveAndRejectFromTeams(t *testing.T) {
	t.Run("approve in the approver's chat", func(t *testing.T) {
		w := newOpsWorld(t)
		r := w.propose("ben")
		ask := w.posted("a:1on1-29:lea", "Proposed: "+r.ID(), "release_approve")

		n := len(w.fc.requests())
		w.deliver(w.e.submit(leaUser, ask.NewID, pressed(t, cardAction(t, ask, "Approve"), "")))

		got, err := w.ops.Release(w.ctx, r.ID())
		require.NoError(t, err)
		assert.Equal(t, cadence.ReleaseApproved, got.Status)
		reqs := w.since(n)
		require.Len(t, reqs, 1)
		assert.Equal(t, http.MethodPut, reqs[0].Method)
		assert.Equal(t, ask.NewID, reqs[0].ID)
		assert.Contains(t, card(t, reqs[0]), "REL-1 is approved; the plan is posted. — Lea")
		assert.NotContains(t, card(t, reqs[0]), `"actions"`)
	})
	t.Run("reject with a reason in the channel", func(t *testing.T) {
		w := newOpsWorld(t)
		r := w.propose("ben")
		proposal := w.posted(deployChannel, "Proposed: "+r.ID(), "release_approve")

		n := len(w.fc.requests())
		w.deliver(w.e.channelSubmit(maxUser, deployChannel, proposal.NewID,
			pressed(t, cardAction(t, proposal, "Reject"), "no shadow run yet")))

		got, err := w.ops.Release(w.ctx, r.ID())
		require.NoError(t, err)
		assert.Equal(t, cadence.ReleaseRejected, got.Status)
		assert.Equal(t, "no shadow run yet", got.RejectReason)
		reqs := w.since(n)
		require.Len(t, reqs, 1)
		assert.Equal(t, http.MethodPut, reqs[0].Method)
		assert.Equal(t, deployChannel, reqs[0].Conv)
		assert.Equal(t, proposal.NewID, reqs[0].ID)
		assert.Contains(t, card(t, reqs[0]), "REL-1 is rejected. — Max")
	})
}

// Once a release is decided every copy of its request is redrawn without
// buttons, and a late click on a copy that still has them (it was not
// updated yet) says what was decided, by whom and when, on the card.
func TestDecidedReleaseRedrawnAndLateClickInTeams(t *testing.T) {
	w := newOpsWorld(t)
	r := w.propose("ben")
	leaAsk := w.posted("a:1on1-29:lea", "Proposed: "+r.ID(), "release_approve")
	maxAsk := w.posted("a:1on1-29:max", "Proposed: "+r.ID(), "release_approve")
	proposal := w.posted(deployChannel, "Proposed: "+r.ID(), "release_approve")
	w.deliver(w.e.submit(leaUser, leaAsk.NewID, pressed(t, cardAction(t, leaAsk, "Approve"), "")))

	// Max's card has not been redrawn yet: his click is refused and the
	// card says why.
	n := len(w.fc.requests())
	w.deliver(w.e.submit(maxUser, maxAsk.NewID, pressed(t, cardAction(t, maxAsk, "Approve"), "")))
	reqs := w.since(n)
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPut, reqs[0].Method)
	assert.Equal(t, maxAsk.NewID, reqs[0].ID)
	assert.Contains(t, card(t, reqs[0]), "Nothing changed: REL-1 was approved by Lea on")
	assert.NotContains(t, card(t, reqs[0]), `"actions"`)
	assert.NotContains(t, card(t, reqs[0]), "Not done")

	// The outbox redraws every copy: no "Proposed", no buttons.
	n = len(w.fc.requests())
	w.dispatch()
	updated := map[string]string{}
	for _, q := range w.since(n) {
		if q.Method == http.MethodPut {
			updated[q.ID] = card(t, q)
		}
	}
	for _, c := range []sent{leaAsk, maxAsk, proposal} {
		got, ok := updated[c.NewID]
		require.True(t, ok, "card %s redrawn", c.NewID)
		assert.Contains(t, got, "Approved: REL-1")
		assert.Contains(t, got, "REL-1 was approved by Lea on")
		assert.NotContains(t, got, `"actions"`)
	}
}

// A click naming a message it did not come from is acted on (the click is
// the person's), but no other card is redrawn: the result is a reply.
func TestClickNamingAnotherMessageIsNotRedrawn(t *testing.T) {
	w := newOpsWorld(t)
	f := w.followUp()
	dm := w.posted("a:1on1-29:ana", f.ID(), "followup_done")
	v := pressed(t, cardAction(t, dm, "Done"), "")
	v["key"] = "inc/INC-1/opened"

	n := len(w.fc.requests())
	w.deliver(w.e.submit(ana, dm.NewID, v))

	reqs := w.since(n)
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "a:1on1-29:ana", reqs[0].Conv)
	assert.Contains(t, card(t, reqs[0]), "FU-1 is done")
}

// Without Ops (a bare engine) the buttons say the feature is off.
func TestOpsButtonWithoutOps(t *testing.T) {
	e := newEnv(t)
	require.Equal(t, http.StatusOK, e.deliver(e.personalInstall(ana)).Code)
	n := len(e.fc.requests())
	rec := e.deliver(e.submit(ana, "1700000000001", map[string]any{"action": ops.ActionFollowUpDone, "value": "FU-1", "key": "fu/FU-1/assigned/ana/1"}))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	reqs := e.fc.requests()[n:]
	require.Len(t, reqs, 1)
	assert.Contains(t, card(t, reqs[0]), "not enabled on this bot")
	assert.Zero(t, e.svc.callCount())
}

func TestMalformedOpsSubmit(t *testing.T) {
	e := newEnv(t)
	for name, v := range map[string]map[string]any{
		"no item":            {"action": ops.ActionFollowUpDone},
		"item not a string":  {"action": ops.ActionFollowUpDone, "value": 7},
		"input not a string": {"action": ops.ActionReleaseReject, "value": "REL-1", "arg_release_reject_REL-1": []any{"x"}},
	} {
		t.Run(name, func(t *testing.T) {
			rec := e.deliver(e.submit(ana, "1700000000001", v))
			assert.Equal(t, http.StatusBadRequest, rec.Code)
		})
	}
}
