package config_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/config"
)

// lane is the team plus a manager and a second lead, then
// a ritual: 29 lines, so a [releases] table after it starts on line 30.
func lane(releases ...string) string {
	return file(team, []string{
		`[[people]]`,       // 15
		`id = "cy"`,        // 16
		`role = "manager"`, // 17
		``,                 // 18
		`[[people]]`,       // 19
		`id = "lea"`,       // 20
		`role = "lead"`,    // 21
		``,                 // 22
	}, ritual(), releases)
}

func TestReleasesDefaults(t *testing.T) {
	cfg, err := config.Parse("ok.toml", []byte(lane()))
	require.NoError(t, err)
	assert.Equal(t, config.ReleasesConfig{}, cfg.Releases, "no [releases]: cadence's defaults")
}

func TestReleasesApproversAndSelectors(t *testing.T) {
	cfg, err := config.Parse("ok.toml", []byte(lane(
		`[releases]`,
		`approvers = ["lea", "role:lead", "capability:release", "cy"]`,
		`high_risk_approvals = 3`,
	)))
	require.NoError(t, err)
	// ana is a lead with capability release, lea a lead, cy named: roster order, each once.
	assert.Equal(t, config.ReleasesConfig{Approvers: []string{"ana", "cy", "lea"}, HighRiskApprovals: 3}, cfg.Releases)

	cfg, err = config.Parse("ok.toml", []byte(lane(`[releases]`, `high_risk_approvals = 1`)))
	require.NoError(t, err)
	assert.Equal(t, config.ReleasesConfig{HighRiskApprovals: 1}, cfg.Releases)
}

func TestReleasesRefusesBadValues(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "selectors that match nobody",
			src:  lane(`[releases]`, `approvers = ["lea", "marc", "role:boss", "role:admin", "capability:finance", "team:ml"]`),
			want: []string{
				`bad.toml:31: releases.approvers[1]: unknown person "marc"`,
				`bad.toml:31: releases.approvers[2]: unknown role "boss" (use specialist, lead, manager or admin)`,
				`bad.toml:31: releases.approvers[3]: nobody has role "admin"`,
				`bad.toml:31: releases.approvers[4]: nobody has capability "finance"`,
				`bad.toml:31: releases.approvers[5]: unknown selector "team:ml" (use a person id, "role:<role>", "capability:<capability>" or "all")`,
				`bad.toml:31: releases.approvers: there is only 1 approver, but a high-risk release needs 2 distinct approvals: add approvers, or set high_risk_approvals = 1`,
			},
		},
		{
			name: "an empty list",
			src:  lane(`[releases]`, `approvers = []`),
			want: []string{`bad.toml:31: releases.approvers: no approvers: remove "approvers = []" to let leads, admins and people with capability "release" approve, or list at least one`},
		},
		{
			name: "no approval needed",
			src:  lane(`[releases]`, `approvers = ["lea", "ana"]`, `high_risk_approvals = 0`),
			want: []string{`bad.toml:32: releases.high_risk_approvals: 0: a high-risk release needs at least 1 approval`},
		},
		{
			name: "more approvals than approvers",
			src:  lane(`[releases]`, `approvers = ["role:lead"]`, `high_risk_approvals = 3`),
			want: []string{`bad.toml:32: releases.high_risk_approvals: 3 approvals, but there are only 2 approvers: high-risk releases could never be approved`},
		},
		{
			name: "more approvals than default approvers",
			src:  lane(`[releases]`, `high_risk_approvals = 3`),
			want: []string{`bad.toml:31: releases.high_risk_approvals: 3 approvals, but there are only 2 approvers: high-risk releases could never be approved (without approvers, leads, admins and people with capability "release" approve)`},
		},
		{
			name: "values of the wrong type",
			src:  lane(`[releases]`, `approvers = "lea"`, `high_risk_approvals = "two"`),
			want: []string{
				`bad.toml:31: releases.approvers: must be an array, not a string`,
				`bad.toml:32: releases.high_risk_approvals: must be an integer, not a string`,
			},
		},
		{
			name: "typo in a key",
			src:  lane(`[releases]`, `aprovers = ["lea"]`),
			want: []string{`bad.toml:31: releases.aprovers: unknown key (did you mean "approvers"?)`},
		},
		{
			name: "a question id reserved for the checklist",
			src:  file(team, ritual(`questions = [`, `  { id = "check-1", text = "Did you?" },`, `]`)),
			want: []string{`bad.toml:23: rituals[0].questions[0].id: "check-1": ids starting with "check-" are reserved for the checklist items, which every prompt asks`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse("bad.toml", []byte(tc.src))
			require.Error(t, err)
			var es config.Errors
			require.True(t, errors.As(err, &es), "%v", err)
			var got []string
			for _, e := range es {
				got = append(got, e.Error())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestExampleConfigNamesTheApprovers(t *testing.T) {
	cfg, err := config.Default()
	require.NoError(t, err)
	assert.Equal(t, config.ReleasesConfig{Approvers: []string{"mihai", "kasia", "daniyar", "lena"}, HighRiskApprovals: 2}, cfg.Releases)
}
