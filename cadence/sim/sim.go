// Package sim runs the real cadence engine on a simulated clock with
// synthetic participants, for `cadencebot simulate`: weeks of realistic
// history in seconds, identical for the same seed and end date.
//
// Participants act only through cadence.Service (SubmitAnswer,
// SetOutOfOffice), exactly as a chat adapter would, so the figures it
// produces exercise the same code as production.
package sim

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// Options configure a simulation.
type Options struct {
	Rituals []*cadence.Ritual
	Roster  *cadence.Roster
	// Store receives the simulated history; pass a throwaway one, or a
	// real file to keep it for `report` and the dashboard.
	Store cadence.Store
	// From and To bound the simulated period.
	From, To time.Time
	Seed     uint64
	// AnswerRate is the average share of prompts answered (0..1).
	AnswerRate float64
	// Location is the team's zone: MLOps activity happens in its working
	// hours (default UTC).
	Location *time.Location
	// NoOps turns off the simulated incidents, follow-ups and releases.
	NoOps bool
	// Approvers and HighRiskApprovals configure the release lane as
	// ops.Config does ([releases] in the config file).
	Approvers         []string
	HighRiskApprovals int
	// Rotations are the on-call rotations ([[rotations]]): standups
	// excuse the person on call (and owners of open incidents) as the
	// daemon does, and hand-off rituals follow them.
	Rotations []*cadence.Rotation
	// Digest, if set, builds the weekly managers' digest job on the
	// simulation's engine, Ops and clock; it then runs on its schedule like
	// the daemon's, so a simulated history holds the digests managers
	// would have received.
	Digest func(eng *cadence.Engine, ops *ops.Ops, clock cadence.Clock) (*cadence.Digest, error)
	// Step is the smallest jump of the simulated clock (default 1s). The
	// clock jumps from one instant where something can happen to the next
	// (Engine.NextWake, planned answers), never further than MaxJump.
	Step time.Duration
	// MaxJump is the longest jump of the simulated clock (default an
	// hour): follow-up reminders (ops.Tick) name no wake-up of their own
	// and are looked for at least this often. Without MLOps (NoOps) and
	// rotations nothing else needs it, and a longer jump gives the same
	// history in fewer steps (TestLongerJumpsSameHistory).
	MaxJump time.Duration
	// EditInterval spaces the edits of a summary as `run` does with
	// cadence.WithEditInterval (default 10 simulated minutes; run: 3 s,
	// Slack's chat.update limit). A summary's body lists every answer, so
	// drawing it on each answer costs O(N) per answer; spaced, the
	// drawings of an occurrence follow its window, not the team's size.
	// The last drawing always shows the final state (a pass wakes for the
	// edit held back, and the run ends with one drawing everything).
	EditInterval time.Duration
}

// Result is what a run produced.
type Result struct {
	Report   *cadence.Report
	Prompts  int // prompts delivered
	Answers  int // answers submitted and stored
	Refused  int // submissions the engine refused (after the late grace)
	OOODays  int // person-days declared out of office
	Messages int // messages delivered in all

	// MLOps activity (zero with NoOps).
	Incidents, FollowUps, Releases int
	OpsRefused                     int // actions the domain refused (e.g. an approver picked twice)
	Digests                        int // digest messages delivered (one per recipient and week)
	Ops                            *ops.Figures
}

// profile is how one synthetic person behaves, drawn once from the seed.
type profile struct {
	answerProb float64       // chance to answer a given prompt at all
	latency    time.Duration // typical delay to answer
	lateProb   float64       // chance to answer after the window closed
}

// pending is a planned answer.
type pending struct {
	at           time.Time
	occurrenceID string
	person       string
}

// Run simulates [From, To) and returns the adherence report for it.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Store == nil || o.Roster == nil {
		return nil, errors.New("sim: store and roster are required")
	}
	if !o.From.Before(o.To) {
		return nil, fmt.Errorf("sim: from %s is not before to %s", o.From, o.To)
	}
	if o.AnswerRate < 0 || o.AnswerRate > 1 {
		return nil, fmt.Errorf("sim: answer rate %v is not between 0 and 1", o.AnswerRate)
	}
	step := o.Step
	if step <= 0 {
		step = time.Second
	}
	maxJump := o.MaxJump
	if maxJump <= 0 {
		maxJump = time.Hour
	}
	clock := cadence.NewManualClock(o.From)
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	ops, err := ops.New(ops.Config{Roster: o.Roster, Rituals: o.Rituals, Store: o.Store, Clock: clock, Logger: zerolog.Nop(),
		Approvers: o.Approvers, HighRiskApprovals: o.HighRiskApprovals, Rotations: o.Rotations})
	if err != nil {
		return nil, err
	}
	// The same hooks as the daemon (cmd/cadencebot/app.go): on call or
	// handling an incident excuses from standups; stand-ins of hand-overs;
	// hand-off rituals follow their rotation.
	eng, err := cadence.New(cadence.EngineConfig{Rituals: o.Rituals, Roster: o.Roster, Store: o.Store, Clock: clock, Logger: zerolog.Nop(),
		Agenda: ops, Excuse: ops.StandupExcuse, Substitute: ops.Substitute, Handoff: ops})
	if err != nil {
		return nil, err
	}
	var digest *cadence.Digest
	if o.Digest != nil {
		if digest, err = o.Digest(eng, ops, clock); err != nil {
			return nil, fmt.Errorf("sim: digest: %w", err)
		}
	}
	chat := &recorder{}
	chats := map[string]cadence.Chat{}
	for _, p := range []string{"local", "slack", "teams"} {
		chats[p] = &platformChat{recorder: chat, name: p}
	}
	editEvery := o.EditInterval
	if editEvery <= 0 {
		editEvery = 10 * time.Minute
	}
	disp := cadence.NewDispatcher(o.Store, clock, chats, zerolog.Nop(), nil, cadence.WithRenderer(eng), cadence.WithEditInterval(editEvery))

	rng := rand.New(rand.NewPCG(o.Seed, 0x5ca1ab1e))
	people := o.Roster.People()
	profiles := make(map[string]profile, len(people))
	for _, p := range people {
		profiles[p.ID] = drawProfile(rng, o.AnswerRate)
	}
	res := &Result{}
	if err := planOutOfOffice(ctx, eng, rng, people, o.From, o.To, res); err != nil {
		return nil, err
	}

	opsim := newOpsSim(ops, o.Seed, o.Roster, loc, res)
	if !o.NoOps && opsim.enabled() {
		for i, monday := range mondays(o.From, o.To, loc) {
			opsim.planWeek(monday, i)
		}
	}

	var queue []pending
	// An answer only takes planned steps away (a reminder it makes moot),
	// never adds one. So between the engine's wake-ups the answers need no
	// engine tick, and the wake it named stays good (at worst early): a
	// tick and a NextWake read every open occurrence's people, which per
	// answer would make a team of N cost O(N) per answer. Anything else
	// that changes what the engine plans from (MLOps activity) asks again.
	// answered: the loop comes back to the instant it just stored answers
	// at; the engine ticked there already if it had to.
	var wake time.Time // the engine's next wake-up; zero: ask it
	answered := false
	for t := o.From; t.Before(o.To); {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		clock.Set(t)
		acted, err := opsim.run(ctx, t)
		if err != nil {
			return nil, err
		}
		if acted {
			wake = time.Time{}
		}
		if !answered && (wake.IsZero() || !t.Before(wake)) {
			if err := eng.Tick(ctx); err != nil {
				return nil, fmt.Errorf("sim: tick at %s: %w", t, err)
			}
			wake = time.Time{}
		}
		answered = false
		if err := ops.Tick(ctx); err != nil {
			return nil, fmt.Errorf("sim: follow-up reminders at %s: %w", t, err)
		}
		if digest != nil {
			if err := digest.Tick(ctx); err != nil {
				return nil, fmt.Errorf("sim: digest at %s: %w", t, err)
			}
		}
		if _, err := disp.RunOnce(ctx); err != nil {
			return nil, fmt.Errorf("sim: dispatch at %s: %w", t, err)
		}
		for _, m := range chat.drain() {
			res.Messages++
			if m.Kind == cadence.KindDigest {
				res.Digests++
			}
			if m.Kind != cadence.KindPrompt {
				continue
			}
			res.Prompts++
			if at, ok := plan(o.Seed, profiles[m.To.Person], m, t, eng); ok {
				queue = append(queue, pending{at: at, occurrenceID: m.OccurrenceID, person: m.To.Person})
			}
		}
		sort.SliceStable(queue, func(i, j int) bool { return queue[i].at.Before(queue[j].at) })
		n := 0
		for n < len(queue) && !queue[n].at.After(t) {
			p := queue[n]
			n++
			if err := answer(ctx, eng, p, o.Seed); err != nil {
				if errors.Is(err, cadence.ErrClosed) || errors.Is(err, cadence.ErrForbidden) {
					res.Refused++
					continue
				}
				return nil, fmt.Errorf("sim: answer %s for %s: %w", p.occurrenceID, p.person, err)
			}
			res.Answers++
		}
		queue = queue[n:]
		if n > 0 {
			answered = true
			// Answers queued receipts and summary updates: deliver them
			// at this instant, as a live dispatcher would.
			continue
		}
		if wake.IsZero() {
			if wake, err = eng.NextWake(ctx, maxJump); err != nil {
				return nil, fmt.Errorf("sim: at %s: %w", t, err)
			}
		}
		next, err := nextInstant(ctx, wake, digest, t, step, queue, opsim.next())
		if err != nil {
			return nil, err
		}
		if h := disp.HeldUntil(); !h.IsZero() && h.Before(next) {
			next = h // an edit held back goes out when the interval has passed
			if min := t.Add(step); next.Before(min) {
				next = min
			}
		}
		t = next
	}
	// The edits still held back go out at the last instant: the history
	// keeps every summary as its final state draws it.
	flush := cadence.NewDispatcher(o.Store, clock, chats, zerolog.Nop(), nil, cadence.WithRenderer(eng))
	if _, err := flush.RunOnce(ctx); err != nil {
		return nil, fmt.Errorf("sim: last dispatch: %w", err)
	}
	for _, m := range chat.drain() {
		res.Messages++ // edits are not recorded; anything else is counted
		if m.Kind == cadence.KindPrompt {
			res.Prompts++
		}
	}
	rep, err := eng.Report(ctx, cadence.ReportQuery{From: o.From, To: o.To})
	if err != nil {
		return nil, err
	}
	res.Report = rep
	if res.Ops, err = ops.Figures(ctx, o.From, o.To); err != nil {
		return nil, err
	}
	return res, nil
}

// nextInstant is the next time anything can happen: the engine's next
// wake-up (at most MaxJump later), the digest's next fire or the next
// planned answer, whichever comes first, at least step later.
func nextInstant(ctx context.Context, wake time.Time, digest *cadence.Digest, t time.Time, step time.Duration, queue []pending, opsAt time.Time) (time.Time, error) {
	if digest != nil {
		d, err := digest.NextWake(ctx)
		if err != nil {
			return time.Time{}, fmt.Errorf("sim: at %s: %w", t, err)
		}
		if !d.IsZero() && d.Before(wake) {
			wake = d
		}
	}
	if len(queue) > 0 && queue[0].at.Before(wake) {
		wake = queue[0].at
	}
	if !opsAt.IsZero() && opsAt.Before(wake) {
		wake = opsAt
	}
	if min := t.Add(step); wake.Before(min) {
		wake = min
	}
	return wake, nil
}

func drawProfile(rng *rand.Rand, rate float64) profile {
	// Most people are close to the team rate, a few are much less reliable.
	p := profile{answerProb: clamp(rate+rng.NormFloat64()*0.08, 0, 1)}
	if rng.Float64() < 0.15 {
		p.answerProb = clamp(rate-0.35, 0, 1)
	}
	if rate == 0 {
		p.answerProb = 0
	}
	p.latency = time.Duration(10+rng.IntN(150)) * time.Minute
	p.lateProb = 0.03 + rng.Float64()*0.1
	return p
}

// planOutOfOffice gives roughly one person in three a week off somewhere
// in the period, declared through the Service as a person would.
func planOutOfOffice(ctx context.Context, eng *cadence.Engine, rng *rand.Rand, people []*cadence.Person, from, to time.Time, res *Result) error {
	days := int(to.Sub(from).Hours() / 24)
	if days < 7 {
		return nil
	}
	for _, p := range people {
		if rng.Float64() >= 0.35 {
			continue
		}
		start := from.AddDate(0, 0, rng.IntN(days-6))
		loc := p.Location
		if loc == nil {
			loc = time.UTC
		}
		r := cadence.DateRange{From: cadence.DateOf(start.In(loc)), To: cadence.DateOf(start.AddDate(0, 0, 4).In(loc)), Note: "simulated leave"}
		if err := eng.SetOutOfOffice(ctx, p.ID, r); err != nil {
			return fmt.Errorf("sim: out of office for %s: %w", p.ID, err)
		}
		res.OOODays += 5
	}
	return nil
}

// plan decides, from a hash of (seed, occurrence, person) so that the
// outcome does not depend on iteration order, whether and when a person
// answers a prompt delivered at t.
func plan(seed uint64, p profile, m *cadence.Message, t time.Time, eng *cadence.Engine) (time.Time, bool) {
	r := rand.New(rand.NewPCG(seed, hash(m.OccurrenceID, m.To.Person)))
	if r.Float64() >= p.answerProb {
		return time.Time{}, false
	}
	delay := time.Duration(float64(p.latency) * (0.2 + 1.6*r.Float64()))
	if r.Float64() < p.lateProb {
		// A late answer: after the person's window closed.
		if rit := eng.Ritual(m.RitualID); rit != nil {
			delay = rit.Window + time.Duration(r.IntN(180)+1)*time.Minute
		}
	} else if rit := eng.Ritual(m.RitualID); rit != nil && delay >= rit.Window {
		delay = rit.Window * 9 / 10
	}
	return t.Add(delay), true
}

// phrases are synthetic answers per default question ID; other
// questions get the generic pool.
var phrases = map[string][]string{
	"yesterday": {"Closed the drift alert follow-up for the ranking model.", "Shipped the feature-store backfill.", "Reviewed the eval regression on churn-v7.", "Rotated the serving credentials."},
	"today":     {"Retraining the fraud model on November data.", "Migrating the batch scorer to the new cluster.", "Writing the data contract for payments events.", "Tuning the latency SLO alerts."},
	"incidents": {"None on my side.", "Feature freshness lag on the recommendations pipeline, 40 minutes on Tuesday.", "Drift alert on ranker-v3 after the catalogue import.", "Batch scoring job failed twice on spot instance loss."},
	"alerts":    {"", "The p99 latency alert on churn-serving is too noisy.", "Null-rate alert on the payments contract fired without an owner."},
	"releases":  {"churn-v8 retrain, medium risk.", "Feature flag to route 10% of traffic to ranker-v4.", "Nothing this week.", "Rollback plan rehearsal for fraud-v12."},
	"risks":     {"", "ranker-v4 canary: rollback is a flag flip.", "fraud-v12 depends on the new feature view; rollback pins v11."},
	"quality":   {"Eval metrics stable; AUC within 0.3 points of baseline.", "Drift on two features of churn, under threshold.", "Latency SLO met all week.", "Regression on the long-tail segment, investigating."},
	"actions":   {"", "Add a segment-level eval to the release checklist.", "Tighten the drift threshold on the catalogue features."},
	"blockers":  {"", "", "", "", "Waiting on data-platform for the contract sign-off.", "GPU quota for the retrain is still pending."},
	"check":     {"done", "done", "done", "", "not done: waiting on the data team"},
	"":          {"Progress as planned.", "Nothing new since last time.", "Details in the team tracker."},
}

func answer(ctx context.Context, eng *cadence.Engine, p pending, seed uint64) error {
	rit := eng.Ritual(strings.SplitN(p.occurrenceID, "@", 2)[0])
	if rit == nil {
		return fmt.Errorf("unknown ritual in %s", p.occurrenceID)
	}
	r := rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, hash(p.occurrenceID, p.person)))
	var rs []cadence.Response
	for _, q := range rit.Questions {
		pool, ok := phrases[q.ID]
		if cadence.IsChecklistQuestion(q.ID) {
			pool, ok = phrases["check"], true
		}
		if !ok {
			pool = phrases[""]
			if q.Blocker {
				pool = phrases["blockers"]
			}
		}
		text := pool[r.IntN(len(pool))]
		if text == "" && q.Required {
			text = "Nothing to report."
		}
		if q.Type != cadence.QuestionText {
			text = typedAnswer(r, &q)
		}
		if q.IsFollowUp() && !q.Shown(answerTo(rs, q.FollowUpOf)) {
			text = ""
		}
		rs = append(rs, cadence.Response{QuestionID: q.ID, Text: text})
	}
	_, err := eng.SubmitAnswer(ctx, cadence.AnswerInput{OccurrenceID: p.occurrenceID, PersonID: p.person, Responses: rs, Via: "simulate"})
	return err
}

// typedAnswer picks an answer a typed question takes: mostly "no" to
// yes/no, a scale leaning to 3–4 (a plausible pulse), an option, a number
// inside the bounds.
func typedAnswer(r *rand.Rand, q *cadence.Question) string {
	switch q.Type {
	case cadence.QuestionYesNo:
		if r.IntN(5) == 0 {
			return cadence.Yes
		}
		return cadence.No
	case cadence.QuestionScale:
		return strconv.Itoa([]int{2, 3, 3, 4, 4, 4, 5}[r.IntN(7)])
	case cadence.QuestionChoice, cadence.QuestionMulti:
		return q.Options[r.IntN(len(q.Options))]
	case cadence.QuestionNumber:
		lo, hi := 0.0, 40.0
		if q.Min != nil {
			lo = *q.Min
		}
		if q.Max != nil {
			hi = *q.Max
		}
		if hi < lo {
			hi = lo
		}
		v := lo + r.Float64()*(hi-lo)
		if f := math.Floor(v); f >= lo {
			v = f // whole numbers read better, when the bounds allow
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func answerTo(rs []cadence.Response, id string) string {
	for _, x := range rs {
		if x.QuestionID == id {
			return x.Text
		}
	}
	return ""
}

func hash(parts ...string) uint64 {
	h := fnv.New64a()
	for _, s := range parts {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

func clamp(v, lo, hi float64) float64 { return min(max(v, lo), hi) }
