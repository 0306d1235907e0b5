package dashboard_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// fakeService computes reports from a list of per-prompt facts, honouring
// every ReportQuery field, so tests can check that filters reach the
// figures. It embeds a nil cadence.Service: any call the read-only
// dashboard must never make (SubmitAnswer, Skip, ...) panics.
type fakeService struct {
	cadence.Service
	roster  *cadence.Roster
	rituals []*cadence.Ritual
	occs    []fakeOcc
	now     time.Time
	// fixed, when set, is returned for every query (benchmarks).
	fixed   *cadence.Report
	reports atomic.Int64
}

type fakeOcc struct {
	ritual    string
	scheduled time.Time
	status    cadence.Status
	late      bool
	prompts   []fakePrompt
}

type fakePrompt struct {
	person  string
	excused bool
	// answered at latency; onTime when before the person's close.
	answered bool
	onTime   bool
	latency  time.Duration
}

func (f *fakeService) Roster() *cadence.Roster    { return f.roster }
func (f *fakeService) Rituals() []*cadence.Ritual { return f.rituals }
func (f *fakeService) Ritual(id string) *cadence.Ritual {
	for _, r := range f.rituals {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (f *fakeService) Report(_ context.Context, q cadence.ReportQuery) (*cadence.Report, error) {
	f.reports.Add(1)
	if f.fixed != nil {
		return f.fixed, nil
	}
	return f.compute(q), nil
}

type acc struct {
	t         cadence.Tally
	latencies []time.Duration
}

func (a *acc) occ(o fakeOcc, persons func(string) bool) {
	a.t.Occurrences++
	switch o.status {
	case cadence.StatusSkipped:
		a.t.Skipped++
		return
	case cadence.StatusMissed:
		a.t.Missed++
		return
	}
	a.t.Held++
	if !o.late {
		a.t.HeldOnTime++
	}
	for _, p := range o.prompts {
		if persons(p.person) {
			a.prompt(p)
		}
	}
}

func (a *acc) prompt(p fakePrompt) {
	if p.excused {
		a.t.Excused++
		return
	}
	a.t.Expected++
	if p.answered {
		a.t.Answered++
		a.latencies = append(a.latencies, p.latency)
		if p.onTime {
			a.t.AnsweredOnTime++
		}
	}
}

// done fills the median and a stand-in score; the real formula is the
// engine's, the dashboard only displays it.
func (a *acc) done() cadence.Tally {
	t := a.t
	if n := len(a.latencies); n > 0 {
		slices.Sort(a.latencies)
		t.MedianLatency = a.latencies[n/2]
		if n%2 == 0 {
			t.MedianLatency = (a.latencies[n/2-1] + a.latencies[n/2]) / 2
		}
	}
	if held := t.Occurrences - t.Skipped; held > 0 {
		t.Score = 40 * float64(t.HeldOnTime) / float64(held)
		if t.Expected > 0 {
			t.Score += 60 * float64(t.AnsweredOnTime) / float64(t.Expected)
		} else {
			t.Score += 60 * float64(t.HeldOnTime) / float64(held)
		}
	}
	return t
}

func (f *fakeService) compute(q cadence.ReportQuery) *cadence.Report {
	persons := func(id string) bool { return len(q.PersonIDs) == 0 || slices.Contains(q.PersonIDs, id) }
	rep := &cadence.Report{From: q.From, To: q.To, GeneratedAt: f.now}
	var team acc
	rituals := map[string]*acc{}
	people := map[string]*acc{}
	streakDone := map[string]bool{}
	streak := map[string]int{}
	weeks := map[string]*acc{}
	var sel []fakeOcc
	for _, o := range f.occs {
		if o.scheduled.Before(q.From) || !o.scheduled.Before(q.To) {
			continue
		}
		if len(q.RitualIDs) > 0 && !slices.Contains(q.RitualIDs, o.ritual) {
			continue
		}
		sel = append(sel, o)
	}
	for _, o := range sel {
		team.occ(o, persons)
		if rituals[o.ritual] == nil {
			rituals[o.ritual] = &acc{}
		}
		rituals[o.ritual].occ(o, persons)
		y, w := o.scheduled.ISOWeek()
		wk := fmt.Sprintf("%04d-W%02d", y, w)
		if weeks[wk] == nil {
			weeks[wk] = &acc{}
		}
		weeks[wk].occ(o, persons)
		var one acc
		one.occ(o, persons)
		t := one.done()
		oa := cadence.OccurrenceAdherence{
			OccurrenceID: cadence.OccurrenceID(o.ritual, o.scheduled), RitualID: o.ritual,
			Scheduled: o.scheduled, Status: o.status, Late: o.late, Tally: t,
		}
		for _, p := range o.prompts {
			if o.status == cadence.StatusClosed && persons(p.person) && !p.excused && !p.answered {
				oa.Missing = append(oa.Missing, p.person)
			}
			if o.status != cadence.StatusClosed || !persons(p.person) {
				continue
			}
			if people[p.person] == nil {
				people[p.person] = &acc{}
			}
			// The person's occurrences, as the engine counts them, so
			// their score has the held-on-time part.
			pa := people[p.person]
			pa.t.Occurrences++
			pa.t.Held++
			if !o.late {
				pa.t.HeldOnTime++
			}
			pa.prompt(p)
		}
		rep.Occurrences = append(rep.Occurrences, oa)
	}
	// Streaks: most recent prompts first.
	for i := len(sel) - 1; i >= 0; i-- {
		if sel[i].status != cadence.StatusClosed {
			continue
		}
		for _, p := range sel[i].prompts {
			if p.excused || streakDone[p.person] {
				continue
			}
			if p.answered && p.onTime {
				streak[p.person]++
			} else {
				streakDone[p.person] = true
			}
		}
	}
	rep.Team = team.done()
	for _, r := range f.rituals {
		if a := rituals[r.ID]; a != nil {
			rep.Rituals = append(rep.Rituals, cadence.RitualAdherence{RitualID: r.ID, Title: r.Title, Tally: a.done()})
		}
	}
	for _, p := range f.roster.People() {
		if a := people[p.ID]; a != nil {
			rep.People = append(rep.People, cadence.PersonAdherence{PersonID: p.ID, Name: p.Name, Tally: a.done(), Streak: streak[p.ID]})
		}
	}
	keys := make([]string, 0, len(weeks))
	for k := range weeks {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var y, w int
		fmt.Sscanf(k, "%d-W%d", &y, &w)
		rep.Weeks = append(rep.Weeks, cadence.WeekAdherence{Week: k, Start: isoWeekStart(y, w), Tally: weeks[k].done()})
	}
	return rep
}

func isoWeekStart(year, week int) time.Time {
	// Jan 4 is always in week 1.
	jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, time.UTC)
	mon := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return mon.AddDate(0, 0, 7*(week-1))
}

// fixtureNow is a Wednesday; the default range is the 12 ISO weeks
// ending this week (2025-12-15 .. 2026-03-04).
var fixtureNow = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

type fixtureSpec struct {
	people  int
	rituals int // 1..5: standup (weekdays), triage (Mon), planning (Tue), quality (Thu), retro (Fri)
	weeks   int // ending the week before fixtureNow's week, plus fixtureNow's week up to now
	seed    uint64
}

var capabilityNames = []string{"ci-cd", "feature-store", "data-contracts", "observability", "release"}

// newFixture builds a deterministic team history: people answer on time,
// late or not at all with per-person habits; some are out of office; one
// triage was missed while the bot was down; one planning was skipped.
func newFixture(spec fixtureSpec) *fakeService {
	rng := rand.New(rand.NewPCG(spec.seed, 7))
	var people []*cadence.Person
	for i := range spec.people {
		people = append(people, &cadence.Person{
			ID:           fmt.Sprintf("p%03d", i),
			Name:         fmt.Sprintf("%s %c.", firstNames[i%len(firstNames)], 'A'+rune(i/len(firstNames)%26)),
			Role:         cadence.RoleSpecialist,
			Capabilities: []string{capabilityNames[i%len(capabilityNames)], capabilityNames[(i/2+1)%len(capabilityNames)]},
		})
	}
	all := []struct {
		id, title string
		days      []time.Weekday
		hour      int
	}{
		{"standup", "Daily standup", []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, 7},
		{"triage", "Weekly triage", []time.Weekday{time.Monday}, 8},
		{"planning", "Deployment planning", []time.Weekday{time.Tuesday}, 13},
		{"quality", "Quality review", []time.Weekday{time.Thursday}, 14},
		{"retro", "Retro", []time.Weekday{time.Friday}, 15},
	}[:spec.rituals]
	f := &fakeService{roster: cadence.NewRoster(people), now: fixtureNow}
	for _, r := range all {
		f.rituals = append(f.rituals, &cadence.Ritual{ID: r.id, Title: r.title})
	}
	habit := make([]float64, len(people)) // probability of answering on time
	for i := range habit {
		habit[i] = 0.45 + 0.5*rng.Float64()
	}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -7*spec.weeks)
	for day := start; day.Before(fixtureNow); day = day.AddDate(0, 0, 1) {
		for _, r := range all {
			if !slices.Contains(r.days, day.Weekday()) {
				continue
			}
			o := fakeOcc{ritual: r.id, scheduled: day.Add(time.Duration(r.hour) * time.Hour), status: cadence.StatusClosed}
			if !o.scheduled.Add(4 * time.Hour).Before(fixtureNow) {
				continue // still open: not in the fixture
			}
			week := int(day.Sub(start).Hours() / 24 / 7)
			switch {
			case r.id == "triage" && week == spec.weeks-3:
				o.status = cadence.StatusMissed
			case r.id == "planning" && week == spec.weeks-5:
				o.status = cadence.StatusSkipped
			case r.id == "quality" && week == spec.weeks-2:
				o.late = true
			}
			if o.status == cadence.StatusClosed {
				for i, p := range people {
					fp := fakePrompt{person: p.ID}
					x := rng.Float64()
					switch {
					case (i+week)%11 == 0:
						fp.excused = true // out of office this week
					case x < habit[i]:
						fp.answered, fp.onTime = true, true
						fp.latency = time.Duration(2+rng.IntN(180)) * time.Minute
					case x < habit[i]+0.1:
						fp.answered = true
						fp.latency = time.Duration(5+rng.IntN(20)) * time.Hour
					}
					o.prompts = append(o.prompts, fp)
				}
			}
			f.occs = append(f.occs, o)
		}
	}
	slices.SortStableFunc(f.occs, func(a, b fakeOcc) int { return cmp.Compare(a.scheduled.UnixNano(), b.scheduled.UnixNano()) })
	return f
}

var firstNames = []string{"Ana", "Bogdan", "Katarzyna", "Milan", "Nino", "Aigerim", "Lukas", "Marta", "Giorgi", "Dana", "Piotr", "Jelena"}
