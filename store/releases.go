package store

import (
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

type releaseRecord struct {
	Number           int              `json:"number"`
	Model            string           `json:"model"`
	Version          string           `json:"version"`
	Change           string           `json:"change"`
	Risk             string           `json:"risk"`
	Evidence         string           `json:"evidence"`
	RollbackPlan     string           `json:"rollback_plan"`
	DataContractOK   bool             `json:"data_contract_ok"`
	DataContractNote string           `json:"data_contract_note"`
	Planned          string           `json:"planned"`
	Notes            string           `json:"notes"`
	Status           string           `json:"status"`
	ProposedBy       string           `json:"proposed_by"`
	ProposedAt       time.Time        `json:"proposed_at"`
	Approvals        []approvalRecord `json:"approvals"`
	ApprovedAt       time.Time        `json:"approved_at"`
	RejectedBy       string           `json:"rejected_by"`
	RejectedAt       time.Time        `json:"rejected_at"`
	RejectReason     string           `json:"reject_reason"`
	OutcomeAt        time.Time        `json:"outcome_at"`
	OutcomeBy        string           `json:"outcome_by"`
	History          []changeRecord   `json:"history"`
	Source           string           `json:"source,omitempty"`
	Lineage          *lineageRecord   `json:"lineage,omitempty"`
}

type lineageRecord struct {
	Registry        string `json:"registry"`
	RegisteredModel string `json:"registered_model"`
	Version         string `json:"version"`
	RunID           string `json:"run_id"`
}

type approvalRecord struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

func toReleaseRecord(r *cadence.Release) releaseRecord {
	rec := releaseRecord{
		Number: r.Number, Model: r.Model, Version: r.Version, Change: string(r.Change), Risk: string(r.Risk),
		Evidence: r.Evidence, RollbackPlan: r.RollbackPlan, DataContractOK: r.DataContractOK,
		DataContractNote: r.DataContractNote, Planned: dateText(r.Planned), Notes: r.Notes,
		Status: string(r.Status), ProposedBy: r.ProposedBy, ProposedAt: utc(r.ProposedAt),
		ApprovedAt: utc(r.ApprovedAt), RejectedBy: r.RejectedBy, RejectedAt: utc(r.RejectedAt),
		RejectReason: r.RejectReason, OutcomeAt: utc(r.OutcomeAt), OutcomeBy: r.OutcomeBy,
		History: toChangeRecords(r.History), Source: r.Source,
	}
	if l := r.Lineage; l != nil {
		rec.Lineage = &lineageRecord{Registry: l.Registry, RegisteredModel: l.RegisteredModel, Version: l.Version, RunID: l.RunID}
	}
	if r.Approvals != nil {
		rec.Approvals = make([]approvalRecord, len(r.Approvals))
		for i, a := range r.Approvals {
			rec.Approvals[i] = approvalRecord{By: a.By, At: utc(a.At)}
		}
	}
	return rec
}

func (rec *releaseRecord) domain() (*cadence.Release, error) {
	planned, err := parseDateText(rec.Planned)
	if err != nil {
		return nil, fmt.Errorf("release %d: planned: %w", rec.Number, err)
	}
	r := &cadence.Release{
		Number: rec.Number, Model: rec.Model, Version: rec.Version, Change: cadence.ChangeType(rec.Change),
		Risk: cadence.Risk(rec.Risk), Evidence: rec.Evidence, RollbackPlan: rec.RollbackPlan,
		DataContractOK: rec.DataContractOK, DataContractNote: rec.DataContractNote, Planned: planned,
		Notes: rec.Notes, Status: cadence.ReleaseStatus(rec.Status), ProposedBy: rec.ProposedBy,
		ProposedAt: rec.ProposedAt, ApprovedAt: rec.ApprovedAt, RejectedBy: rec.RejectedBy,
		RejectedAt: rec.RejectedAt, RejectReason: rec.RejectReason, OutcomeAt: rec.OutcomeAt,
		OutcomeBy: rec.OutcomeBy, History: fromChangeRecords(rec.History), Source: rec.Source,
	}
	if l := rec.Lineage; l != nil {
		r.Lineage = &cadence.Lineage{Registry: l.Registry, RegisteredModel: l.RegisteredModel, Version: l.Version, RunID: l.RunID}
	}
	if rec.Approvals != nil {
		r.Approvals = make([]cadence.Approval, len(rec.Approvals))
		for i, a := range rec.Approvals {
			r.Approvals[i] = cadence.Approval{By: a.By, At: a.At}
		}
	}
	return r, nil
}

func (t *tx) Release(n int) (*cadence.Release, error) {
	b, err := t.bucket(bucketReleases)
	if err != nil {
		return nil, err
	}
	var rec releaseRecord
	found, err := getJSON(b, numKey(n), &rec)
	if err != nil {
		return nil, fmt.Errorf("release %d: %w", n, err)
	}
	if !found {
		return nil, fmt.Errorf("release %d: %w", n, cadence.ErrNotFound)
	}
	return rec.domain()
}

func (t *tx) PutRelease(r *cadence.Release) error {
	if err := t.writable("put release"); err != nil {
		return err
	}
	if err := checkNum("release", r.Number); err != nil {
		return err
	}
	b, err := t.bucket(bucketReleases)
	if err != nil {
		return err
	}
	return putJSON(b, numKey(r.Number), toReleaseRecord(r))
}

// Releases scans the bucket: a release lane sees a few a week.
func (t *tx) Releases(f cadence.ReleaseFilter) ([]*cadence.Release, error) {
	var out []*cadence.Release
	err := t.numbered(bucketReleases, func(k, v []byte) error {
		var rec releaseRecord
		if err := decode(k, v, &rec); err != nil {
			return err
		}
		r, err := rec.domain()
		if err != nil {
			return err
		}
		if f.Match(r) {
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

func (t *tx) LastReleaseNumber() (int, error) { return t.lastNum(bucketReleases) }
