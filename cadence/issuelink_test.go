package cadence_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

func TestCheckIssueURLAndLabel(t *testing.T) {
	tests := []struct {
		in, label, err string
	}{
		{in: "https://acme.atlassian.net/browse/ML-42", label: "ML-42"},
		{in: "https://github.com/acme/churn/issues/42", label: "acme/churn#42"},
		{in: "https://github.com/acme/churn/pull/7/files", label: "acme/churn#7"},
		{in: "https://linear.app/acme/issue/ENG-7/fix-drift-alert", label: "ENG-7"},
		{in: " https://tracker.example.com/t/123 ", label: "tracker.example.com/t/123"},
		{in: "http://github.com/acme/churn/issues/42", err: "not an https link"},
		{in: "javascript:alert(1)", err: "not an https link"},
		{in: "https:///issues/1", err: "not an https link"},
		{in: "https://user:pw@jira.example.com/browse/X-1", err: "user name or password"},
		{in: "https://jira.example.com/browse/X-1 extra", err: "spaces or control characters"},
	}
	for _, tc := range tests {
		got, err := cadence.CheckIssueURL("issue", tc.in)
		if tc.err != "" {
			assert.ErrorContains(t, err, "issue: ", tc.in)
			assert.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.label, cadence.IssueLabel(got), tc.in)
	}
}

func TestFollowUpsAndIncidentsLinkTheirIssue(t *testing.T) {
	h := newOpsHarness(t)
	inc, err := h.ops.OpenIncident(h.ctx, "ana", cadence.IncidentInput{Title: "Drift", Issue: "https://github.com/acme/churn/issues/42"})
	require.NoError(t, err)
	assert.Equal(t, "https://github.com/acme/churn/issues/42", inc.Issue)
	opened := h.message("inc/INC-1/opened")
	assert.Contains(t, opened.Body.Sections[0].Lines, "Issue: "+cadence.LinkText("https://github.com/acme/churn/issues/42", "acme/churn#42"))
	assert.Contains(t, cadence.PlainText(opened.Body.Sections[0].Lines[1]), "acme/churn#42 (https://github.com/acme/churn/issues/42)")

	due := date(2026, 12, 3)
	f, err := h.ops.AddFollowUp(h.ctx, "lea", cadence.FollowUpInput{Incident: "INC-1", Owner: "ana", Due: due, Title: "Tighten alert",
		Issue: "https://acme.atlassian.net/browse/ML-42"})
	require.NoError(t, err)
	assert.Equal(t, "https://acme.atlassian.net/browse/ML-42", f.Issue)
	assert.Equal(t, "https://acme.atlassian.net/browse/ML-42", h.lastAudit().Details["issue"])

	// A bad link is refused naming the field; nothing is added.
	_, err = h.ops.AddFollowUp(h.ctx, "lea", cadence.FollowUpInput{Incident: "INC-1", Owner: "ana", Due: due, Title: "x", Issue: "javascript:alert(1)"})
	field, _, ok := cadence.ErrorField(err)
	require.True(t, ok, err)
	assert.Equal(t, "issue", field)
	fus, err := h.ops.FollowUps(h.ctx, cadence.FollowUpFilter{})
	require.NoError(t, err)
	assert.Len(t, fus, 1)
}
