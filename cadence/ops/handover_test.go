package ops_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// TestHandoverMovesOpenWorkAtOnce: Ana leaves, Dan takes over. Her open
// follow-ups and incidents, her pending release proposal and the open
// triage she facilitates move in one transaction; her later facilitator
// and on-call turns go to Dan; a summary goes to the lead and to Dan;
// refusals change nothing but the audit log.
func TestHandoverMovesOpenWorkAtOnce(t *testing.T) {
	h := newOpsHarness(t, func(c *ops.Config) {
		c.Rotations = []*cadence.Rotation{primaryRotation(t)}
		c.Approvers = []string{"lea", "root", "dan"}
	})
	inc := h.openIncident("ana", "Ranker drift")
	_, err := h.ops.OpenIncident(h.ctx, "lea", ops.IncidentInput{Title: "Label lag", Owner: "ana"})
	require.NoError(t, err)
	fu1 := h.addFollowUp("lea", inc.ID(), "ana", cadencetest.Date(2026, 12, 10), "Tighten drift alert")
	fu2 := h.addFollowUp("lea", inc.ID(), "ana", cadencetest.Date(2026, 12, 11), "Backfill")
	_, err = h.ops.CompleteFollowUp(h.ctx, "ana", fu2.ID())
	require.NoError(t, err)
	h.addFollowUp("lea", inc.ID(), "bo", cadencetest.Date(2026, 12, 12), "Not Ana's")
	shipped := h.propose("ana", cadence.RiskLow)
	_, err = h.ops.ApproveRelease(h.ctx, "lea", shipped.ID())
	require.NoError(t, err)
	_, err = h.ops.RecordReleaseOutcome(h.ctx, "ana", shipped.ID(), cadence.ReleaseShipped)
	require.NoError(t, err)
	pending := h.propose("ana", cadence.RiskHigh)
	_, err = h.ops.ApproveRelease(h.ctx, "dan", pending.ID())
	require.NoError(t, err)
	open := &cadence.Occurrence{ID: "triage@open", RitualID: "triage", Scheduled: opsStart.Add(-time.Hour), Status: cadence.StatusOpen, Facilitator: "ana"}
	require.NoError(t, h.store.Update(h.ctx, func(tx cadence.Tx) error { return tx.PutOccurrence(open) }))

	// Refusals: not a lead; herself; unknown; Dan has approved Ana's
	// high-risk proposal, so he cannot become its proposer. None moves
	// anything.
	before := h.state()
	for _, tc := range []struct{ actor, leaving, taking, want string }{
		{"bo", "ana", "dan", "only leads and admins can hand someone's work over; Bo is a specialist"},
		{"lea", "ana", "ana", "Ana cannot hand over to themselves"},
		{"lea", "ana", "zed", `"zed" is not on the roster: name the person taking over as @id`},
		{"lea", "ana", "dan", "Dan has approved REL-2, which Ana proposed: as its new proposer that approval would be their own. Ask Dan to reject it or another approver to take it over first"},
	} {
		_, err := h.ops.Handover(h.ctx, tc.actor, tc.leaving, tc.taking)
		require.Error(t, err)
		assert.Equal(t, tc.want, err.Error())
		assert.Equal(t, "refused", string(h.lastAudit().Outcome))
	}
	assert.Equal(t, before, h.state(), "a refused hand-over changes nothing")

	_, err = h.ops.RejectRelease(h.ctx, "dan", pending.ID(), "needs a canary")
	require.NoError(t, err)
	proposal := h.propose("ana", cadence.RiskMedium)

	h.clock.Set(opsStart.Add(time.Hour))
	res, err := h.ops.Handover(h.ctx, "lea", "ana", "dan")
	require.NoError(t, err)
	assert.Equal(t, []string{fu1.ID()}, idsOf(res.FollowUps, (*cadence.FollowUp).ID), "open follow-ups only")
	assert.Equal(t, []string{"INC-1", "INC-2"}, idsOf(res.Incidents, (*cadence.Incident).ID))
	assert.Equal(t, []string{proposal.ID()}, idsOf(res.Releases, (*cadence.Release).ID))
	assert.Equal(t, []string{"triage@open"}, idsOf(res.Facilitated, func(o *cadence.Occurrence) string { return o.ID }))
	assert.Equal(t, []string{"triage"}, res.Rituals)
	assert.Equal(t, []string{"primary"}, res.Rotations)
	assert.False(t, res.Approver, "approvers are lea, root and dan")

	st := h.state()
	for _, f := range st.FollowUps {
		switch f.ID() {
		case fu1.ID():
			assert.Equal(t, "dan", f.Owner)
			assert.Contains(t, f.History[len(f.History)-1].What, "owner ana → dan (hand-over ana → dan)")
		case fu2.ID():
			assert.Equal(t, "ana", f.Owner, "done stays hers")
		default:
			assert.Equal(t, "bo", f.Owner)
		}
	}
	for _, r := range st.Releases {
		if r.ID() == proposal.ID() {
			assert.Equal(t, "dan", r.ProposedBy)
		}
	}
	var occ *cadence.Occurrence
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		occ, err = tx.Occurrence("triage@open")
		return err
	}))
	assert.Equal(t, "dan", occ.Facilitator)

	e := h.lastAudit()
	assert.Equal(t, "handover", e.Action)
	assert.Equal(t, "lea", e.Actor)
	assert.Equal(t, map[string]string{"to": "dan", "followups": "FU-1", "incidents": "INC-1 INC-2", "releases": proposal.ID(), "facilitated": "triage@open"}, e.Details)

	var summaries []*cadence.Message
	for _, k := range h.messageKeys() {
		if strings.HasPrefix(k, "handover/") {
			summaries = append(summaries, h.message(k))
		}
	}
	require.Len(t, summaries, 2)
	var to []string
	for _, m := range summaries {
		to = append(to, m.To.Person)
	}
	assert.ElementsMatch(t, []string{"lea", "dan"}, to)
	body := summaries[0].Body.Plain()
	assert.Equal(t, "Hand-over: Ana → Dan", body.Title)
	assert.Equal(t, []string{
		"FU-1 Tighten drift alert (INC-1), due 2026-12-10",
		"INC-1 Ranker drift (owner), sev 3",
		"INC-2 Label lag (owner), sev 3",
		proposal.ID() + " churn 2.3.0 (proposal awaiting approval)",
		"facilitation of triage@open (open now)",
		"later facilitator turns of triage",
		"later on-call turns in primary",
	}, cadencetest.SectionLines(body, "Moved"))
	assert.Equal(t, []string{shipped.ID() + " churn 2.3.0 · shipped"}, cadencetest.SectionLines(body, "Releases they shipped, last 90 days"))
	assert.Equal(t, []string{"INC-1 Ranker drift · open", "INC-2 Label lag · open"}, cadencetest.SectionLines(body, "Incidents they handled, last 90 days"))
	assert.Nil(t, cadencetest.SectionLines(body, "Still to do"))

	// Ana's on-call turn is Dan's now; her later triage turns too.
	now, err := h.ops.OnCall(h.ctx, h.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, "dan", now[0].Current.Person)
	assert.Equal(t, "cy", now[0].Next.Person)

	eng, err := cadence.New(cadence.EngineConfig{Rituals: []*cadence.Ritual{cadencetest.TriageRitual(t)}, Roster: h.roster, Store: h.store, Clock: h.clock,
		Logger: zerolog.Nop(), Substitute: h.ops.Substitute})
	require.NoError(t, err)
	require.NoError(t, h.store.Update(h.ctx, func(tx cadence.Tx) error {
		occ.Status = cadence.StatusClosed
		return tx.PutOccurrence(occ)
	}))
	next := cadencetest.Monday.AddDate(0, 0, 7).Add(8*time.Hour + 30*time.Minute)
	h.clock.Set(next.Add(-time.Hour))
	require.NoError(t, eng.Tick(h.ctx))
	h.clock.Set(next)
	require.NoError(t, eng.Tick(h.ctx))
	o, _, err := eng.Occurrence(h.ctx, cadence.OccurrenceID("triage", next))
	require.NoError(t, err)
	assert.Equal(t, "dan", o.Facilitator, "Ana's turn (first in the rotation) goes to Dan")

	// Dan has not handed over: nobody can hand work to Ana now without
	// saying so, and Dan's work cannot be handed to... Ana handed hers
	// over, so handing Bo's work to Ana is refused.
	_, err = h.ops.Handover(h.ctx, "lea", "bo", "ana")
	require.ErrorIs(t, err, cadence.ErrConflict)
	assert.Equal(t, "Ana handed their work to Dan on 2026-11-30 and has not taken it back: hand Bo's work to someone active", err.Error())
}

func idsOf[T any](xs []T, id func(T) string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}
