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
