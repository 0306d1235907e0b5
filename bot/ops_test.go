package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

func TestParseOpsCommands(t *testing.T) {
	tests := []struct {
		text string
		want bot.OpsArgs
	}{
		{"incident new Churn model drift --sev 2", bot.OpsArgs{Sub: "new", Title: "Churn model drift", Severity: 2}},
		{"/cadence incident new \"Feature store lag\" --owner @bo", bot.OpsArgs{Sub: "new", Title: "Feature store lag", Owner: "@bo"}},
		{"incident list", bot.OpsArgs{Sub: "list"}},
		{"INCIDENT LIST ALL", bot.OpsArgs{Sub: "list", Scope: "all"}},
		{"incident show INC-3", bot.OpsArgs{Sub: "show", ID: "INC-3"}},
		{"incident close INC-3 backfilled; alert added", bot.OpsArgs{Sub: "close", ID: "INC-3", Text: "backfilled; alert added"}},
		{"followup add INC-3 @ana 2026-12-03 Tighten drift alert", bot.OpsArgs{Sub: "add", ID: "INC-3", Owner: "@ana", Due: cadence.Date{Year: 2026, Month: 12, Day: 3}, Title: "Tighten drift alert"}},
		{"followup add INC-3 @ana 2026-12-03 Tighten --issue <https://acme.atlassian.net/browse/ML-4|ML-4> drift alert", bot.OpsArgs{Sub: "add", ID: "INC-3", Owner: "@ana", Due: cadence.Date{Year: 2026, Month: 12, Day: 3}, Title: "Tighten drift alert", Issue: "https://acme.atlassian.net/browse/ML-4"}},
		{"incident new Drift --issue https://github.com/acme/churn/issues/42 --sev 2", bot.OpsArgs{Sub: "new", Title: "Drift", Severity: 2, Issue: "https://github.com/acme/churn/issues/42"}},
		{"followup done FU-7", bot.OpsArgs{Sub: "done", ID: "FU-7"}},
		{"followup drop FU-7 duplicate of FU-5", bot.OpsArgs{Sub: "drop", ID: "FU-7", Text: "duplicate of FU-5"}},
		{"followup reassign FU-7 <@U0BO|bo>", bot.OpsArgs{Sub: "reassign", ID: "FU-7", Owner: "<@U0BO|bo>"}},
		{"followup snooze FU-7", bot.OpsArgs{Sub: "snooze", ID: "FU-7"}},
		{"followup list mine", bot.OpsArgs{Sub: "list", Scope: "mine"}},
		{`release propose churn 2.3.0 retrain HIGH evidence=https://mlflow.example.com/runs/42 rollback="pin 2.2.1 in the registry" contract=no note=“column pending” planned=2026-12-08`,
			bot.OpsArgs{Sub: "propose", Release: ops.ReleaseInput{Model: "churn", Version: "2.3.0", Change: cadence.ChangeRetrain, Risk: cadence.RiskHigh,
				Evidence: "https://mlflow.example.com/runs/42", RollbackPlan: "pin 2.2.1 in the registry", DataContract: ops.ContractNotPassed, DataContractNote: "column pending",
				Planned: cadence.Date{Year: 2026, Month: 12, Day: 8}}}},
		{"release propose ranker 5 feature-flag low contract=yes", bot.OpsArgs{Sub: "propose", Release: ops.ReleaseInput{
			Model: "ranker", Version: "5", Change: cadence.ChangeFeatureFlag, Risk: cadence.RiskLow, DataContract: ops.ContractPassed}}},
		{"release approve REL-2", bot.OpsArgs{Sub: "approve", ID: "REL-2"}},
		{"release reject REL-2 no canary plan", bot.OpsArgs{Sub: "reject", ID: "REL-2", Text: "no canary plan"}},
		{"release outcome REL-2 rolled-back", bot.OpsArgs{Sub: "outcome", ID: "REL-2", Outcome: cadence.ReleaseRolledBack}},
		{"release outcome REL-2 SHIPPED", bot.OpsArgs{Sub: "outcome", ID: "REL-2", Outcome: cadence.ReleaseShipped}},
		{"audit", bot.OpsArgs{}},
		{"audit --verify --since 2026-11-01", bot.OpsArgs{Verify: true, Since: cadence.Date{Year: 2026, Month: 11, Day: 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			cmd, err := bot.ParseCommand(tc.text)
			require.NoError(t, err)
			require.NotNil(t, cmd.Ops)
			assert.Equal(t, tc.want, *cmd.Ops)
		})
	}
}

func TestParseOpsUsageErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"incident", "incident: want one of new, list, show, close"},
		{"incident open x", `incident: "open" is not one of new, list, show, close`},
		{"incident new", `incident: want a title, e.g. "incident new Churn model drift"`},
		{"incident new x --sev 9", `incident: --sev wants a number from 1 (worst) to 4, got "9"`},
		{"incident close INC-3", "incident: close wants an incident ID and a summary"},
		{"followup add INC-3 @ana 3.12.2026 x", `followup: the due date must be YYYY-MM-DD, got "3.12.2026"`},
		{"followup add INC-3 @ana", `followup: add wants INC-N @owner YYYY-MM-DD TITLE, got "INC-3 @ana"`},
		{"followup drop FU-7", "followup: drop wants a follow-up ID and a reason"},
		{"followup list everyone", `followup: list takes "mine" or "all", got "everyone"`},
		{"release propose churn 2.3.0 retrain", `release: propose wants MODEL VERSION CHANGE RISK before the options, got "churn 2.3.0 retrain"`},
		{`release propose churn 2 retrain low rollback="pin 2.2.1`, "release: a quote is not closed"},
		{"release propose churn 2 retrain low owner=me", `release: unknown option "owner"`},
		{"release propose churn 2 retrain low contract=maybe", `release: contract is yes or no, got "maybe"`},
		{"release propose churn 2 retrain low", `release: say whether the data-contract check passed: contract=yes or contract=no`},
		{"release outcome REL-2 great", `release: the outcome is shipped or rolled-back, got "great"`},
		{"audit --since yesterday", `audit: --since wants a date YYYY-MM-DD, got "yesterday"`},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			_, err := bot.ParseCommand(tc.text)
			require.ErrorIs(t, err, cadence.ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.want)
			reply := bot.ErrorReply(err)
			assert.True(t, reply.Failed)
			assert.Contains(t, reply.Lines[len(reply.Lines)-1], "Usage: ", "the verb's usage line follows")
		})
	}
}

func TestHelpListsOpsVerbs(t *testing.T) {
	help := bot.HelpReply("").String()
	for _, v := range []string{"incident new TITLE", "followup add INC-N @owner", "release propose MODEL", "audit [--verify]"} {
		assert.Contains(t, help, v)
	}
	assert.LessOrEqual(t, len(bot.Usages), 10, "platform command menus list the core verbs only (Teams allows ten)")
}

// opsBot runs commands through bot.Run on the real engine and Ops over an
// in-memory store, as every adapter does.
type opsBot struct {
	t     *testing.T
	ctx   context.Context
	clock *cadence.ManualClock
	svc   cadence.Service
	ops   *ops.Ops
	rost  *cadence.Roster
}

func newOpsBot(t *testing.T) *opsBot {
	roster := cadence.NewRoster([]*cadence.Person{
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: zurich, Handles: cadence.Handles{SlackID: "U0LEA"}},
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: mustLoad("Europe/Bucharest"), Handles: cadence.Handles{SlackID: "U0ANA"}},
		{ID: "bo", Name: "Bo", Role: cadence.RoleSpecialist, Location: mustLoad("Europe/Warsaw"), Handles: cadence.Handles{SlackID: "U0BO"}},
		{ID: "kim", Name: "Kim", Role: cadence.RoleSpecialist, Location: zurich, Capabilities: []string{"release"}},
	})
	clock := cadence.NewManualClock(now)
	store := cadencetest.NewStore()
	sched, err := cadence.ParseSchedule("0 14 * * 2", zurich)
	require.NoError(t, err)
	rituals := []*cadence.Ritual{{ID: "deploy", Title: "Deployment planning", Kind: cadence.KindDeploymentPlanning, Channel: "deploy",
		Schedule: sched, Participants: []string{"lea", "ana"}, Questions: cadence.DefaultQuestions(cadence.KindDeploymentPlanning), Window: 4 * time.Hour}}
	eng, err := cadence.New(cadence.EngineConfig{Rituals: rituals, Roster: roster, Store: store, Clock: clock, Logger: zerolog.Nop()})
	require.NoError(t, err)
	o, err := ops.New(ops.Config{Rituals: rituals, Roster: roster, Store: store, Clock: clock, Logger: zerolog.Nop()})
	require.NoError(t, err)
	return &opsBot{t: t, ctx: context.Background(), clock: clock, svc: o.Wrap(eng), ops: o, rost: roster}
}

func (b *opsBot) run(who, text string) bot.Reply {
	b.t.Helper()
	r, err := bot.Run(b.ctx, b.svc, b.rost.Person(who), text, b.clock.Now())
	require.NoError(b.t, err, "no fault of the bot")
	return r
}

func (b *opsBot) ok(who, text string) bot.Reply {
	b.t.Helper()
	r := b.run(who, text)
	require.False(b.t, r.Failed, "%s: %s", text, r.String())
	return r
}

func TestOpsCommandsEndToEnd(t *testing.T) {
	b := newOpsBot(t)
	r := b.ok("ana", "incident new Churn model drift --sev 2 --owner <@U0BO|bo>")
	assert.Equal(t, "Opened INC-1", r.Title)
	assert.Equal(t, "Churn model drift · severity 2 · owner Bo", r.Lines[0])

	r = b.ok("bo", "followup add inc-1 @Ana 2026-12-03 Tighten drift alert")
	assert.Equal(t, "Added FU-1 to INC-1", r.Title)
	assert.Equal(t, "Tighten drift alert · owner Ana · due 2026-12-03", r.Lines[0])
	b.ok("bo", "followup add INC-1 <@U0BO> 2026-12-01 Backfill features")

	r = b.ok("ana", "followup list mine")
	assert.Equal(t, "Your open follow-ups (1)", r.Title)
	assert.Equal(t, []string{"FU-1 Tighten drift alert · Ana · due 2026-12-03 · open · INC-1"}, r.Lines)

	b.clock.Set(now.AddDate(0, 0, 3)) // Thu 3 Dec: FU-2 is overdue
	r = b.ok("lea", "incident show INC-1")
	assert.Equal(t, "INC-1 · Churn model drift", r.Title)
	assert.Equal(t, []string{
		"FU-1 Tighten drift alert · Ana · due 2026-12-03 · open",
		"FU-2 Backfill features · Bo · due 2026-12-01 · open · OVERDUE",
	}, r.Sections[0].Lines)

	assert.Equal(t, "FU-1 is done", b.ok("ana", "followup done FU-1").Title)
	assert.Equal(t, "Dropped FU-2", b.ok("bo", "followup drop FU-2 \"superseded by INC-2\"").Title)
	assert.Equal(t, "Closed INC-1", b.ok("bo", "incident close INC-1 schema change upstream; backfilled").Title)
	assert.Equal(t, "All incidents (1)", b.ok("ana", "incident list all").Title)

	r = b.ok("ana", `release propose churn 2.3.0 retrain high evidence=https://mlflow.example.com/runs/42 rollback="pin 2.2.1" contract=yes`)
	assert.Equal(t, "Proposed REL-1 churn 2.3.0", r.Title)
	assert.Equal(t, "It needs 2 approval(s), from: Lea, Kim.", r.Lines[0])
	r = b.ok("kim", "release approve REL-1")
	assert.Equal(t, "Approval recorded: REL-1 churn 2.3.0", r.Title)
	assert.Equal(t, "Approved REL-1 churn 2.3.0", b.ok("lea", "release approve REL-1").Title)
	assert.Equal(t, "REL-1 churn 2.3.0 shipped", b.ok("ana", "release outcome REL-1 shipped").Title)
	assert.Contains(t, b.ok("lea", "release show REL-1").Sections[0].Lines, "Approved by Kim Thu 3 Dec 09:00 CET")

	r = b.ok("lea", "audit --verify")
	assert.Equal(t, "The audit log verifies", r.Title)
	assert.Equal(t, "10 entries, hash chain intact.", r.Lines[0])
	r = b.ok("lea", "audit")
	assert.Equal(t, "Audit log (10 entries)", r.Title)
	assert.Equal(t, "#1 Mon 30 Nov 09:00 CET · Ana · incident.open INC-1 · owner=bo severity=2 title=Churn model drift", r.Lines[0])
}

// The bad inputs of the issue, typed in chat: a clear refusal, nothing
// changed, the refusal in the audit log.
func TestOpsCommandRefusals(t *testing.T) {
	tests := []struct {
		who, text, want string
		reason          string // in the audit log; "" means want without its prefix
	}{
		{"ana", "followup add INC-9 @bo 2026-12-03 x", "Followup: there is no incident INC-9", ""},
		{"ana", "followup add INC-1 @bo 2026-11-29 x", "Due: 2026-11-29 is in the past (today is 2026-11-30 for bo in Europe/Warsaw)",
			"due: 2026-11-29 is in the past (today is 2026-11-30 for bo in Europe/Warsaw)"},
		{"ana", "followup add INC-1 @zed 2026-12-03 x", `Owner: "zed" is not on the roster`, `owner: "zed" is not on the roster`},
		{"ana", "release propose churn 2 hotfix low rollback=x contract=yes", `Change: "hotfix" is not a change type; pick one of retrain, new-model, rollback, feature-flag, data-change`,
			`invalid input: change: "hotfix" is not a change type; pick one of retrain, new-model, rollback, feature-flag, data-change`},
		{"kim", "release approve REL-2", "Release: you proposed REL-2, so another approver must decide on it", ""},
		{"bo", "release approve REL-1", "Release: only release approvers (Lea, Kim) can approve or reject REL-1", ""},
		{"bo", "audit", "Audit: only leads, managers and admins can read the audit log; Bo is a specialist", ""},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			b := newOpsBot(t)
			b.ok("ana", "incident new Churn model drift")
			b.ok("ana", `release propose churn 2.3.0 retrain low evidence=https://mlflow.example.com/runs/42 rollback="pin 2.2.1" contract=yes`)
			b.ok("kim", `release propose ranker 5.0 feature-flag low rollback="flag off" contract=yes`)

			r := b.run(tc.who, tc.text)
			assert.True(t, r.Failed)
			assert.Equal(t, "Sorry", r.Title)
			assert.Equal(t, tc.want, r.Lines[0])

			fus, err := b.ops.FollowUps(b.ctx, cadence.FollowUpFilter{})
			require.NoError(t, err)
			assert.Empty(t, fus, "nothing changed")
			for _, id := range []string{"REL-1", "REL-2"} {
				rel, err := b.ops.Release(b.ctx, id)
				require.NoError(t, err)
				assert.Equal(t, cadence.ReleaseProposed, rel.Status)
				assert.Empty(t, rel.Approvals)
			}

			es, err := b.ops.AuditLog(b.ctx, "lea", time.Time{})
			require.NoError(t, err)
			last := es[len(es)-1]
			assert.Equal(t, cadence.AuditRefused, last.Outcome)
			assert.Equal(t, tc.who, last.Actor)
			reason := tc.reason
			if reason == "" {
				_, reason, _ = strings.Cut(tc.want, ": ")
			}
			assert.Equal(t, reason, last.Reason)
		})
	}
}

func TestOpsVerbsNeedOps(t *testing.T) {
	r, err := bot.Run(context.Background(), &fakeService{}, &cadence.Person{ID: "ana", Role: cadence.RoleLead}, "incident list", now)
	require.NoError(t, err)
	assert.True(t, r.Failed)
	assert.Equal(t, "Incident: incidents, follow-ups and releases are not enabled on this bot", r.Lines[0])
}

// `/cadence snooze` puts off the person's open prompt on the real engine.
func TestSnoozeCommand(t *testing.T) {
	b := newOpsBot(t)
	r, err := bot.Run(b.ctx, b.svc, b.rost.Person("ana"), "snooze", b.clock.Now())
	require.NoError(t, err)
	assert.True(t, r.Failed)
	assert.Contains(t, r.String(), "no open prompt waits for your answer")

	eng := b.svc.(*ops.Service).Service.(*cadence.Engine)
	fire := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)        // Tue 14:00 Zurich
	for _, at := range []time.Time{fire.Add(-time.Hour), fire} { // a new ritual starts from now
		b.clock.Set(at)
		require.NoError(t, eng.Tick(b.ctx))
	}
	r = b.ok("ana", "snooze tomorrow deploy")
	assert.Equal(t, "Snoozed Deployment planning until Wed 2 Dec 09:00 EET", r.Title, "09:00 in Ana's zone")
	assert.Contains(t, r.Lines[0], "an answer after that counts as late")
	r = b.ok("lea", "snooze")
	assert.Equal(t, "Snoozed Deployment planning until Tue 1 Dec 15:00 CET", r.Title)

	_, err = bot.ParseCommand("snooze 2h deploy")
	assert.ErrorContains(t, err, `snooze: want 1h or tomorrow, then at most a ritual id, got "2h deploy"`)
}
