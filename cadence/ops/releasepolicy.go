package ops

import (
	"fmt"

	"github.com/cadencebot/cadencebot/cadence"
)

// Change-type policies make routine changes lighter: a retrain may need
// one approval, a rollback none (auto-approved when proposed). They apply
// to low and medium risk; a high-risk change always needs the high-risk
// number of approvals, whatever its type.

// ApprovalsFor is how many distinct approvals r needs: its change type's
// policy if one is configured and r is not high risk, else by risk.
func (o *Ops) ApprovalsFor(r *cadence.Release) int {
	if n, ok := o.policies[r.Change]; ok && r.Risk != cadence.RiskHigh {
		return n
	}
	return o.ApprovalsNeeded(r.Risk)
}

// checkPolicies refuses a policy for an unknown change type or a negative
// count; New calls it.
func checkPolicies(ps map[cadence.ChangeType]int) error {
	for c, n := range ps {
		if !c.Valid() {
			return fmt.Errorf("ops: change policy for %q: not a change type (%s)", c, joinStrings(cadence.ChangeTypes))
		}
		if n < 0 {
			return fmt.Errorf("ops: change policy for %s: %d approvals", c, n)
		}
	}
	return nil
}
