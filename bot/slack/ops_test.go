package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The MLOps flows end to end: the real engine wrapped with the real Ops
// on an in-memory store, the dispatcher delivering to the fake Slack
// through the adapter, and clicks, shortcuts and modal submissions sent
// as Socket Mode envelopes that slack-go parses.

const (
	uMax = "U0MAX0004" // admin: the second release approver
	uZed = "U0ZED0009" // in the workspace, not on the roster
)

type opsWorld struct {
	t      *testing.T
	ctx    context.Context
	clock  *cadence.ManualClock
	fake   *slacktest.Server
	store  *cadencetest.Store
	ops    *ops.Ops
	eng    *cadence.Engine
	a      *slack.Adapter
	d      *cadence.Dispatcher
	e      *env
	logs   *syncBuffer
	triage *cadence.Ritual
}

func newOpsWorld(t *testing.T, cfgs ...func(*slack.Config)) *opsWorld {
	return newOpsWorldWith(t, nil, cfgs...)
}

// newOpsWorldWith is newOpsWorld with more adapter options.
func newOpsWorldWith(t *testing.T, extra []slack.Option, cfgs ...func(*slack.Config)) *opsWorld {
	w := &opsWorld{t: t, clock: cadence.NewManualClock(t0), store: cadencetest.NewStore(), logs: &syncBuffer{}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	w.ctx = ctx
	w.fake = newFake(t, w.clock)
	w.fake.AddUser(slacktest.User{ID: uMax, Name: "max", Email: "max@example.com", TZ: "Europe/Zurich"})
	w.fake.AddUser(slacktest.User{ID: uZed, Name: "zed", Email: "zed@example.com", TZ: "UTC"})
	w.e = &env{t: t, fake: w.fake}

	zurich := mustZone(t, "Europe/Zurich")
	people := []*cadence.Person{
		{ID: "ana", Name: "Ana Pop", Role: cadence.RoleSpecialist, Location: mustZone(t, "Europe/Bucharest"), Handles: cadence.Handles{SlackID: uAna}},
		{ID: "bo", Name: "Bo Nowak", Role: cadence.RoleSpecialist, Location: zurich, Handles: cadence.Handles{Email: "bo@example.com"}},
		{ID: "lea", Name: "Lea Meier", Role: cadence.RoleLead, Location: zurich, Handles: cadence.Handles{SlackID: uLea}},
		{ID: "max", Name: "Max Roth", Role: cadence.RoleAdmin, Location: zurich, Handles: cadence.Handles{SlackID: uMax}},
	}
	ritual := func(id, title string, kind cadence.Kind, channel string) *cadence.Ritual {
		sched, err := cadence.ParseSchedule("0 9 * * MON", zurich)
		require.NoError(t, err)
		return &cadence.Ritual{ID: id, Title: title, Kind: kind, Channel: channel, Spec: "0 9 * * MON", Schedule: sched,
			Location: zurich, Participants: []string{"ana", "bo", "lea"}, Lead: "lea",
			Questions: cadence.DefaultQuestions(kind), Window: 4 * time.Hour}
	}
	w.triage = ritual("triage", "Incident triage", cadence.KindTriage, "#mlops")
	rituals := []*cadence.Ritual{w.triage, ritual("deploy", "Deployment planning", cadence.KindDeploymentPlanning, "#other")}
	roster := cadence.NewRoster(people)
	log := zerolog.New(w.logs).Level(zerolog.DebugLevel)
	engine, err := cadence.New(cadence.EngineConfig{Rituals: rituals, Roster: roster, Store: w.store, Clock: w.clock,
		Logger: log, DefaultPlatform: slack.Platform})
	require.NoError(t, err)
	w.eng = engine
	w.ops, err = ops.New(ops.Config{Roster: roster, Rituals: rituals, Store: w.store, Clock: w.clock,
		Logger: log, Platform: slack.Platform})
	require.NoError(t, err)

	cfg := slack.Config{BotToken: botToken, AppToken: appToken, APIURL: w.fake.URL, Mode: slack.ModeSocket}
	for _, f := range cfgs {
		f(&cfg)
	}
	w.a, err = slack.New(cfg, w.ops.Wrap(engine), w.store, w.clock, log, append([]slack.Option{
		slack.WithSleeper(func(ctx context.Context, d time.Duration) error { w.clock.Advance(d); return ctx.Err() }),
		slack.WithStartTimeout(5 * time.Second)}, extra...)...)
	require.NoError(t, err)
	runCtx, stop := context.WithCancel(context.Background())
	t.Cleanup(func() { stop(); w.a.Wait() })
	require.NoError(t, w.a.Start(runCtx))
	w.d = cadence.NewDispatcher(w.store, w.clock, map[string]cadence.Chat{slack.Platform: w.a}, log, nil)
	return w
}

// dispatch delivers what Ops queued.
func (w *opsWorld) dispatch() {
	w.t.Helper()
	_, err := w.d.RunOnce(w.ctx)
	require.NoError(w.t, err)
}

// send frames a payload as a Socket Mode envelope and returns its ack.
func (w *opsWorld) send(typ string, payload map[string]any) json.RawMessage {
	w.t.Helper()
	return orNull(w.e.ack(w.fake.Send(typ, payload)))
}

// message finds the only message of a channel whose blocks contain all of
// parts.
func (w *opsWorld) message(channel string, parts ...string) slacktest.Message {
	w.t.Helper()
	var found []slacktest.Message
	for _, m := range w.fake.Messages(channel) {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(string(m.Blocks), p)
		}
		if ok {
			found = append(found, m)
		}
	}
	require.Len(w.t, found, 1, "messages in %s with %v", channel, parts)
	return found[0]
}

// lastAudit returns the newest audit entry.
func (w *opsWorld) lastAudit() *cadence.AuditEntry {
	w.t.Helper()
	es, err := w.ops.AuditLog(w.ctx, "lea", time.Time{})
	require.NoError(w.t, err)
	require.NotEmpty(w.t, es)
	return es[len(es)-1]
}

func (w *opsWorld) ephemeralsTo(user string) []string {
	var out []string
	for _, e := range w.fake.Ephemerals() {
		if e.User == user {
			out = append(out, e.Text)
		}
	}
	return out
}

func date(t testing.TB, s string) cadence.Date {
	d, err := cadence.ParseDate(s)
	require.NoError(t, err)
	return d
}

// incidentWithFollowUp opens INC-1 (owner lea) with FU-1 for ana, due
// 2 Dec, and delivers the DMs.
func (w *opsWorld) incidentWithFollowUp() (*cadence.Incident, *cadence.FollowUp) {
	w.t.Helper()
	inc, err := w.ops.OpenIncident(w.ctx, "lea", ops.IncidentInput{Title: "Churn model drift", Severity: 2})
	require.NoError(w.t, err)
	f, err := w.ops.AddFollowUp(w.ctx, "lea", ops.FollowUpInput{Incident: inc.ID(), Owner: "ana", Due: date(w.t, "2026-12-02"), Title: "Tighten drift alert"})
	require.NoError(w.t, err)
	w.dispatch()
	return inc, f
}

// click is a block_actions payload: a button of message m (blocks as
// Slack sends them) or, with m nil, of the App Home.
func click(t testing.TB, user, actionID, value string, m *slacktest.Message, trigger string) map[string]any {
	set := map[string]any{
		"user":       map[string]any{"id": user, "username": "someone", "name": "someone", "team_id": slacktest.TeamID},
		"team.id":    slacktest.TeamID,
		"trigger_id": trigger,
		"actions": []any{map[string]any{"type": "button", "action_id": actionID, "block_id": "actions_0", "value": value,
			"text": map[string]any{"type": "plain_text", "text": actionID}, "action_ts": "1764491400.000100"}},
	}
	if m != nil {
		set["container"] = map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": false}
		set["channel"] = map[string]any{"id": m.Channel, "name": "somewhere"}
		set["message"] = map[string]any{"type": "message", "subtype": "bot_message", "ts": m.TS, "text": m.Text,
			"bot_id": slacktest.BotID, "user": slacktest.BotUser, "blocks": m.Blocks}
	} else {
		set["container"] = map[string]any{"type": "view", "view_id": "V0HOME"}
		set["channel"] = nil
		set["message"] = nil
		set["view"] = map[string]any{"id": "V0HOME", "type": "home"}
	}
	return sample(t, "BlockActionPayload.json", set)
}

// submission is a view_submission of an MLOps modal; values maps a block
// id to its element's state (the element's action_id is the block id).
func submission(t testing.TB, user, callback, metadata string, values map[string]map[string]any) map[string]any {
	state := map[string]any{}
	for block, v := range values {
		state[block] = map[string]any{block: v}
	}
	return sample(t, "ViewSubmissionPayload.json", map[string]any{
		"user":                  map[string]any{"id": user, "username": "someone", "name": "someone", "team_id": slacktest.TeamID},
		"view.type":             "modal",
		"view.callback_id":      callback,
		"view.private_metadata": metadata,
		"view.state":            map[string]any{"values": state},
	})
}

func text(s string) map[string]any { return map[string]any{"type": "plain_text_input", "value": s} }
func user(id string) map[string]any {
	return map[string]any{"type": "users_select", "selected_user": id}
}
func choice(v string) map[string]any {
	return map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}}}
}
func day(d string) map[string]any { return map[string]any{"type": "datepicker", "selected_date": d} }

// openedView returns the n-th modal opened (1-based) once it is open.
func (w *opsWorld) openedView(n int) modalJSON {
	w.t.Helper()
	eventually(w.t, "modal opened", func() bool { return len(w.fake.OpenedViews()) >= n })
	var v modalJSON
	require.NoError(w.t, json.Unmarshal(w.fake.OpenedViews()[n-1].JSON, &v))
	return v
}

type modalJSON struct {
	CallbackID      string `json:"callback_id"`
	PrivateMetadata string `json:"private_metadata"`
	Blocks          []struct {
		Type    string `json:"type"`
		BlockID string `json:"block_id"`
		Element struct {
			Type          string `json:"type"`
			InitialValue  string `json:"initial_value"`
			InitialUser   string `json:"initial_user"`
			InitialOption struct {
				Value string `json:"value"`
			} `json:"initial_option"`
		} `json:"element"`
		Elements []json.RawMessage `json:"elements"`
	} `json:"blocks"`
}

func (m modalJSON) block(id string) (string, string, string, string) {
	for _, b := range m.Blocks {
		if b.BlockID == id {
			return b.Element.Type, b.Element.InitialValue, b.Element.InitialUser, b.Element.InitialOption.Value
		}
	}
	return "", "", "", ""
}

func TestOpenIncidentFromMessageShortcut(t *testing.T) {
	w := newOpsWorld(t)
	ts := w.fake.PostAsUser(cMLOps, uBo, "", "Churn model AUC dropped to 0.61 <https://grafana.example.com/d/churn|dashboard>\nsince the 06:00 retrain")

	ack := w.send("interactive", map[string]any{
		"type": "message_action", "token": "x", "action_ts": "1764491500.000100", "callback_id": "open_incident",
		"trigger_id": w.fake.NewTrigger(uAna), "message_ts": ts, "response_url": "https://hooks.slack.com/app/T/1/x",
		"team":    map[string]any{"id": slacktest.TeamID, "domain": "cadence-test"},
		"user":    map[string]any{"id": uAna, "name": "ana", "team_id": slacktest.TeamID},
		"channel": map[string]any{"id": cMLOps, "name": "mlops"},
		"message": map[string]any{"type": "message", "user": uBo, "ts": ts, "text": "Churn model AUC dropped to 0.61 <https://grafana.example.com/d/churn|dashboard>\nsince the 06:00 retrain"},
	})
	assert.Equal(t, "null", string(ack), "a shortcut is acked empty; the modal opens after")

	modal := w.openedView(1)
	assert.Equal(t, "ops_incident", modal.CallbackID)
	typ, title, _, _ := modal.block("title")
	assert.Equal(t, "plain_text_input", typ)
	assert.Equal(t, "Churn model AUC dropped to 0.61 dashboard", title, "the title starts as the message's first line, markup removed")
	_, _, owner, _ := modal.block("owner")
	assert.Equal(t, uAna, owner, "whoever opens it owns it unless they pick someone")
	_, _, _, sev := modal.block("severity")
	assert.Equal(t, "3", sev)
	permalink := "https://cadence-test.slack.com/archives/" + cMLOps + "/p" + strings.ReplaceAll(ts, ".", "")
	assert.Contains(t, modal.PrivateMetadata, permalink)
	assert.Equal(t, 1, w.fake.Calls("chat.getPermalink"))

	// An empty title keeps the modal open with the domain's words.
	ack = w.send("interactive", submission(t, uAna, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{
		"title": text("  "), "severity": choice("2"), "owner": user(uBo)}))
	assert.JSONEq(t, `{"response_action":"errors","errors":{"title":"must not be empty"}}`, string(ack))
	incs, err := w.ops.Incidents(w.ctx, cadence.IncidentFilter{})
	require.NoError(t, err)
	assert.Empty(t, incs, "nothing is stored")
	assert.Equal(t, cadence.AuditRefused, w.lastAudit().Outcome, "the refusal is audited")

	ack = w.send("interactive", submission(t, uAna, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{
		"title": text("Churn AUC drop after retrain"), "severity": choice("2"), "owner": user(uBo)}))
	assert.Equal(t, "null", string(ack), "the modal closes")
	inc, _, err := w.ops.Incident(w.ctx, "INC-1")
	require.NoError(t, err, "the incident is stored before the ack")
	assert.Equal(t, "Churn AUC drop after retrain", inc.Title)
	assert.Equal(t, 2, inc.Severity)
	assert.Equal(t, "bo", inc.Owner, "the picked Slack user is mapped to the roster")
	assert.Equal(t, "ana", inc.OpenedBy)
	assert.Equal(t, permalink, inc.Link)
	e := w.lastAudit()
	assert.Equal(t, "incident.open", e.Action)
	assert.Equal(t, permalink, e.Details["link"])

	eventually(t, "the confirmation", func() bool { return len(w.ephemeralsTo(uAna)) == 1 })
	assert.Contains(t, w.ephemeralsTo(uAna)[0], "Opened *INC-1*")

	// The confirmation's "Add follow-up" button opens the follow-up form
	// for this incident.
	ephemeral := slacktest.Message{Channel: cMLOps, TS: "1764491500.000200"}
	w.send("interactive", click(t, uAna, "followup_add", "INC-1", &ephemeral, w.fake.NewTrigger(uAna)))
	fu := w.openedView(2)
	assert.Equal(t, "ops_followup", fu.CallbackID)
	_, _, _, preselected := fu.block("incident")
	assert.Equal(t, "INC-1", preselected)

	// The triage channel hears of it through the outbox.
	w.dispatch()
	assert.Contains(t, string(w.message(cMLOps, "INC-1 opened").Blocks), permalink)
}

func TestShortcutWithoutPermalinkStillOpensTheModal(t *testing.T) {
	w := newOpsWorld(t)
	// The message is gone (deleted between the click and our call).
	w.send("interactive", map[string]any{
		"type": "message_action", "callback_id": "open_incident", "trigger_id": w.fake.NewTrigger(uLea), "message_ts": "1764491400.000001",
		"team": map[string]any{"id": slacktest.TeamID}, "user": map[string]any{"id": uLea, "name": "lea"},
		"channel": map[string]any{"id": cMLOps, "name": "mlops"},
		"message": map[string]any{"type": "message", "user": uBo, "ts": "1764491400.000001", "text": "feature store lagging"},
	})
	modal := w.openedView(1)
	assert.NotContains(t, modal.PrivateMetadata, "https://")
	assert.Contains(t, w.logs.String(), "message_not_found")
}

func TestFollowUpDoneButton(t *testing.T) {
	w := newOpsWorld(t)
	_, f := w.incidentWithFollowUp()
	dm := w.fake.DM(uAna)
	m := w.message(dm, `"action_id":"followup_done"`, `"action_id":"followup_snooze"`, `"action_id":"followup_reassign"`)
	assert.Contains(t, string(m.Blocks), `"value":"FU-1"`)

	ack := w.send("interactive", click(t, uAna, "followup_done", f.ID(), &m, w.fake.NewTrigger(uAna)))
	assert.Equal(t, "null", string(ack))
	eventually(t, "the DM updated", func() bool { return w.message(dm, "FU-1").Updates == 1 })

	got, err := w.ops.FollowUp(w.ctx, "FU-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.FollowUpDone, got.Status)
	assert.Equal(t, "ana", got.ClosedBy)
	e := w.lastAudit()
	assert.Equal(t, "followup.done", e.Action)
	assert.Equal(t, "ana", e.Actor)
	assert.Equal(t, "FU-1", e.Target)
	assert.Equal(t, cadence.AuditDone, e.Outcome)

	updated := string(w.message(dm, "FU-1").Blocks)
	assert.NotContains(t, updated, "followup_done", "the buttons are gone")
	assert.Contains(t, updated, "FU-1 is done. Thank you!")
	assert.Contains(t, updated, "Tighten drift alert", "the rest of the message stays")

	// A stale second click (another copy of the message) is refused and
	// changes nothing.
	w.send("interactive", click(t, uAna, "followup_done", f.ID(), &m, w.fake.NewTrigger(uAna)))
	eventually(t, "the refusal", func() bool { return len(w.ephemeralsTo(uAna)) == 1 })
	assert.Contains(t, w.ephemeralsTo(uAna)[0], "FU-1 is already done (by Ana ", "who closed it, and when")
	assert.Equal(t, cadence.AuditRefused, w.lastAudit().Outcome)
}

func TestSnoozeAnswersPrivatelyAndKeepsTheButtons(t *testing.T) {
	w := newOpsWorld(t)
	_, f := w.incidentWithFollowUp()
	dm := w.fake.DM(uAna)
	m := w.message(dm, "followup_snooze")
	w.send("interactive", click(t, uAna, "followup_snooze", f.ID(), &m, w.fake.NewTrigger(uAna)))
	eventually(t, "the answer", func() bool { return len(w.ephemeralsTo(uAna)) == 1 })
	assert.Contains(t, w.ephemeralsTo(uAna)[0], "No reminders about FU-1 until")
	assert.Zero(t, w.message(dm, "FU-1").Updates)
	got, err := w.ops.FollowUp(w.ctx, "FU-1")
	require.NoError(t, err)
	assert.True(t, got.SnoozedUntil.After(w.clock.Now()))
}

func TestReassignModalChangesTheOwner(t *testing.T) {
	w := newOpsWorld(t)
	_, f := w.incidentWithFollowUp()
	dm := w.fake.DM(uAna)
	m := w.message(dm, "followup_reassign")

	w.send("interactive", click(t, uAna, "followup_reassign", f.ID(), &m, w.fake.NewTrigger(uAna)))
	modal := w.openedView(1)
	assert.Equal(t, "ops_arg", modal.CallbackID)
	typ, _, _, _ := modal.block("arg")
	assert.Equal(t, "users_select", typ)

	// Someone in the workspace but not on the roster: refused in the
	// modal, audited, nothing changed.
	ack := w.send("interactive", submission(t, uAna, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{"arg": user(uZed)}))
	assert.JSONEq(t, `{"response_action":"errors","errors":{"arg":"\"`+uZed+`\" is not on the roster"}}`, string(ack))
	got, err := w.ops.FollowUp(w.ctx, "FU-1")
	require.NoError(t, err)
	assert.Equal(t, "ana", got.Owner)
	assert.Equal(t, cadence.AuditRefused, w.lastAudit().Outcome)
	assert.Equal(t, "followup.reassign", w.lastAudit().Action)

	ack = w.send("interactive", submission(t, uAna, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{"arg": user(uBo)}))
	assert.Equal(t, "null", string(ack))
	got, err = w.ops.FollowUp(w.ctx, "FU-1")
	require.NoError(t, err)
	assert.Equal(t, "bo", got.Owner, "bo was picked by Slack user and found by email in the roster")
	e := w.lastAudit()
	assert.Equal(t, "followup.reassign", e.Action)
	assert.Equal(t, map[string]string{"owner": "bo", "from": "ana"}, e.Details)

	eventually(t, "ana's DM updated", func() bool { return w.message(dm, "FU-1").Updates == 1 })
	assert.Contains(t, string(w.message(dm, "FU-1").Blocks), "FU-1 now belongs to Bo Nowak")
	assert.NotContains(t, string(w.message(dm, "FU-1").Blocks), "followup_reassign")

	w.dispatch()
	assert.Contains(t, string(w.message(w.fake.DM(uBo), "FU-1").Blocks), "followup_done", "the new owner gets the buttons")
}

// propose has bo propose a low-risk retrain and delivers the asks.
func (w *opsWorld) propose(by string, risk cadence.Risk) *cadence.Release {
	w.t.Helper()
	r, err := w.ops.ProposeRelease(w.ctx, by, ops.ReleaseInput{Model: "churn", Version: "2.3.0", Change: cadence.ChangeRetrain,
		Risk: risk, Evidence: "https://mlflow.example.com/runs/42", RollbackPlan: "pin 2.2.1", DataContract: ops.ContractPassed})
	require.NoError(w.t, err)
	w.dispatch()
	return r
}

func TestApproveRefusedForNonApproverAndForOwnRelease(t *testing.T) {
	tests := []struct {
		name, proposer, clicker, want string
	}{
		{"a specialist clicks Approve", "bo", uAna, "only release approvers (Lea Meier, Max Roth) can approve or reject REL-1"},
		{"the proposer approves their own release", "lea", uLea, "you proposed REL-1, so another approver must decide on it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newOpsWorld(t)
			w.propose(tt.proposer, cadence.RiskLow)
			post := w.message(cOther, "Proposed: REL-1", "release_approve", "release_reject")

			w.send("interactive", click(t, tt.clicker, "release_approve", "REL-1", &post, w.fake.NewTrigger(tt.clicker)))
			eventually(t, "the refusal", func() bool { return len(w.ephemeralsTo(tt.clicker)) == 1 })
			assert.Contains(t, w.ephemeralsTo(tt.clicker)[0], "Not done: "+tt.want)

			r, err := w.ops.Release(w.ctx, "REL-1")
			require.NoError(t, err)
			assert.Equal(t, cadence.ReleaseProposed, r.Status)
			assert.Empty(t, r.Approvals)
			assert.Zero(t, w.message(cOther, "Proposed: REL-1").Updates, "the post keeps its buttons")
			e := w.lastAudit()
			assert.Equal(t, "release.approve", e.Action)
			assert.Equal(t, cadence.AuditRefused, e.Outcome)
			assert.Equal(t, tt.want, e.Reason)
		})
	}
}

func TestApproverApprovesHighRiskInTwoSteps(t *testing.T) {
	w := newOpsWorld(t)
	w.propose("bo", cadence.RiskHigh)
	post := w.message(cOther, "Proposed: REL-1")

	// Lea approves from the channel: one of two, the post keeps its
	// buttons for the next approver.
	w.send("interactive", click(t, uLea, "release_approve", "REL-1", &post, w.fake.NewTrigger(uLea)))
	eventually(t, "lea's answer", func() bool { return len(w.ephemeralsTo(uLea)) == 1 })
	assert.Contains(t, w.ephemeralsTo(uLea)[0], "Your approval of REL-1 is recorded (1 of 2)")
	assert.Zero(t, w.message(cOther, "Proposed: REL-1").Updates)

	// Lea's own request has nothing left for her to click; the post
	// keeps its buttons for the next approver and says who approved.
	w.dispatch()
	leaAsk := w.message(w.fake.DM(uLea), "Proposed: REL-1")
	assert.NotContains(t, string(leaAsk.Blocks), "release_approve")
	assert.Contains(t, string(leaAsk.Blocks), "You approved REL-1")
	assert.Contains(t, string(w.message(cOther, "Proposed: REL-1").Blocks), "Approved so far by Lea Meier (1 of 2).")
	w.message(cOther, "Proposed: REL-1", "release_approve")

	// Max approves from his DM: the release is approved, and every copy
	// of the request (his DM, Lea's, the channel post) shows the decision
	// instead of buttons.
	ask := w.message(w.fake.DM(uMax), "Proposed: REL-1")
	w.send("interactive", click(t, uMax, "release_approve", "REL-1", &ask, w.fake.NewTrigger(uMax)))
	eventually(t, "max's answer", func() bool { return len(w.ephemeralsTo(uMax)) == 1 })
	assert.Contains(t, w.ephemeralsTo(uMax)[0], "REL-1 is approved; the plan is posted.")
	r, err := w.ops.Release(w.ctx, "REL-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.ReleaseApproved, r.Status)
	w.dispatch()
	for _, ch := range []string{w.fake.DM(uMax), w.fake.DM(uLea), cOther} {
		m := w.message(ch, "Approved: REL-1", "REL-1 was approved by Lea Meier and Max Roth")
		assert.NotContains(t, string(m.Blocks), "release_approve", ch)
		assert.NotContains(t, string(m.Blocks), "needs", ch)
	}
}

// A month later someone clicks Approve on a copy that still shows buttons
// (posted before requests were redrawn): told what was decided, by whom
// and when, and the buttons go from that copy.
func TestLateClickOnDecidedReleaseSaysWhoDecided(t *testing.T) {
	w := newOpsWorld(t)
	w.propose("bo", cadence.RiskLow)
	stale := w.message(w.fake.DM(uMax), "Proposed: REL-1", "release_approve")
	_, err := w.ops.RejectRelease(w.ctx, "lea", "REL-1", "no canary plan")
	require.NoError(t, err)
	w.clock.Set(w.clock.Now().Add(30 * 24 * time.Hour))

	w.send("interactive", click(t, uMax, "release_approve", "REL-1", &stale, w.fake.NewTrigger(uMax)))
	eventually(t, "the clicked copy redrawn", func() bool {
		return strings.Contains(string(w.fake.Messages(w.fake.DM(uMax))[0].Blocks), "Nothing changed: REL-1 was rejected by Lea Meier on")
	})
	m := w.fake.Messages(w.fake.DM(uMax))[0]
	assert.Contains(t, string(m.Blocks), "no canary plan")
	assert.NotContains(t, string(m.Blocks), "release_approve")
	assert.NotContains(t, string(m.Blocks), "Not done")
	r, err := w.ops.Release(w.ctx, "REL-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.ReleaseRejected, r.Status)
	assert.Empty(t, r.Approvals)
}

func TestRejectNeedsAReasonInTheModal(t *testing.T) {
	w := newOpsWorld(t)
	w.propose("bo", cadence.RiskLow)
	post := w.message(cOther, "Proposed: REL-1")

	w.send("interactive", click(t, uLea, "release_reject", "REL-1", &post, w.fake.NewTrigger(uLea)))
	modal := w.openedView(1)
	typ, _, _, _ := modal.block("arg")
	assert.Equal(t, "plain_text_input", typ)

	ack := w.send("interactive", submission(t, uLea, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{"arg": text(" ")}))
	assert.Contains(t, string(ack), "a reason is required")
	ack = w.send("interactive", submission(t, uLea, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{"arg": text("no canary plan")}))
	assert.Equal(t, "null", string(ack))
	r, err := w.ops.Release(w.ctx, "REL-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.ReleaseRejected, r.Status)
	assert.Equal(t, "no canary plan", r.RejectReason)
	eventually(t, "lea's answer", func() bool { return len(w.ephemeralsTo(uLea)) == 1 })
	assert.Contains(t, w.ephemeralsTo(uLea)[0], "REL-1 is rejected.")
	w.dispatch()
	post = w.message(cOther, "Rejected: REL-1")
	assert.Contains(t, string(post.Blocks), "REL-1 was rejected by Lea Meier on")
	assert.NotContains(t, string(post.Blocks), "release_reject")
}

// The App Home shows days out of office, as /cadence status does.
func TestAppHomeShowsOutOfOffice(t *testing.T) {
	w := newOpsWorld(t)
	require.NoError(t, w.eng.SetOutOfOffice(w.ctx, "ana", cadence.DateRange{From: date(t, "2026-12-21"), To: date(t, "2027-01-02"), Note: "winter break"}))
	w.fake.Send("events_api", homeOpened(t, "Ev0HOMEOOO", uAna))
	eventually(t, "the home", func() bool { _, ok := w.fake.HomeView(uAna); return ok })
	home, _ := w.fake.HomeView(uAna)
	assert.Contains(t, string(home.JSON), "Out of office Mon 21 Dec 2026 to Sat 2 Jan 2027 (winter break)")
}

func TestAppHomeListsOpenFollowUpsWithOverdueFlag(t *testing.T) {
	w := newOpsWorld(t)
	inc, _ := w.incidentWithFollowUp()
	_, err := w.ops.AddFollowUp(w.ctx, "lea", ops.FollowUpInput{Incident: inc.ID(), Owner: "ana", Due: date(t, "2026-12-10"), Title: "Backfill labels"})
	require.NoError(t, err)
	// Thursday 3 Dec: FU-1 (due Wed 2 Dec) is overdue, FU-2 is not.
	w.clock.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))

	w.fake.Send("events_api", homeOpened(t, "Ev0HOME1", uAna))
	eventually(t, "the home", func() bool { _, ok := w.fake.HomeView(uAna); return ok })
	home, _ := w.fake.HomeView(uAna)
	hs := string(home.JSON)
	assert.Contains(t, hs, "Your open follow-ups")
	assert.Regexp(t, `\*FU-1\* Tighten drift alert\\n:warning: \*overdue\* since Wed 2 Dec · INC-1 Churn model drift`, hs)
	assert.Regexp(t, `\*FU-2\* Backfill labels\\ndue Thu 10 Dec · INC-1`, hs)
	assert.Less(t, strings.Index(hs, "FU-1"), strings.Index(hs, "FU-2"), "earliest due first")

	// Done from the home: the list is published again without FU-1, and
	// the result shows in a small modal (the home has no channel).
	w.send("interactive", click(t, uAna, "followup_done", "FU-1", nil, w.fake.NewTrigger(uAna)))
	eventually(t, "the home again", func() bool {
		h, _ := w.fake.HomeView(uAna)
		return !strings.Contains(string(h.JSON), "Tighten drift alert")
	})
	modal := w.openedView(1)
	assert.Empty(t, modal.CallbackID)
	assert.Contains(t, string(w.fake.OpenedViews()[0].JSON), "FU-1 is done")

	// Reassign from the home: the modal asks, then shows the result in
	// place of the form.
	w.send("interactive", click(t, uAna, "followup_reassign", "FU-2", nil, w.fake.NewTrigger(uAna)))
	modal = w.openedView(2)
	assert.Equal(t, "ops_arg", modal.CallbackID)
	ack := w.send("interactive", submission(t, uAna, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{"arg": user(uLea)}))
	var resp struct {
		Action string `json:"response_action"`
		View   struct {
			Blocks []struct {
				Text struct{ Text string } `json:"text"`
			} `json:"blocks"`
		} `json:"view"`
	}
	require.NoError(t, json.Unmarshal(ack, &resp))
	assert.Equal(t, "update", resp.Action)
	require.Len(t, resp.View.Blocks, 1)
	assert.Equal(t, ":white_check_mark: FU-2 now belongs to Lea Meier.", resp.View.Blocks[0].Text.Text)
	eventually(t, "the home without FU-2", func() bool {
		h, _ := w.fake.HomeView(uAna)
		return strings.Contains(string(h.JSON), "None: nothing is waiting on you.")
	})

	// Bo owns nothing.
	w.fake.Send("events_api", homeOpened(t, "Ev0HOME2", uBo))
	eventually(t, "bo's home", func() bool { _, ok := w.fake.HomeView(uBo); return ok })
	h, _ := w.fake.HomeView(uBo)
	assert.Contains(t, string(h.JSON), "None: nothing is waiting on you.")
}

func TestFollowUpModalFromSlashCommand(t *testing.T) {
	w := newOpsWorld(t)
	inc, err := w.ops.OpenIncident(w.ctx, "lea", ops.IncidentInput{Title: "Feature store lag"})
	require.NoError(t, err)

	cmd := slashCommand(t, uLea, "followup add "+inc.ID())
	cmd["trigger_id"] = w.fake.NewTrigger(uLea)
	assert.Equal(t, "null", string(w.send("slash_commands", cmd)), "the modal opens; no message")
	modal := w.openedView(1)
	assert.Equal(t, "ops_followup", modal.CallbackID)
	_, _, _, preselected := modal.block("incident")
	assert.Equal(t, "INC-1", preselected)

	tests := []struct {
		name   string
		values map[string]map[string]any
		want   string
	}{
		{"due in the past", map[string]map[string]any{"incident": choice("INC-1"), "title": text("Add lag alert"), "owner": user(uBo), "due": day("2026-11-29")},
			`{"response_action":"errors","errors":{"due":"2026-11-29 is in the past (today is 2026-11-30 for bo in Europe/Zurich)"}}`},
		{"owner not on the roster", map[string]map[string]any{"incident": choice("INC-1"), "title": text("Add lag alert"), "owner": user(uZed), "due": day("2026-12-04")},
			`{"response_action":"errors","errors":{"owner":"\"` + uZed + `\" is not on the roster"}}`},
		{"unknown incident", map[string]map[string]any{"incident": choice("INC-9"), "title": text("Add lag alert"), "owner": user(uBo), "due": day("2026-12-04")},
			`{"response_action":"errors","errors":{"incident":"there is no incident INC-9"}}`},
	}
	for _, tt := range tests {
		ack := w.send("interactive", submission(t, uLea, modal.CallbackID, modal.PrivateMetadata, tt.values))
		assert.JSONEq(t, tt.want, string(ack), tt.name)
		assert.Equal(t, cadence.AuditRefused, w.lastAudit().Outcome, tt.name)
	}
	fus, err := w.ops.FollowUps(w.ctx, cadence.FollowUpFilter{})
	require.NoError(t, err)
	assert.Empty(t, fus)

	ack := w.send("interactive", submission(t, uLea, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{
		"incident": choice("INC-1"), "title": text("Add lag alert"), "owner": user(uBo), "due": day("2026-12-04")}))
	assert.Equal(t, "null", string(ack))
	f, err := w.ops.FollowUp(w.ctx, "FU-1")
	require.NoError(t, err)
	assert.Equal(t, "bo", f.Owner)
	assert.Equal(t, "2026-12-04", f.Due.String())
	eventually(t, "the confirmation", func() bool { return len(w.ephemeralsTo(uLea)) == 1 })
	assert.Contains(t, w.ephemeralsTo(uLea)[0], "Added *FU-1* to INC-1")
}

func TestFollowUpCommandWithoutOpenIncidentsExplains(t *testing.T) {
	w := newOpsWorld(t)
	cmd := slashCommand(t, uLea, "followup add")
	cmd["trigger_id"] = w.fake.NewTrigger(uLea)
	ack := w.send("slash_commands", cmd)
	assert.Contains(t, string(ack), "There is no open incident")
	assert.Empty(t, w.fake.OpenedViews())
}

func TestReleaseModalFromSlashCommand(t *testing.T) {
	w := newOpsWorld(t)
	cmd := slashCommand(t, uBo, "release propose")
	cmd["trigger_id"] = w.fake.NewTrigger(uBo)
	assert.Equal(t, "null", string(w.send("slash_commands", cmd)))
	modal := w.openedView(1)
	assert.Equal(t, "ops_release", modal.CallbackID)
	typ, _, _, initial := modal.block("contract")
	assert.Equal(t, "radio_buttons", typ)
	assert.Empty(t, initial, "a compliance check has no default")

	// Everything wrong at once: each problem next to its input.
	ack := w.send("interactive", submission(t, uBo, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{
		"model": text(""), "version": text("2.3.0"), "change": choice("retrain"), "risk": choice("medium"),
		"evidence": text("mlflow run 42"), "contract": map[string]any{"type": "radio_buttons", "selected_option": map[string]any{"value": "no"}},
		"planned": day("2026-11-01")}))
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(ack, &resp))
	assert.Equal(t, "errors", resp.Action)
	assert.Equal(t, map[string]string{
		"model":         "which model or pipeline?",
		"evidence":      `"mlflow run 42" is not an http(s) link`,
		"rollback":      "how do we roll this back?",
		"contract_note": "the data-contract check did not pass: say why, or what was checked",
		"planned":       "2026-11-01 is in the past (today is 2026-11-30)",
	}, resp.Errors)

	// No choice made (a client that skips Slack's own check): the error
	// sits on the choice, and empty selects say what to pick.
	ack = w.send("interactive", submission(t, uBo, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{
		"model": text("churn"), "version": text("2.3.0"), "rollback": text("pin 2.2.1")}))
	resp.Errors = nil
	require.NoError(t, json.Unmarshal(ack, &resp))
	assert.Equal(t, map[string]string{
		"change":   "pick a change type (retrain, new-model, rollback, feature-flag, data-change)",
		"risk":     "pick a risk level (low, medium, high)",
		"contract": "say whether the data-contract check passed",
	}, resp.Errors)
	rels, err := w.ops.Releases(w.ctx, cadence.ReleaseFilter{})
	require.NoError(t, err)
	assert.Empty(t, rels)

	ack = w.send("interactive", submission(t, uBo, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{
		"model": text("churn"), "version": text("2.3.0"), "change": choice("retrain"), "risk": choice("medium"),
		"evidence": text("https://mlflow.example.com/runs/42"), "rollback": text("pin 2.2.1"),
		"contract": map[string]any{"type": "radio_buttons", "selected_option": map[string]any{"value": "yes"}},
		"planned":  day("2026-12-03")}))
	assert.Equal(t, "null", string(ack))
	r, err := w.ops.Release(w.ctx, "REL-1")
	require.NoError(t, err)
	assert.Equal(t, "bo", r.ProposedBy)
	assert.True(t, r.DataContractOK)
	assert.Equal(t, "2026-12-03", r.Planned.String())
	w.dispatch()
	w.message(w.fake.DM(uLea), "Proposed: REL-1", "release_approve")
}

func TestOpsButtonsWithoutOpsService(t *testing.T) {
	e := newEnv(t) // a bare service: no incidents, follow-ups or releases
	e.start()
	ref, err := e.a.Send(e.ctx(), prompt("occ/standup/prompt/bo", "bo", occOpen), cadence.Ref{})
	require.NoError(t, err)
	m := slacktest.Message{Channel: ref.Channel, TS: ref.ID}
	e.ack(e.fake.Send("interactive", click(t, uBo, "followup_done", "FU-1", &m, e.fake.NewTrigger(uBo))))
	eventually(t, "the answer", func() bool { return len(e.fake.Ephemerals()) == 1 })
	assert.Equal(t, "Incidents, follow-ups and releases are not enabled on this bot.", e.fake.Ephemerals()[0].Text)
}

func TestOpsFormsInHTTPMode(t *testing.T) {
	w := newOpsWorld(t, func(c *slack.Config) { c.AppToken, c.Mode, c.SigningSecret = "", slack.ModeHTTP, secret })
	mux := http.NewServeMux()
	mux.Handle("/slack/", w.a.HTTPHandler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base := srv.URL + "/slack/"

	// A command that opens a modal answers 200 with an empty body: Slack
	// then shows nothing in the channel.
	cmd := url.Values{"command": {"/cadence"}, "text": {"release propose"}, "user_id": {uBo}, "team_id": {slacktest.TeamID},
		"channel_id": {cOther}, "trigger_id": {w.fake.NewTrigger(uBo)}}
	status, body := do(t, base, signedReq{path: "commands", body: cmd.Encode(), contentType: "application/x-www-form-urlencoded", at: w.clock.Now()})
	assert.Equal(t, http.StatusOK, status)
	assert.Empty(t, body)
	assert.Equal(t, "ops_release", w.openedView(1).CallbackID)

	// The message shortcut arrives on the interactivity endpoint.
	ts := w.fake.PostAsUser(cMLOps, uBo, "", "ranker latency p99 4s")
	status, _ = do(t, base, signedReq{path: "interactivity", contentType: "application/x-www-form-urlencoded", at: w.clock.Now(),
		body: form(t, map[string]any{"type": "message_action", "callback_id": "open_incident", "trigger_id": w.fake.NewTrigger(uLea),
			"message_ts": ts, "team": map[string]any{"id": slacktest.TeamID}, "user": map[string]any{"id": uLea, "name": "lea"},
			"channel": map[string]any{"id": cMLOps, "name": "mlops"},
			"message": map[string]any{"type": "message", "user": uBo, "ts": ts, "text": "ranker latency p99 4s"}})})
	assert.Equal(t, http.StatusOK, status)
	modal := w.openedView(2)
	assert.Equal(t, "ops_incident", modal.CallbackID)

	// Its submission is answered in the response body.
	status, body = do(t, base, signedReq{path: "interactivity", contentType: "application/x-www-form-urlencoded", at: w.clock.Now(),
		body: form(t, submission(t, uLea, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{
			"title": text("Ranker latency"), "severity": choice("9"), "owner": user(uLea)}))})
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"response_action":"errors","errors":{"severity":"9 is not between 1 (worst) and 4"}}`, body)
}
