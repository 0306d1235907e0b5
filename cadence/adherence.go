package cadence

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// Score weights; see TeamScore.
const (
	weightParticipation = 0.4
	weightOnTime        = 0.4
	weightHeldOnTime    = 0.2
)

// TeamScore is the adherence score of a tally, from 0 to 100:
//
//	Score = 100 × (0.4 × participation + 0.4 × on-time answers + 0.2 × rituals held on time)
//
//	participation     = Answered / Expected
//	on-time answers   = AnsweredOnTime / Expected
//	held on time      = HeldOnTime / (Occurrences − Skipped)
//
// Skipped occurrences and excused people (out of office, holiday,
// declined) count nowhere. Missed occurrences (cadencebot was down for the
// whole window) count against "held on time" only: nobody was asked. A
// late answer counts for participation but not for on-time answers. A term
// whose denominator is zero is dropped and the remaining weights are
// renormalised (a period with nothing but skipped occurrences scores 0).
// The result is rounded to one decimal.
func TeamScore(t Tally) float64 {
	var sum, weight float64
	if t.Expected > 0 {
		sum += weightParticipation * float64(t.Answered) / float64(t.Expected)
		sum += weightOnTime * float64(t.AnsweredOnTime) / float64(t.Expected)
		weight += weightParticipation + weightOnTime
	}
	if held := t.Occurrences - t.Skipped; held > 0 {
		sum += weightHeldOnTime * float64(t.HeldOnTime) / float64(held)
		weight += weightHeldOnTime
	}
	if weight == 0 {
		return 0
	}
	return math.Round(1000*sum/weight) / 10
}

// ReportInput is what BuildReport reads. The engine fills it from the
// store; tests fill it by hand.
type ReportInput struct {
	Query       ReportQuery
	Now         time.Time
	Tolerance   time.Duration // opened within it of being due = held on time
	Occurrences []*Occurrence
	Answers     []*Answer
	Rituals     []*Ritual // for titles and ordering; may be empty
	Roster      *Roster   // for names and ordering; may be nil
}

// personFact is one person's outcome for one held occurrence.
type personFact struct {
	person    string
	scheduled time.Time
	counted   bool // expected and no longer pending
	excused   bool
	answered  bool
	onTime    bool
	latency   time.Duration
}

// acc accumulates a Tally and the latencies for its median.
type acc struct {
	Tally
	latencies []time.Duration
}

func (a *acc) addOccurrence(o *Occurrence, onTime bool) {
	a.Occurrences++
	switch o.Status {
	case StatusOpen, StatusClosed:
		a.Held++
		if onTime {
			a.HeldOnTime++
		}
	case StatusMissed:
		a.Missed++
	case StatusSkipped:
		a.Skipped++
	}
}

func (a *acc) addFact(f personFact) {
	if f.excused {
		a.Excused++
		return
	}
	if !f.counted {
		return
	}
	a.Expected++
	if f.answered {
		a.Answered++
		a.latencies = append(a.latencies, f.latency)
	}
	if f.onTime {
		a.AnsweredOnTime++
	}
}

func (a *acc) tally() Tally {
	t := a.Tally
	t.MedianLatency = median(a.latencies)
	t.Score = TeamScore(t)
	return t
}

// median of ds, the mean of the middle two for an even count; 0 if empty.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// occurrenceFacts judges one occurrence at now: whether it was held on time
// and, per person, whether they answered and in time. People whose window
// is still open and who have not answered yet are left out (not counted
// against anyone). only, when non-empty, restricts the people considered.
func occurrenceFacts(o *Occurrence, answers map[string]*Answer, now time.Time, only map[string]bool) []personFact {
	if o.Status != StatusOpen && o.Status != StatusClosed {
		return nil
	}
	var out []personFact
	for _, p := range sortedKeys(o.Excused) {
		if len(only) == 0 || only[p] {
			out = append(out, personFact{person: p, scheduled: o.Scheduled, excused: true})
		}
	}
	for _, p := range o.Expected {
		if len(only) > 0 && !only[p] {
			continue
		}
		f := personFact{person: p, scheduled: o.Scheduled}
		closeAt := o.PersonCloseAt(p)
		a := answers[p]
		switch {
		case a != nil:
			f.counted, f.answered = true, true
			f.onTime = !a.SubmittedAt.After(closeAt)
			from := o.PersonPromptAt(p)
			if t, ok := o.Prompted[p]; ok {
				from = t // the prompt actually went out then (later, after downtime)
			}
			if f.latency = a.SubmittedAt.Sub(from); f.latency < 0 {
				f.latency = 0
			}
		case o.Status == StatusOpen && now.Before(closeAt):
			// still pending: neither answered nor late yet
		default:
			f.counted = true
		}
		out = append(out, f)
	}
	return out
}

// BuildReport computes adherence: per occurrence, per ritual, per person,
// per ISO week (of the scheduled time in UTC) and for the team. It is a
// pure function of its input.
func BuildReport(in ReportInput) *Report {
	q := in.Query
	wantRitual := set(q.RitualIDs)
	only := set(q.PersonIDs)
	answers := map[string]map[string]*Answer{}
	for _, a := range in.Answers {
		if answers[a.OccurrenceID] == nil {
			answers[a.OccurrenceID] = map[string]*Answer{}
		}
		answers[a.OccurrenceID][a.PersonID] = a
	}
	occs := slices.Clone(in.Occurrences)
	sort.SliceStable(occs, func(i, j int) bool {
		if !occs[i].Scheduled.Equal(occs[j].Scheduled) {
			return occs[i].Scheduled.Before(occs[j].Scheduled)
		}
		return occs[i].ID < occs[j].ID
	})

	rep := &Report{From: q.From, To: q.To, GeneratedAt: in.Now}
	var team acc
	rituals := map[string]*acc{}
	weeks := map[string]*acc{}
	weekStart := map[string]time.Time{}
	people := map[string]*acc{}
	facts := map[string][]personFact{}
	var kept []*Occurrence
	for _, o := range occs {
		if (len(wantRitual) > 0 && !wantRitual[o.RitualID]) ||
			(!q.From.IsZero() && o.Scheduled.Before(q.From)) || (!q.To.IsZero() && !o.Scheduled.Before(q.To)) {
			continue
		}
		kept = append(kept, o)
		held := o.Status == StatusOpen || o.Status == StatusClosed
		onTime := held && o.Delay() <= in.Tolerance
		fs := occurrenceFacts(o, answers[o.ID], in.Now, only)

		var row acc
		row.addOccurrence(o, onTime)
		wk, start := isoWeek(o.Scheduled)
		for _, a := range []*acc{&team, get(rituals, o.RitualID), get(weeks, wk)} {
			a.addOccurrence(o, onTime)
		}
		weekStart[wk] = start
		var missing []string
		for _, f := range fs {
			for _, a := range []*acc{&row, &team, get(rituals, o.RitualID), get(weeks, wk)} {
				a.addFact(f)
			}
			// A person's occurrences are those they were asked to answer
			// and whose outcome is known; "held on time" then means the
			// rituals they took part in started on time.
			pa := get(people, f.person)
			if f.counted {
				pa.addOccurrence(o, onTime)
			}
			pa.addFact(f)
			facts[f.person] = append(facts[f.person], f)
			if f.counted && !f.answered {
				missing = append(missing, f.person)
			}
		}
		rep.Occurrences = append(rep.Occurrences, OccurrenceAdherence{
			OccurrenceID: o.ID, RitualID: o.RitualID, Scheduled: o.Scheduled, Status: o.Status,
			Late: o.Late, OpenDelay: openDelay(o), Tally: row.tally(), Missing: missing,
		})
	}
	rep.Team = team.tally()
	rep.Pulse = pulseWeeks(kept, answers, in.Rituals, only)

	rep.Rituals = ritualRows(in.Rituals, rituals)
	for _, id := range rosterOrder(in.Roster, people) {
		rep.People = append(rep.People, PersonAdherence{PersonID: id, Name: in.Roster.displayName(id), Tally: people[id].tally(), Streak: streak(facts[id])})
	}
	for _, wk := range sortedKeys(weeks) {
		rep.Weeks = append(rep.Weeks, WeekAdherence{Week: wk, Start: weekStart[wk], Tally: weeks[wk].tally()})
	}
	return rep
}

// openDelay is how late a held occurrence opened; 0 for the others.
func openDelay(o *Occurrence) time.Duration {
	if o.Status != StatusOpen && o.Status != StatusClosed {
		return 0
	}
	return o.Delay()
}

// streak counts the person's most recent counted prompts answered on time,
// stopping at the first one missed or answered late.
func streak(fs []personFact) int {
	s := slices.Clone(fs)
	sort.SliceStable(s, func(i, j int) bool { return s[i].scheduled.After(s[j].scheduled) })
	n := 0
	for _, f := range s {
		if !f.counted {
			continue
		}
		if !f.onTime {
			break
		}
		n++
	}
	return n
}

// isoWeek names the ISO week of t in UTC ("2026-W48") and returns its
// Monday 00:00 UTC.
func isoWeek(t time.Time) (string, time.Time) {
	t = t.UTC()
	y, w := t.ISOWeek()
	wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
	d := t.AddDate(0, 0, -wd)
	return fmt.Sprintf("%04d-W%02d", y, w), time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

func set(ids []string) map[string]bool {
	if len(ids) == 0 {
		return nil
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func get(m map[string]*acc, k string) *acc {
	a := m[k]
	if a == nil {
		a = &acc{}
		m[k] = a
	}
	return a
}

func ritualOrder(rs []*Ritual) map[string]int {
	m := map[string]int{}
	for i, r := range rs {
		m[r.ID] = i
	}
	return m
}

func personOrder(ps []*Person) map[string]int {
	m := map[string]int{}
	for i, p := range ps {
		m[p.ID] = i
	}
	return m
}

// orderedKeys lists m's keys in the given order, unknown keys last by name.
func orderedKeys[V any](m map[string]V, order map[string]int) []string {
	keys := sortedKeys(m)
	sort.SliceStable(keys, func(i, j int) bool {
		oi, iok := order[keys[i]]
		oj, jok := order[keys[j]]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return false
	})
	return keys
}

// ritualRows lists the rituals' tallies in config order, each titled
// (its ID when the config no longer names it).
func ritualRows[V interface{ tally() Tally }](rs []*Ritual, m map[string]V) []RitualAdherence {
	titles := map[string]string{}
	for _, r := range rs {
		titles[r.ID] = r.Title
	}
	var out []RitualAdherence
	for _, id := range orderedKeys(m, ritualOrder(rs)) {
		title := titles[id]
		if title == "" {
			title = id
		}
		out = append(out, RitualAdherence{RitualID: id, Title: title, Tally: m[id].tally()})
	}
	return out
}

// rosterOrder lists m's person IDs in roster order; people the roster no
// longer holds come after, by ID. roster may be nil.
func rosterOrder[V any](roster *Roster, m map[string]V) []string {
	var people []*Person
	if roster != nil {
		people = roster.People()
	}
	return orderedKeys(m, personOrder(people))
}

// displayName is the person's name, or id when the roster (which may be
// nil) does not name them.
func (r *Roster) displayName(id string) string {
	if r != nil {
		if p := r.Person(id); p != nil && p.Name != "" {
			return p.Name
		}
	}
	return id
}
