package ops_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// TestCapabilityRecordSurvivesItsOwner: Ana owns "ranking"; her incident,
// shipped release and open follow-up count under it. She hands over to
// Bo and leaves the file: "ranking" keeps its record, Bo holds it, and
// the hand-over is in its history.
func TestCapabilityRecordSurvivesItsOwner(t *testing.T) {
	var people []*cadence.Person
	for _, p := range cadencetest.TestRoster(t).People() {
		q := *p
		switch p.ID {
		case "ana":
			q.Capabilities = []string{"ranking"}
		case "bo":
			q.Capabilities = []string{"ci-cd"}
		}
		people = append(people, &q)
	}
	h := newOpsHarness(t, func(c *ops.Config) { c.Roster = cadence.NewRoster(people) })
	inc, err := h.ops.OpenIncident(h.ctx, "lea", ops.IncidentInput{Title: "Ranker drift", Owner: "ana"})
	require.NoError(t, err)
	fu := h.addFollowUp("lea", inc.ID(), "ana", cadence.Date{Year: 2026, Month: 12, Day: 4}, "Retrain on fresh clicks")
	h.propose("ana", cadence.RiskLow)
	_, err = h.ops.ApproveRelease(h.ctx, "lea", "REL-1")
	require.NoError(t, err)
	_, err = h.ops.RecordReleaseOutcome(h.ctx, "ana", "REL-1", cadence.ReleaseShipped)
	require.NoError(t, err)

	_, err = h.ops.Handover(h.ctx, "lea", "ana", "bo")
	require.NoError(t, err)
	hist, err := h.ops.HandoverHistory(h.ctx)
	require.NoError(t, err)
	require.Len(t, hist, 1)
	assert.Equal(t, []string{"ranking"}, hist[0].Capabilities)
	assert.Equal(t, []string{fu.ID()}, hist[0].FollowUps)
	assert.Equal(t, []string{inc.ID()}, hist[0].Incidents)

	// Ana is gone from the file.
	var stay []*cadence.Person
	for _, p := range people {
		if p.ID != "ana" {
			stay = append(stay, p)
		}
	}
	fus, err := h.ops.FollowUps(h.ctx, cadence.FollowUpFilter{})
	require.NoError(t, err)
	incs, err := h.ops.Incidents(h.ctx, cadence.IncidentFilter{})
	require.NoError(t, err)
	rels, err := h.ops.Releases(h.ctx, cadence.ReleaseFilter{})
	require.NoError(t, err)
	recs := ops.Capabilities(cadence.NewRoster(stay), hist, fus, incs, rels)
	require.Len(t, recs, 2)
	assert.Equal(t, "ci-cd", recs[0].Capability)
	rk := recs[1]
	assert.Equal(t, "ranking", rk.Capability)
	assert.Equal(t, []string{"bo"}, rk.Owners, "the taker holds it")
	require.Len(t, rk.OpenFollowUps, 1)
	assert.Equal(t, "bo", rk.OpenFollowUps[0].Owner, "moved to Bo, still under ranking")
	require.Len(t, rk.Incidents, 1)
	require.Len(t, rk.Shipped, 1)
	assert.Equal(t, "ana", rk.Shipped[0].ProposedBy, "Ana's shipped release stays in the record")
	require.Len(t, rk.Handovers, 1)
	assert.Equal(t, "bo", rk.Handovers[0].Taking)
}
