package config

import (
	"fmt"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// ReleasesConfig is the optional [releases] table: who decides on the
// release lane. The zero value keeps cadence's defaults.
type ReleasesConfig struct {
	// Approvers are person ids in roster order, resolved from ids and
	// selectors ("role:lead", "capability:release"). Empty: leads, admins
	// and people with the capability "release" (ops.IsDefaultApprover).
	Approvers []string
	// HighRiskApprovals is how many distinct approvers a high-risk
	// release needs; 0 keeps cadence's default (DefaultHighRiskApprovals).
	HighRiskApprovals int
	// ChangePolicies are [releases.approvals]: approvals per change type
	// at low and medium risk (0: approved when proposed); nil: by risk.
	ChangePolicies map[cadence.ChangeType]int
}

// DefaultHighRiskApprovals is what ops.New assumes when the file
// leaves high_risk_approvals out.
const DefaultHighRiskApprovals = 2

type releasesFile struct {
	Approvers         *[]string      `toml:"approvers"`           // nil: the defaults; empty: an error
	HighRiskApprovals *int           `toml:"high_risk_approvals"` // nil: the default
	Approvals         *approvalsFile `toml:"approvals"`
}

func (d *decoder) releases(f *releasesFile, cfg *Config) ReleasesConfig {
	var rc ReleasesConfig
	approvers := 0
	if f.Approvers != nil {
		if len(*f.Approvers) == 0 {
			d.add("releases.approvers", `no approvers: remove "approvers = []" to let leads, admins and people with capability "release" approve, or list at least one`)
		}
		rc.Approvers = d.selectPeople("releases.approvers", *f.Approvers, cfg)
		approvers = len(rc.Approvers)
	} else {
		for _, p := range cfg.People {
			if ops.IsDefaultApprover(p) {
				approvers++
			}
		}
	}
	listed := f.Approvers != nil && approvers > 0
	switch n := f.HighRiskApprovals; {
	case n == nil:
		// The default is refused only against a list the file gives:
		// files without [releases] keep working (cadence logs a warning).
		if listed && approvers < DefaultHighRiskApprovals {
			d.add("releases.approvers", "there %s, but a high-risk release needs %d distinct approvals: add approvers, or set high_risk_approvals = %d",
				countApprovers(approvers), DefaultHighRiskApprovals, approvers)
		}
	case *n < 1:
		d.add("releases.high_risk_approvals", "%d: a high-risk release needs at least 1 approval", *n)
	case *n > approvers && (listed || f.Approvers == nil):
		msg := fmt.Sprintf("%d approvals, but there %s: high-risk releases could never be approved", *n, countApprovers(approvers))
		if f.Approvers == nil {
			msg += ` (without approvers, leads, admins and people with capability "release" approve)`
		}
		d.add("releases.high_risk_approvals", "%s", msg)
	default:
		rc.HighRiskApprovals = *n
	}
	if f.Approvals != nil {
		rc.ChangePolicies = d.approvals(f.Approvals)
	}
	return rc
}

// countApprovers is "is only 1 approver", "are only 3 approvers", "are no approvers".
func countApprovers(n int) string {
	switch n {
	case 0:
		return "are no approvers"
	case 1:
		return "is only 1 approver"
	}
	return fmt.Sprintf("are only %d approvers", n)
}
