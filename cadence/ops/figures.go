package ops

import (
	"context"
	"slices"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Figures are the figures managers read about incidents and releases
// over a period [From, To), as of At (now, or To if that is earlier).
//
//   - Follow-ups closed on time: of the follow-ups due in the period
//     (their due date ends in it) whose outcome is known — done, or still
//     open past the due date — the share done by the end of the due date
//     in the owner's zone. Dropped ones do not count; open ones not yet
//     due are undecided and left out.
//   - Mean age of open follow-ups: over those open at At, the mean of
//     At − created.
//   - Change-failure rate: of the releases whose outcome was recorded in
//     the period, rolled back / deployed, where deployed counts shipped
//     and rolled-back ones (a rolled-back release shipped first).
//   - Lead time: from proposal to the last needed approval, over the
//     releases approved in the period; mean and median.
//
// Rates are 0..1, and 0 when nothing was counted: read them with their
// counts.
type Figures struct {
	From, To, At time.Time

	FollowUpsDue     int
	FollowUpsOnTime  int
	FollowUpOnTime   float64
	OpenFollowUps    int
	MeanOpenAge      time.Duration
	ReleasesDeployed int
	RolledBack       int
	ChangeFailure    float64
	Approved         int
	MeanLeadTime     time.Duration
	MedianLeadTime   time.Duration
}

// ComputeFigures is the pure calculation behind Ops.Figures. loc gives
// an owner's zone (their due dates are in their calendar).
func ComputeFigures(fus []*cadence.FollowUp, rels []*cadence.Release, loc func(person string) *time.Location, from, to, now time.Time) Figures {
	at := now
	if !to.IsZero() && to.Before(at) {
		at = to
	}
	out := Figures{From: from, To: to, At: at}
	in := func(t time.Time) bool { return !t.Before(from) && (to.IsZero() || t.Before(to)) }

	var ageSum time.Duration
	for _, f := range fus {
		if f.Status != cadence.FollowUpDropped {
			deadline := f.Deadline(loc(f.Owner))
			doneBy := time.Time{}
			if f.Status == cadence.FollowUpDone {
				doneBy = f.ClosedAt
			}
			decided := f.Status == cadence.FollowUpDone || !deadline.After(at)
			if in(deadline) && decided {
				out.FollowUpsDue++
				if !doneBy.IsZero() && !doneBy.After(deadline) {
					out.FollowUpsOnTime++
				}
			}
		}
		// Open at `at`: created by then and not closed by then.
		if !f.CreatedAt.After(at) && (f.Status == cadence.FollowUpOpen || f.ClosedAt.After(at)) {
			out.OpenFollowUps++
			ageSum += at.Sub(f.CreatedAt)
		}
	}
	if out.FollowUpsDue > 0 {
		out.FollowUpOnTime = float64(out.FollowUpsOnTime) / float64(out.FollowUpsDue)
	}
	if out.OpenFollowUps > 0 {
		out.MeanOpenAge = ageSum / time.Duration(out.OpenFollowUps)
	}

	var leads []time.Duration
	for _, r := range rels {
		if (r.Status == cadence.ReleaseShipped || r.Status == cadence.ReleaseRolledBack) && in(r.OutcomeAt) {
			out.ReleasesDeployed++
			if r.Status == cadence.ReleaseRolledBack {
				out.RolledBack++
			}
		}
		if !r.ApprovedAt.IsZero() && in(r.ApprovedAt) {
			leads = append(leads, r.ApprovedAt.Sub(r.ProposedAt))
		}
	}
	if out.ReleasesDeployed > 0 {
		out.ChangeFailure = float64(out.RolledBack) / float64(out.ReleasesDeployed)
	}
	if n := len(leads); n > 0 {
		out.Approved = n
		var sum time.Duration
		for _, d := range leads {
			sum += d
		}
		out.MeanLeadTime = sum / time.Duration(n)
		slices.Sort(leads)
		if n%2 == 1 {
			out.MedianLeadTime = leads[n/2]
		} else {
			out.MedianLeadTime = (leads[n/2-1] + leads[n/2]) / 2
		}
	}
	return out
}

// Figures computes Figures over [from, to) from the store, at the
// clock's now.
func (o *Ops) Figures(ctx context.Context, from, to time.Time) (*Figures, error) {
	now := o.now()
	var f Figures
	err := o.view(ctx, func(tx cadence.Tx) error {
		var err error
		f, err = o.figures(tx, from, to, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

func (o *Ops) figures(tx cadence.Tx, from, to, now time.Time) (Figures, error) {
	fus, err := tx.FollowUps(cadence.FollowUpFilter{})
	if err != nil {
		return Figures{}, err
	}
	rels, err := tx.Releases(cadence.ReleaseFilter{})
	if err != nil {
		return Figures{}, err
	}
	return ComputeFigures(fus, rels, o.loc, from, to, now), nil
}
