package benchdata

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Rates of what goes wrong, per occurrence and per prompt. They are close
// to what `cadencebot simulate` produces with --answer-rate 0.85.
const (
	skipRate    = 0.02 // team holiday or skipped by a lead
	missRate    = 0.01 // cadencebot down for the whole window
	lateOpen    = 0.03 // opened 5–40 minutes late (downtime, restart)
	editRate    = 0.10 // answers edited once before close
	leaveRate   = 0.35 // people with a week off somewhere in the year
	tolerance   = 2 * time.Minute
	reminderGap = time.Hour
)

// profile is how one synthetic person answers, drawn once from the seed.
type profile struct {
	answerProb float64
	latency    time.Duration // typical delay from prompt to answer
	lateProb   float64       // chance an answer comes after the window closed
}

func drawProfile(r *rand.Rand) profile {
	p := profile{answerProb: clamp(0.85+r.NormFloat64()*0.08, 0, 1)}
	if r.Float64() < 0.15 {
		p.answerProb = 0.5
	}
	p.latency = time.Duration(10+r.IntN(150)) * time.Minute
	p.lateProb = 0.03 + r.Float64()*0.1
	return p
}

// leave draws the out-of-office ranges of one person, in their own zone.
func leave(r *rand.Rand, p *cadence.Person, from, to time.Time) []cadence.DateRange {
	days := int(to.Sub(from).Hours() / 24)
	if days < 7 || r.Float64() >= leaveRate {
		return nil
	}
	start := from.AddDate(0, 0, r.IntN(days-6)).In(p.Location)
	return []cadence.DateRange{{From: cadence.DateOf(start), To: cadence.DateOf(start.AddDate(0, 0, 4)), Note: "leave"}}
}

func away(ranges []cadence.DateRange, p *cadence.Person, at time.Time) bool {
	d := cadence.DateOf(at.In(p.Location))
	return slices.ContainsFunc(ranges, func(r cadence.DateRange) bool { return r.Contains(d) })
}

// occurrence produces what the engine would have stored for one fire time of
// r: the occurrence in its final state and the answers to it. It follows
// the planner's shapes (cadence/plan.go): per-person prompt and close
// times for every participant, the excused with their reason, prompts
// and reminders recorded per person.
func (g *generator) occurrence(r *cadence.Ritual, fire time.Time, rotation int) (*cadence.Occurrence, []*cadence.Answer) {
	id := cadence.OccurrenceID(r.ID, fire)
	rng := rand.New(rand.NewPCG(g.seed, hash(id)))
	o := &cadence.Occurrence{ID: id, RitualID: r.ID, Scheduled: fire}

	o.PromptAt, o.CloseAt, o.Excused = map[string]time.Time{}, map[string]time.Time{}, map[string]string{}
	for _, pid := range r.Participants {
		p := g.roster.Person(pid)
		at := fire
		if r.PerPersonTime {
			at = r.Schedule.WallIn(fire, p.Location)
		}
		o.PromptAt[pid], o.CloseAt[pid] = at, at.Add(r.Window)
		if away(g.leave[pid], p, at) {
			o.Excused[pid] = "out of office (leave)"
			continue
		}
		o.Expected = append(o.Expected, pid)
		if o.DueAt.IsZero() || at.Before(o.DueAt) {
			o.DueAt = at
		}
	}
	if o.DueAt.IsZero() {
		o.DueAt = fire
	}
	o.ClosesAt = o.DueAt.Add(r.Window)
	for _, pid := range o.Expected {
		if c := o.CloseAt[pid]; c.After(o.ClosesAt) {
			o.ClosesAt = c
		}
	}

	switch x := rng.Float64(); {
	case x < skipRate:
		return &cadence.Occurrence{ID: id, RitualID: r.ID, Scheduled: fire, DueAt: o.DueAt, ClosesAt: o.DueAt.Add(r.Window),
			Status: cadence.StatusSkipped, SkipReason: "team holiday " + cadence.DateOf(fire.In(r.Location)).String()}, nil
	case x < skipRate+missRate:
		return &cadence.Occurrence{ID: id, RitualID: r.ID, Scheduled: fire, DueAt: o.DueAt, ClosesAt: o.ClosesAt,
			Status: cadence.StatusMissed}, nil
	case x < skipRate+missRate+lateOpen:
		o.OpenedAt = o.DueAt.Add(time.Duration(5+rng.IntN(36)) * time.Minute)
	default:
		o.OpenedAt = o.DueAt.Add(time.Duration(rng.IntN(30)) * time.Second)
	}
	o.Status, o.ClosedAt = cadence.StatusClosed, o.ClosesAt
	o.Late = o.OpenedAt.Sub(o.DueAt) > tolerance
	if len(r.Facilitators) > 0 {
		o.Facilitator = r.Facilitators[rotation%len(r.Facilitators)]
	}

	o.Prompted, o.Reminded = map[string]time.Time{}, map[string]int{}
	var answers []*cadence.Answer
	for _, pid := range o.Expected {
		prompted := o.PromptAt[pid]
		if prompted.Before(o.OpenedAt) {
			prompted = o.OpenedAt // a late opening prompts everyone due at once
		}
		o.Prompted[pid] = prompted
		closeAt := o.CloseAt[pid]
		a := g.answer(r, o, pid, prompted, closeAt)
		// The reminder goes to those who have not answered an hour
		// before their close.
		if remindAt := closeAt.Add(-reminderGap); a == nil || a.SubmittedAt.After(remindAt) {
			o.Reminded[pid] = 1
		}
		if a != nil {
			answers = append(answers, a)
		}
	}
	return o, answers
}

// answer decides from a hash of (seed, occurrence, person), so that the
// outcome does not depend on iteration order, whether and when a person
// answers.
func (g *generator) answer(r *cadence.Ritual, o *cadence.Occurrence, pid string, prompted, closeAt time.Time) *cadence.Answer {
	rng := rand.New(rand.NewPCG(g.seed, hash(o.ID, pid)))
	pr := g.profiles[pid]
	if rng.Float64() >= pr.answerProb {
		return nil
	}
	delay := time.Duration(float64(pr.latency) * (0.2 + 1.6*rng.Float64())).Round(time.Second)
	if max := closeAt.Sub(prompted) * 9 / 10; delay >= max {
		delay = max
	}
	if rng.Float64() < pr.lateProb {
		delay = closeAt.Sub(prompted) + time.Duration(1+rng.IntN(180))*time.Minute
	}
	at := prompted.Add(delay)
	a := &cadence.Answer{OccurrenceID: o.ID, RitualID: r.ID, PersonID: pid, SubmittedAt: at, UpdatedAt: at, Via: "slack-modal"}
	if at.Before(closeAt) && rng.Float64() < editRate {
		a.Edits, a.UpdatedAt = 1, at.Add(min(closeAt.Sub(at)/2, 20*time.Minute))
	}
	a.Responses = responses(r, rng)
	return a
}

// responses draws the text of one answer to r.
func responses(r *cadence.Ritual, rng *rand.Rand) []cadence.Response {
	var out []cadence.Response
	for i, q := range r.Questions {
		pool := phrases[i%2]
		if q.Blocker {
			pool = blockers
		}
		text := pool[rng.IntN(len(pool))]
		if text == "" && q.Required {
			text = "Nothing to report."
		}
		out = append(out, cadence.Response{QuestionID: q.ID, Text: text})
	}
	return out
}

func newRand(seed uint64, parts ...string) *rand.Rand {
	return rand.New(rand.NewPCG(seed, hash(parts...)))
}

var phrases = [2][]string{
	{
		"Closed the drift alert follow-up for the ranking model and wrote up the threshold change.",
		"Shipped the feature-store backfill for the churn model; row counts match the warehouse.",
		"Reviewed the evaluation regression on churn-v7: a label leak in the March slice, fixed upstream.",
		"Rotated the serving credentials and updated the runbook.",
	},
	{
		"Retraining the fraud model on November data, then a shadow deployment for two days.",
		"Migrating the batch scorer to the new cluster; the canary runs tonight.",
		"Writing the data contract for the payments events with the platform team.",
		"Tuning the latency SLO alerts so the pager stops firing on cold starts.",
	},
}

var blockers = []string{"", "", "", "", "Waiting on data-platform for the contract sign-off.", "GPU quota for the retraining job in eu-west is still pending (INFRA-1234)."}

func hash(parts ...string) uint64 {
	h := fnv.New64a()
	for _, s := range parts {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

func clamp(v, lo, hi float64) float64 { return min(max(v, lo), hi) }
