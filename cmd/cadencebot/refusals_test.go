package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// Every refusal of the command layer, which Slack, Teams and the local
// chat share (bot.Run), is in the audit log: refused pause, resume, skip
// and report left none, though the README says every refusal is audited.
func TestCommandRefusalsAreAudited(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	a := startApp(t, nil, monday)
	ana, lea := a.cfg.Roster.Person("ana"), a.cfg.Roster.Person("lea")
	for _, tc := range []struct {
		who    *cadence.Person
		text   string
		actor  string
		action string
		target string
	}{
		{ana, "pause triage", "ana", "ritual.pause", "ritual:triage"},
		{ana, "resume triage", "ana", "ritual.resume", "ritual:triage"},
		{ana, "skip triage holiday", "ana", "ritual.skip", "ritual:triage"},
		{ana, "report", "ana", "report.read", "report"},
		{lea, "pause retro", "lea", "ritual.pause", "ritual:retro"},
		{nil, "status", bot.NotOnRoster, "command.status", "status"},
	} {
		var before uint64
		require.NoError(t, a.db.View(context.Background(), func(tx cadence.Tx) error {
			if last, err := tx.LastAudit(); err == nil {
				before = last.Seq
			}
			return nil
		}))
		reply, err := bot.Run(context.Background(), a.svc, tc.who, tc.text, monday)
		require.NoError(t, err)
		require.True(t, reply.Failed, tc.text)
		var got []*cadence.AuditEntry
		require.NoError(t, a.db.View(context.Background(), func(tx cadence.Tx) (err error) {
			got, err = tx.AuditEntries(before+1, 0)
			return err
		}))
		require.Len(t, got, 1, "%s: one audit entry", tc.text)
		e := got[0]
		assert.Equal(t, cadence.AuditRefused, e.Outcome, tc.text)
		assert.Equal(t, tc.actor, e.Actor, tc.text)
		assert.Equal(t, tc.action, e.Action, tc.text)
		assert.Equal(t, tc.target, e.Target, tc.text)
		assert.NotEmpty(t, e.Reason, tc.text)
	}
	// The chain still verifies with the refusals in it.
	require.NoError(t, a.db.View(context.Background(), func(tx cadence.Tx) error {
		_, err := cadence.VerifyAudit(tx)
		return err
	}))
}
