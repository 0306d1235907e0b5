package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// opsEvent is one planned MLOps action: an incident opened, a follow-up
// added or finished, a release proposed, approved or shipped.
type opsEvent struct {
	at  time.Time
	seq int
	do  func(ctx context.Context) error
}

// opsSim plans a team's incidents, follow-ups and releases week by week,
// through the same Ops API the chat commands call. Every choice comes from
// a generator seeded with (seed, week), so a run is reproducible.
type opsSim struct {
	ops       *ops.Ops
	seed      uint64
	roster    *cadence.Roster
	leads     []string
	specs     []string
	approvers []string
	loc       *time.Location
	queue     []opsEvent
	seq       int
	res       *Result
}

func newOpsSim(svc *ops.Ops, seed uint64, roster *cadence.Roster, loc *time.Location, res *Result) *opsSim {
	s := &opsSim{ops: svc, seed: seed, roster: roster, loc: loc, res: res, approvers: svc.Approvers()}
	for _, p := range roster.People() {
		switch p.Role {
		case cadence.RoleLead, cadence.RoleAdmin:
			s.leads = append(s.leads, p.ID)
		case cadence.RoleSpecialist:
			s.specs = append(s.specs, p.ID)
		}
	}
	return s
}

func (s *opsSim) enabled() bool { return len(s.leads) > 0 && len(s.specs) > 0 }

func (s *opsSim) at(t time.Time, do func(ctx context.Context) error) {
	s.seq++
	s.queue = append(s.queue, opsEvent{at: t, seq: s.seq, do: do})
	sort.Slice(s.queue, func(i, j int) bool {
		if !s.queue[i].at.Equal(s.queue[j].at) {
			return s.queue[i].at.Before(s.queue[j].at)
		}
		return s.queue[i].seq < s.queue[j].seq
	})
}

// next is when the earliest planned action is due (zero when none).
func (s *opsSim) next() time.Time {
	if len(s.queue) == 0 {
		return time.Time{}
	}
	return s.queue[0].at
}

// run does the actions due by t, and says whether there were any (an
// incident excuses its owner from standups: the engine plans anew). A
// refusal (the domain said no, e.g. an approver who is away was picked
// twice) is counted, not fatal.
func (s *opsSim) run(ctx context.Context, t time.Time) (acted bool, err error) {
	for len(s.queue) > 0 && !s.queue[0].at.After(t) {
		ev := s.queue[0]
		s.queue = s.queue[1:]
		acted = true
		if err := ev.do(ctx); err != nil {
			if errors.Is(err, cadence.ErrInvalidInput) || errors.Is(err, cadence.ErrForbidden) || errors.Is(err, cadence.ErrConflict) {
				s.res.OpsRefused++
				continue
			}
			return acted, fmt.Errorf("sim: ops at %s: %w", ev.at, err)
		}
	}
	return acted, nil
}

// workTime is a weekday working-hours instant in week w (Monday start).
func (s *opsSim) workTime(r *rand.Rand, monday time.Time) time.Time {
	d := monday.AddDate(0, 0, r.IntN(5))
	return time.Date(d.Year(), d.Month(), d.Day(), 9+r.IntN(8), r.IntN(60), 0, 0, s.loc)
}

var (
	incidentTitles = []string{"Drift on ranker-v3 after the catalogue import", "Feature freshness lag on recommendations", "Batch scoring failed on spot loss",
		"Null spike in payments events", "Latency SLO breach on churn-serving", "Eval regression on the long-tail segment"}
	followUpTitles = []string{"Tighten the drift alert", "Add a freshness check to the pipeline", "Write the postmortem", "Backfill the missing partitions",
		"Add a contract test for the null rate", "Pin the serving image"}
	models = []string{"churn", "ranker", "fraud", "forecast", "recs"}
)

// planWeek schedules the week starting at monday: 0–2 incidents with 1–3
// follow-ups each, finished around their due date (some late, some
// dropped, some left open); 1–3 release proposals, approved within a day
// or two, then shipped or rolled back.
func (s *opsSim) planWeek(monday time.Time, week int) {
	r := rand.New(rand.NewPCG(s.seed, hash("ops-week", fmt.Sprint(week))))
	lead := s.leads[r.IntN(len(s.leads))]
	for range r.IntN(3) {
		at := s.workTime(r, monday)
		owner := s.specs[r.IntN(len(s.specs))]
		title := incidentTitles[r.IntN(len(incidentTitles))]
		sev := 1 + r.IntN(4)
		// Draw everything now, so the plan does not depend on what the
		// domain refuses later.
		type fuPlan struct {
			owner, title  string
			added, doneAt time.Time
			due           cadence.Date
			outcome       float64
		}
		var fus []fuPlan
		for i := range 1 + r.IntN(3) {
			p := fuPlan{owner: s.specs[r.IntN(len(s.specs))], title: followUpTitles[r.IntN(len(followUpTitles))], outcome: r.Float64()}
			p.added = at.Add(time.Duration(30+i*10) * time.Minute)
			p.due = cadence.DateOf(p.added.AddDate(0, 0, 3+r.IntN(8)).In(s.personLoc(p.owner)))
			// Finished around the due date: most on time, some late.
			p.doneAt = p.due.In(s.personLoc(p.owner)).Add(time.Duration(10+r.IntN(8))*time.Hour + time.Duration(r.IntN(5)-3)*24*time.Hour)
			if p.doneAt.Before(p.added) {
				p.doneAt = p.added.Add(4 * time.Hour)
			}
			fus = append(fus, p)
		}
		closeAt := at.AddDate(0, 0, 2+r.IntN(4))
		s.at(at, func(ctx context.Context) error {
			inc, err := s.ops.OpenIncident(ctx, lead, ops.IncidentInput{Title: title, Severity: sev, Owner: owner})
			if err != nil {
				return err
			}
			s.res.Incidents++
			for _, p := range fus {
				s.at(p.added, func(ctx context.Context) error {
					fu, err := s.ops.AddFollowUp(ctx, lead, ops.FollowUpInput{Incident: inc.ID(), Title: p.title, Owner: p.owner, Due: p.due})
					if err != nil {
						return err
					}
					s.res.FollowUps++
					switch {
					case p.outcome < 0.78:
						s.at(p.doneAt, func(ctx context.Context) error {
							_, err := s.ops.CompleteFollowUp(ctx, p.owner, fu.ID())
							return err
						})
					case p.outcome < 0.88:
						s.at(p.doneAt, func(ctx context.Context) error {
							_, err := s.ops.DropFollowUp(ctx, lead, fu.ID(), "superseded by the platform migration")
							return err
						})
					}
					return nil
				})
			}
			s.at(closeAt, func(ctx context.Context) error {
				_, err := s.ops.CloseIncident(ctx, lead, inc.ID(), "Mitigated; follow-ups tracked.")
				return err
			})
			return nil
		})
	}
	for range 1 + r.IntN(3) {
		submitter := s.specs[r.IntN(len(s.specs))]
		at := s.workTime(r, monday)
		risk := []cadence.Risk{cadence.RiskLow, cadence.RiskMedium, cadence.RiskMedium, cadence.RiskHigh}[r.IntN(4)]
		change := []cadence.ChangeType{cadence.ChangeRetrain, cadence.ChangeRetrain, cadence.ChangeFeatureFlag, cadence.ChangeNewModel, cadence.ChangeData}[r.IntN(5)]
		model := models[r.IntN(len(models))]
		version := fmt.Sprintf("%d.%d.%d", 1+r.IntN(4), r.IntN(10), week%10)
		rollback := r.Float64() < 0.12
		delays := []time.Duration{time.Duration(2+r.IntN(28)) * time.Hour, time.Duration(3+r.IntN(30)) * time.Hour}
		shipAfter := time.Duration(24+r.IntN(72)) * time.Hour
		var approvers []string
		for _, i := range r.Perm(len(s.approvers)) {
			if a := s.approvers[i]; a != submitter {
				approvers = append(approvers, a)
			}
		}
		need := min(s.ops.ApprovalsNeeded(risk), len(approvers))
		s.at(at, func(ctx context.Context) error {
			rel, err := s.ops.ProposeRelease(ctx, submitter, ops.ReleaseInput{Model: model, Version: version, Change: change, Risk: risk,
				Evidence: "https://mlflow.example.com/runs/" + model + "-" + version, RollbackPlan: "pin the previous version",
				DataContract: ops.ContractPassed})
			if err != nil {
				return err
			}
			s.res.Releases++
			t := at
			for i := range need {
				t = t.Add(delays[i%len(delays)])
				by := approvers[i]
				s.at(t, func(ctx context.Context) error {
					_, err := s.ops.ApproveRelease(ctx, by, rel.ID())
					return err
				})
			}
			if need == 0 {
				return nil
			}
			shipped := t.Add(shipAfter)
			s.at(shipped, func(ctx context.Context) error {
				_, err := s.ops.RecordReleaseOutcome(ctx, submitter, rel.ID(), cadence.ReleaseShipped)
				return err
			})
			if rollback {
				s.at(shipped.Add(6*time.Hour), func(ctx context.Context) error {
					_, err := s.ops.RecordReleaseOutcome(ctx, submitter, rel.ID(), cadence.ReleaseRolledBack)
					return err
				})
			}
			return nil
		})
	}
}

func (s *opsSim) personLoc(id string) *time.Location {
	if p := s.roster.Person(id); p != nil && p.Location != nil {
		return p.Location
	}
	return s.loc
}

// mondays lists the Mondays (00:00 in loc) from the one on or before from
// up to to.
func mondays(from, to time.Time, loc *time.Location) []time.Time {
	d := from.In(loc)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, -1)
	}
	var out []time.Time
	for ; d.Before(to); d = d.AddDate(0, 0, 7) {
		out = append(out, d)
	}
	return slices.Clip(out)
}
