package cadence

import (
	"slices"
	"time"
)

// ChangeType is what a release changes.
type ChangeType string

const (
	ChangeRetrain     ChangeType = "retrain"
	ChangeNewModel    ChangeType = "new-model"
	ChangeRollback    ChangeType = "rollback"
	ChangeFeatureFlag ChangeType = "feature-flag"
	ChangeData        ChangeType = "data-change"
)

// ChangeTypes lists the valid change types, in the order forms show them.
var ChangeTypes = []ChangeType{ChangeRetrain, ChangeNewModel, ChangeRollback, ChangeFeatureFlag, ChangeData}

// Valid reports whether c is a known change type.
func (c ChangeType) Valid() bool { return slices.Contains(ChangeTypes, c) }

// Risk decides how many approvals a release needs.
type Risk string

const (
	RiskLow    Risk = "low"
	RiskMedium Risk = "medium"
	RiskHigh   Risk = "high"
)

// Risks lists the valid risk levels.
var Risks = []Risk{RiskLow, RiskMedium, RiskHigh}

// Valid reports whether r is a known risk level.
func (r Risk) Valid() bool { return slices.Contains(Risks, r) }

// ReleaseStatus is where a release is in the lane:
//
//	proposed → approved → shipped → rolled-back
//	         ↘ rejected         ↘ rolled-back
type ReleaseStatus string

const (
	ReleaseProposed   ReleaseStatus = "proposed"
	ReleaseApproved   ReleaseStatus = "approved"
	ReleaseRejected   ReleaseStatus = "rejected"
	ReleaseShipped    ReleaseStatus = "shipped"
	ReleaseRolledBack ReleaseStatus = "rolled-back"
)

// Approval is one approver's sign-off.
type Approval struct {
	By string
	At time.Time
}

// Release is one change going through the release lane. Number is
// sequential per store; ID is "REL-2".
type Release struct {
	Number  int
	Model   string
	Version string
	Change  ChangeType
	Risk    Risk
	// Evidence links the evaluation that justifies the change.
	Evidence     string
	RollbackPlan string
	// DataContractOK records the data-contract check; the note says what
	// was checked, or why it does not pass.
	DataContractOK   bool
	DataContractNote string
	// Planned is the intended release day, if given.
	Planned Date
	Notes   string

	Status     ReleaseStatus
	ProposedBy string
	ProposedAt time.Time
	Approvals  []Approval
	// ApprovedAt is when the last needed approval came in.
	ApprovedAt   time.Time
	RejectedBy   string
	RejectedAt   time.Time
	RejectReason string
	// OutcomeAt and OutcomeBy record the last outcome (shipped or rolled
	// back), reported after the fact.
	OutcomeAt time.Time
	OutcomeBy string
	History   []Change
	// Source is the integration that proposed it through the API ("" for
	// chat); its webhook hears of the release's events.
	Source string
	// Lineage is the model registry's record of Model and Version, looked
	// up when the release was proposed; nil without a registry.
	Lineage *Lineage
}

// Lineage ties a release to the registered model version it promotes and
// the run that produced it.
type Lineage struct {
	Registry        string // "mlflow"
	RegisteredModel string
	Version         string
	RunID           string
}

// ID is the display ID: "REL-2".
func (r *Release) ID() string { return ReleaseID(r.Number) }

// ApprovedBy reports whether person has approved r.
func (r *Release) ApprovedBy(person string) bool {
	for _, a := range r.Approvals {
		if a.By == person {
			return true
		}
	}
	return false
}

// Clone returns a deep copy of r.
func (r *Release) Clone() *Release {
	if r == nil {
		return nil
	}
	c := *r
	c.Approvals = slices.Clone(r.Approvals)
	c.History = slices.Clone(r.History)
	if r.Lineage != nil {
		l := *r.Lineage
		c.Lineage = &l
	}
	return &c
}

// Record appends a history entry.
func (r *Release) Record(at time.Time, by, what string) {
	r.History = append(r.History, Change{At: at, By: by, What: what})
}

// ReleaseFilter selects releases; zero fields do not filter.
type ReleaseFilter struct {
	Status []ReleaseStatus
	// Proposed in [ProposedFrom, ProposedTo).
	ProposedFrom, ProposedTo time.Time
}

// Match reports whether r passes the filter.
func (f ReleaseFilter) Match(r *Release) bool {
	switch {
	case len(f.Status) > 0 && !slices.Contains(f.Status, r.Status):
		return false
	case !f.ProposedFrom.IsZero() && r.ProposedAt.Before(f.ProposedFrom):
		return false
	case !f.ProposedTo.IsZero() && !r.ProposedAt.Before(f.ProposedTo):
		return false
	}
	return true
}

// ReleaseTx stores releases, keyed by number.
type ReleaseTx interface {
	// Release returns release n, or ErrNotFound.
	Release(n int) (*Release, error)
	PutRelease(*Release) error
	// Releases lists matching releases by number ascending.
	Releases(ReleaseFilter) ([]*Release, error)
	// LastReleaseNumber is the highest number stored, 0 when none is.
	LastReleaseNumber() (int, error)
}

// ReleaseID formats n as "REL-n".
func ReleaseID(n int) string { return seqID(releasePrefix, n) }

// ParseReleaseID accepts "REL-2", "rel-2", "#2" or "2".
func ParseReleaseID(s string) (int, error) { return parseSeqID(releasePrefix, "release", s) }

// PlanLines describe a release's plan, one "Label: value" line per field
// given (evaluation, rollback plan, data contract, planned day, notes), for
// notices, chat replies and pages alike.
func (r *Release) PlanLines() []string {
	var lines []string
	add := func(label, v string) {
		if v != "" {
			lines = append(lines, label+": "+v)
		}
	}
	add("Evaluation", r.Evidence)
	add("Rollback plan", r.RollbackPlan)
	contract := "passed"
	if !r.DataContractOK {
		contract = "NOT passed"
	}
	if r.DataContractNote != "" {
		contract += " — " + r.DataContractNote
	}
	add("Data contract", contract)
	if !r.Planned.IsZero() {
		add("Planned", r.Planned.String())
	}
	add("Notes", r.Notes)
	return lines
}
