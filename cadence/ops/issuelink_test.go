package ops_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

func TestFollowUpsAndIncidentsLinkTheirIssue(t *testing.T) {
	h := newOpsHarness(t)
	inc, err := h.ops.OpenIncident(h.ctx, "ana", ops.IncidentInput{Title: "Drift", Issue: "https://github.com/acme/churn/issues/42"})
	require.NoError(t, err)
	assert.Equal(t, "https://github.com/acme/churn/issues/42", inc.Issue)
	opened := h.message("inc/INC-1/opened")
	assert.Contains(t, opened.Body.Sections[0].Lines, "Issue: "+cadence.LinkText("https://github.com/acme/churn/issues/42", "acme/churn#42"))
	assert.Contains(t, cadence.PlainText(opened.Body.Sections[0].Lines[1]), "acme/churn#42 (https://github.com/acme/churn/issues/42)")

	due := cadencetest.Date(2026, 12, 3)
	f, err := h.ops.AddFollowUp(h.ctx, "lea", ops.FollowUpInput{Incident: "INC-1", Owner: "ana", Due: due, Title: "Tighten alert",
		Issue: "https://acme.atlassian.net/browse/ML-42"})
	require.NoError(t, err)
	assert.Equal(t, "https://acme.atlassian.net/browse/ML-42", f.Issue)
	assert.Equal(t, "https://acme.atlassian.net/browse/ML-42", h.lastAudit().Details["issue"])

	// A bad link is refused naming the field; nothing is added.
	_, err = h.ops.AddFollowUp(h.ctx, "lea", ops.FollowUpInput{Incident: "INC-1", Owner: "ana", Due: due, Title: "x", Issue: "javascript:alert(1)"})
	field, _, ok := cadence.ErrorField(err)
	require.True(t, ok, err)
	assert.Equal(t, "issue", field)
	fus, err := h.ops.FollowUps(h.ctx, cadence.FollowUpFilter{})
	require.NoError(t, err)
	assert.Len(t, fus, 1)
}
