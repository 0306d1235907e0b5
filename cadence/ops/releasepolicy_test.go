package ops_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

func TestChangePoliciesLightenRoutineChanges(t *testing.T) {
	policies := map[cadence.ChangeType]int{cadence.ChangeRollback: 0, cadence.ChangeRetrain: 1, cadence.ChangeNewModel: 2}
	h := newOpsHarness(t, func(c *ops.Config) { c.ChangePolicies = policies; c.HighRiskApprovals = 2 })
	tests := []struct {
		change cadence.ChangeType
		risk   cadence.Risk
		need   int
	}{
		{cadence.ChangeRollback, cadence.RiskLow, 0},
		{cadence.ChangeRollback, cadence.RiskMedium, 0},
		{cadence.ChangeRollback, cadence.RiskHigh, 2}, // high risk keeps its rule
		{cadence.ChangeRetrain, cadence.RiskMedium, 1},
		{cadence.ChangeNewModel, cadence.RiskLow, 2},
		{cadence.ChangeFeatureFlag, cadence.RiskLow, 1}, // no policy: by risk
		{cadence.ChangeFeatureFlag, cadence.RiskHigh, 2},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.need, h.ops.ApprovalsFor(&cadence.Release{Change: tc.change, Risk: tc.risk}), "%s %s", tc.change, tc.risk)
	}

	_, err := ops.New(ops.Config{Store: h.store, ChangePolicies: map[cadence.ChangeType]int{"hotfix": 1}})
	assert.ErrorContains(t, err, `"hotfix": not a change type`)
}

func TestRollbackPolicyApprovesOnProposal(t *testing.T) {
	h := newOpsHarness(t, func(c *ops.Config) {
		c.ChangePolicies = map[cadence.ChangeType]int{cadence.ChangeRollback: 0}
	})
	in := validRelease(cadence.RiskLow)
	in.Change, in.Version = cadence.ChangeRollback, "2.2.1"
	r, err := h.ops.ProposeRelease(h.ctx, "ana", in)
	require.NoError(t, err)
	assert.Equal(t, cadence.ReleaseApproved, r.Status)
	assert.Equal(t, opsStart, r.ApprovedAt)
	assert.Equal(t, "approved by the rollback policy (no approval needed)", r.History[len(r.History)-1].What)
	plan := h.message("rel/REL-1/approved")
	assert.Equal(t, "REL-1 is approved by the rollback policy (no approval needed). Proposed by Ana.", plan.Body.Text)
	assert.Equal(t, "true", h.lastAudit().Details["auto_approved"])

	// Nobody is asked to approve what needs no approval.
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		_, err := tx.Message("rel/REL-1/ask/lea")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	}))

	// A retrain still needs its approval.
	r2 := h.propose("ana", cadence.RiskLow)
	assert.Equal(t, cadence.ReleaseProposed, r2.Status)
}

func TestReleaseEventsGoToTheIntegrationAndRegistry(t *testing.T) {
	h := newOpsHarness(t, func(c *ops.Config) {
		c.Webhooks = []string{"ci"}
		c.RegistryAlias = "champion"
	})
	in := validRelease(cadence.RiskLow)
	in.Source = "ci"
	in.Lineage = &cadence.Lineage{Registry: "mlflow", RegisteredModel: "churn", Version: "7", RunID: "abc123"}
	r, err := h.ops.ProposeRelease(h.ctx, "ana", in)
	require.NoError(t, err)
	assert.Equal(t, "ci", r.Source)
	assert.Equal(t, "abc123", r.Lineage.RunID)
	assert.Equal(t, "integration:ci", h.lastAudit().Details["via"])
	assert.Equal(t, "churn/7", h.lastAudit().Details["registered_model"])

	proposed := h.message("hook/REL-1/proposed/ci")
	assert.Equal(t, ops.PlatformWebhook, proposed.Platform)
	assert.Equal(t, cadence.KindHook, proposed.Kind)
	assert.Equal(t, "deploy", proposed.RitualID, "a failing delivery is told to the deployment lead")
	var ev ops.ReleaseEvent
	require.NoError(t, json.Unmarshal([]byte(proposed.Body.Text), &ev))
	assert.Equal(t, "release.proposed", ev.Event)
	assert.Equal(t, "hook/REL-1/proposed/ci", ev.Delivery)
	assert.Equal(t, "proposed", ev.Release.Status)
	assert.Equal(t, 1, ev.Release.Needed)

	_, err = h.ops.ApproveRelease(h.ctx, "lea", "REL-1")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(h.message("hook/REL-1/approved/ci").Body.Text), &ev))
	assert.Equal(t, "release.approved", ev.Event)
	assert.Equal(t, []string{"lea"}, ev.Release.Approvals)

	reg := h.message("registry/REL-1/approved")
	assert.Equal(t, ops.PlatformRegistry, reg.Platform)
	var up ops.RegistryUpdate
	require.NoError(t, json.Unmarshal([]byte(reg.Body.Text), &up))
	assert.Equal(t, ops.RegistryUpdate{Model: "churn", Version: "7", Alias: "champion",
		Tags: map[string]string{"cadencebot.release": "REL-1", "cadencebot.status": "approved"}}, up)

	_, err = h.ops.RecordReleaseOutcome(h.ctx, "ana", "REL-1", cadence.ReleaseShipped)
	require.NoError(t, err)
	h.message("hook/REL-1/shipped/ci")

	// A release proposed in chat calls no webhook.
	h.propose("ana", cadence.RiskLow)
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		_, err := tx.Message("hook/REL-2/proposed/ci")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	}))
}
