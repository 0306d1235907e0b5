package dashboard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// releaseSection is /s/releases: the release lane with its
// change-failure rate and lead time.
type releaseSection struct{ *opsView }

func (s *releaseSection) ID() string    { return "releases" }
func (s *releaseSection) Title() string { return "Release lane" }

// releaseAt is a release as it stood at an instant: the decision
// (proposed, approved, rejected) and the outcome (shipped, rolled back)
// are read from its history, which records when each happened.
type releaseAt struct {
	*cadence.Release
	approvals int
	decision  cadence.ReleaseStatus
	outcome   cadence.ReleaseStatus // "" until shipped or rolled back
}

func releaseStateAt(r *cadence.Release, at time.Time) releaseAt {
	v := releaseAt{Release: r, decision: cadence.ReleaseProposed}
	for _, a := range r.Approvals {
		if !a.At.After(at) {
			v.approvals++
		}
	}
	switch {
	case !r.ApprovedAt.IsZero() && !r.ApprovedAt.After(at):
		v.decision = cadence.ReleaseApproved
	case !r.RejectedAt.IsZero() && !r.RejectedAt.After(at):
		v.decision = cadence.ReleaseRejected
	}
	for _, c := range r.History {
		if c.At.After(at) {
			break
		}
		if st := cadence.ReleaseStatus(c.What); st == cadence.ReleaseShipped || st == cadence.ReleaseRolledBack {
			v.outcome = st
		}
	}
	return v
}

// finished is when a release left the lane for good, or zero.
func finished(r *cadence.Release) time.Time {
	switch r.Status {
	case cadence.ReleaseRejected:
		return r.RejectedAt
	case cadence.ReleaseShipped, cadence.ReleaseRolledBack:
		return r.OutcomeAt
	}
	return time.Time{}
}

func (s *releaseSection) load(ctx context.Context, q cadence.ReportQuery, at time.Time) (all []*cadence.Release, rows []releaseAt, err error) {
	rels, err := s.src.Releases(ctx, cadence.ReleaseFilter{})
	if err != nil {
		return nil, nil, fmt.Errorf("releases: %w", err)
	}
	for _, r := range rels {
		if !selected(q, r.ProposedBy) {
			continue
		}
		all = append(all, r)
		if live(q, r.ProposedAt, finished(r)) && !r.ProposedAt.After(at) {
			rows = append(rows, releaseStateAt(r, at))
		}
	}
	return all, rows, nil
}

func (s *releaseSection) Tables(ctx context.Context, q cadence.ReportQuery) ([]*Table, error) {
	at := s.at(q)
	all, rows, err := s.load(ctx, q, at)
	if err != nil {
		return nil, err
	}
	fig := ops.ComputeFigures(nil, all, s.loc, q.From, q.To, at)
	toProd := productionLeadTimes(all, q.From, q.To)
	figures := &Table{
		ID:    "release-figures",
		Title: "Release figures",
		Columns: []Column{
			{Key: "deployed", Label: "Deployed", Numeric: true},
			{Key: "rolled_back", Label: "Rolled back", Numeric: true},
			{Key: "change_failure_pct", Label: "Change-failure rate", Numeric: true},
			{Key: "approved", Label: "Approved", Numeric: true},
			// The keys keep their names for existing scripts; the labels
			// say what is measured, since "lead time" alone reads as DORA's.
			{Key: "mean_lead_time_s", Label: "Proposal → approval, mean", Numeric: true},
			{Key: "median_lead_time_s", Label: "Proposal → approval, median", Numeric: true},
			{Key: "median_to_production_s", Label: "Proposal → production, median", Numeric: true},
		},
		Rows: [][]Cell{{
			intCell(fig.ReleasesDeployed), intCell(fig.RolledBack), pctCell(fig.RolledBack, fig.ReleasesDeployed),
			intCell(fig.Approved),
			secondsCell(fig.MeanLeadTime, fig.Approved > 0), secondsCell(fig.MedianLeadTime, fig.Approved > 0),
			secondsCell(median(toProd), len(toProd) > 0),
		}},
	}
	lane := &Table{
		ID:    "releases",
		Title: "Release lane",
		Columns: []Column{
			{Key: "id", Label: "ID"},
			{Key: "model", Label: "Model"},
			{Key: "version", Label: "Version"},
			{Key: "change", Label: "Change"},
			{Key: "risk", Label: "Risk"},
			{Key: "submitter", Label: "Submitter"},
			{Key: "proposed", Label: "Proposed"},
			{Key: "approvals", Label: "Approvals", Numeric: true},
			{Key: "approvals_needed", Label: "Needed", Numeric: true},
			{Key: "status", Label: "Status"},
			{Key: "outcome", Label: "Outcome"},
			{Key: "lead_time_s", Label: "Proposal → approval", Numeric: true},
			{Key: "to_production_s", Label: "Proposal → production", Numeric: true},
		},
		Note: leadTimeNote,
	}
	for _, r := range rows {
		need := s.src.ApprovalsFor(r.Release)
		outcome := Cell{}
		if r.outcome != "" {
			outcome = textCell(string(r.outcome))
		}
		lane.Rows = append(lane.Rows, []Cell{
			textCell(r.ID()), textCell(r.Model), textCell(r.Version), textCell(string(r.Change)), textCell(string(r.Risk)),
			s.personCell(r.ProposedBy), dateCell(r.ProposedAt),
			{Value: r.approvals, Text: fmt.Sprintf("%d/%d", r.approvals, need)}, intCell(need),
			textCell(string(r.decision)), outcome,
			secondsCell(r.ApprovedAt.Sub(r.ProposedAt), r.decision == cadence.ReleaseApproved),
			secondsCell(shippedAt(r.Release).Sub(r.ProposedAt), r.outcome != ""),
		})
	}
	return []*Table{figures, lane}, nil
}

// leadTimeNote says what the lane's durations measure: DORA's "lead time
// for changes" runs from commit to production, and the lane only sees a
// release from its proposal.
const leadTimeNote = "Proposal → approval is how long a release waited for its approvals. " +
	"Proposal → production runs until it shipped (or was rolled back after shipping): the nearest this lane gets to DORA's lead time for changes, which starts at the commit."

// productionLeadTimes are proposal → production of the releases that
// reached production within [from, to).
func productionLeadTimes(rels []*cadence.Release, from, to time.Time) []time.Duration {
	var out []time.Duration
	for _, r := range rels {
		if at := shippedAt(r); !at.IsZero() && !at.Before(from) && at.Before(to) {
			out = append(out, at.Sub(r.ProposedAt))
		}
	}
	return out
}

// shippedAt is when a release reached production: its "shipped" history
// entry, or its outcome for one rolled back without a recorded ship.
func shippedAt(r *cadence.Release) time.Time {
	for _, c := range r.History {
		if cadence.ReleaseStatus(c.What) == cadence.ReleaseShipped {
			return c.At
		}
	}
	if r.Status == cadence.ReleaseShipped || r.Status == cadence.ReleaseRolledBack {
		return r.OutcomeAt
	}
	return time.Time{}
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// DigestSection sums up the release lane over the digest's period:
// outcomes with the change-failure rate, lead time, and what still waits
// for approval. A quiet lane says nothing.
func (s *releaseSection) DigestSection(ctx context.Context, r *cadence.Report, lang string) (cadence.Section, bool, error) {
	w := digestWords(lang)
	now := s.clock.Now().UTC()
	rels, err := s.src.Releases(ctx, cadence.ReleaseFilter{})
	if err != nil {
		return cadence.Section{}, false, fmt.Errorf("releases: %w", err)
	}
	fig := ops.ComputeFigures(nil, rels, s.loc, r.From, r.To, now)
	var outcomes, waiting []string
	for _, rel := range rels {
		if (rel.Status == cadence.ReleaseShipped || rel.Status == cadence.ReleaseRolledBack) &&
			!rel.OutcomeAt.Before(r.From) && rel.OutcomeAt.Before(r.To) {
			outcomes = append(outcomes, w.t("release_outcome", "ID", rel.ID(), "Model", rel.Model, "Version", rel.Version,
				"Change", string(rel.Change), "Status", w.t("release_"+strings.ReplaceAll(string(rel.Status), "-", "_"))))
		}
		if rel.Status == cadence.ReleaseProposed {
			waiting = append(waiting, rel.ID())
		}
	}
	if fig.ReleasesDeployed == 0 && fig.Approved == 0 && len(waiting) == 0 {
		return cadence.Section{}, false, nil
	}
	sec := cadence.Section{Heading: w.t("release_heading")}
	if fig.ReleasesDeployed > 0 {
		sec.Lines = append(sec.Lines, w.t("release_deployed", "Deployed", fig.ReleasesDeployed, "RolledBack", fig.RolledBack,
			"Pct", w.pct(fig.RolledBack, fig.ReleasesDeployed)))
	} else {
		sec.Lines = append(sec.Lines, w.t("release_none"))
	}
	if fig.Approved > 0 {
		sec.Lines = append(sec.Lines, w.t("release_lead_time", "Median", w.duration(fig.MedianLeadTime), "N", fig.Approved,
			"Mean", w.duration(fig.MeanLeadTime)))
	}
	sec.Lines = append(sec.Lines, outcomes...)
	if len(waiting) > 0 {
		sec.Lines = append(sec.Lines, w.t("release_waiting", "IDs", strings.Join(waiting, ", ")))
	}
	return sec, true, nil
}
