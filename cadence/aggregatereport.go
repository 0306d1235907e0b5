package cadence

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// reportFromAggregates is BuildReport's result read from aggregates: the
// stored ones for final occurrences, and ones computed from the facts,
// the same way, for what is not stored:
//   - open occurrences (their figures still move with the clock);
//   - the people of a week the period cuts through when that week holds
//     a final occurrence outside the period (a week aggregate cannot be
//     split by day).
//
// Queries restricted to people are not served here (rows count only
// those people): the caller reads the facts for them.
func reportFromAggregates(tx Tx, in ReportInput, to time.Time) (*Report, error) {
	q := in.Query
	from := q.From
	wantRitual := set(q.RitualIDs)
	inRange := func(t time.Time) bool {
		return (from.IsZero() || !t.Before(from)) && t.Before(to)
	}
	var wFrom time.Time
	if !from.IsZero() {
		wFrom = WeekOf(from)
	}
	wTo := WeekOf(to.Add(-time.Nanosecond)).AddDate(0, 0, 7)

	stored, err := tx.OccurrenceAggregates(wFrom, wTo)
	if err != nil {
		return nil, fmt.Errorf("list occurrence aggregates: %w", err)
	}
	// Weeks cut by the period with a final occurrence outside it: their
	// people come from the facts.
	cut := map[int64]bool{} // week start, unix s
	var rows []*OccurrenceAggregate
	for _, a := range stored {
		if !inRange(a.Scheduled) {
			cut[WeekOf(a.Scheduled).Unix()] = true
			continue
		}
		if len(wantRitual) == 0 || wantRitual[a.RitualID] {
			rows = append(rows, a)
		}
	}

	// Computed from the facts: open occurrences, and cut weeks' people.
	var computed []*WeekAggregate
	pending := map[string]bool{} // people with a fact still pending
	add := func(o *Occurrence, answers map[string]*Answer, row bool) {
		oa := newOccurrenceAggregate(o)
		week := WeekOf(o.Scheduled)
		for _, f := range occurrenceFacts(o, answers, in.Now, nil) {
			oa.addFact(o, f, +1)
			if !f.counted && !f.excused {
				pending[f.person] = true
				continue
			}
			w := &WeekAggregate{Week: week, RitualID: o.RitualID, PersonID: f.person}
			w.addFact(o.Scheduled, f, +1)
			computed = append(computed, w)
		}
		if row {
			rows = append(rows, oa)
		}
	}
	open, err := tx.Occurrences(OccurrenceFilter{From: from, To: to, Status: []Status{StatusOpen}})
	if err != nil {
		return nil, fmt.Errorf("list open occurrences: %w", err)
	}
	for _, o := range open {
		if len(wantRitual) > 0 && !wantRitual[o.RitualID] {
			continue
		}
		as, err := tx.Answers(o.ID)
		if err != nil {
			return nil, fmt.Errorf("answers of %s: %w", o.ID, err)
		}
		add(o, byPerson(as), true)
	}
	for _, wk := range sortedWeeks(cut) {
		if q.WithoutPeople {
			break // cut weeks' facts feed people only
		}
		week := time.Unix(wk, 0).UTC()
		lo, hi := maxTime(week, from), minTime(week.AddDate(0, 0, 7), to)
		occs, err := tx.Occurrences(OccurrenceFilter{From: lo, To: hi})
		if err != nil {
			return nil, fmt.Errorf("list occurrences: %w", err)
		}
		subs, err := tx.SubmissionsBetween(lo, hi)
		if err != nil {
			return nil, fmt.Errorf("list answers: %w", err)
		}
		byOcc := map[string]map[string]*Answer{}
		for _, a := range subs {
			if byOcc[a.OccurrenceID] == nil {
				byOcc[a.OccurrenceID] = map[string]*Answer{}
			}
			byOcc[a.OccurrenceID][a.PersonID] = a
		}
		for _, o := range occs {
			if IsFinal(o.Status) && (len(wantRitual) == 0 || wantRitual[o.RitualID]) {
				add(o, byOcc[o.ID], false)
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b *OccurrenceAggregate) int {
		if c := a.Scheduled.Compare(b.Scheduled); c != 0 {
			return c
		}
		return strings.Compare(a.OccurrenceID, b.OccurrenceID)
	})

	rep := &Report{From: q.From, To: q.To, GeneratedAt: in.Now}
	var team figAcc
	rituals := map[string]*figAcc{}
	weeks := map[string]*figAcc{}
	weekStart := map[string]time.Time{}
	onTime := map[string]map[int64]bool{} // held on time, per ritual and scheduled instant
	for _, a := range rows {
		held := a.Status == StatusOpen || a.Status == StatusClosed
		ot := held && a.OpenDelay <= in.Tolerance
		if onTime[a.RitualID] == nil {
			onTime[a.RitualID] = map[int64]bool{}
		}
		onTime[a.RitualID][a.Scheduled.Unix()] = ot
		var row figAcc
		row.addCounts(a, ot)
		wk, start := isoWeek(a.Scheduled)
		weekStart[wk] = start
		for _, f := range []*figAcc{&team, getFig(rituals, a.RitualID), getFig(weeks, wk)} {
			f.addOccurrence(a, ot)
		}
		missing := a.Missing
		if len(missing) == 0 {
			missing = nil
		}
		rep.Occurrences = append(rep.Occurrences, OccurrenceAdherence{
			OccurrenceID: a.OccurrenceID, RitualID: a.RitualID, Scheduled: a.Scheduled, Status: a.Status,
			Late: a.Late, OpenDelay: a.OpenDelay, Tally: row.tallyWith(a.Latency), Missing: missing,
		})
	}
	rep.Team = team.tally()
	if !q.WithoutPulse && hasScale(in.Rituals, wantRitual) {
		// The weekly pulse tallies answers' text: from the facts, as
		// BuildReport does, only for teams that ask scale questions.
		if rep.Pulse, err = pulseFromFacts(tx, in, wantRitual, to); err != nil {
			return nil, err
		}
	}

	rep.Rituals = ritualRows(in.Rituals, rituals)
	for _, wk := range sortedKeys(weeks) {
		rep.Weeks = append(rep.Weeks, WeekAdherence{Week: wk, Start: weekStart[wk], Tally: weeks[wk].tally()})
	}
	if q.WithoutPeople {
		return rep, nil
	}

	people := map[string]*personFig{}
	var missingOcc error
	addWeek := func(w *WeekAggregate) {
		if len(wantRitual) > 0 && !wantRitual[w.RitualID] {
			return
		}
		p := people[w.PersonID]
		if p == nil {
			p = &personFig{}
			people[w.PersonID] = p
		}
		p.Excused += w.Excused
		p.lat.Merge(w.Latency)
		week := w.Week.Unix()
		if week != p.week {
			p.flushStreak()
			p.week = week
		}
		ritOnTime := onTime[w.RitualID]
		for _, o := range w.Outcomes {
			at := week + int64(o.At)
			ot, ok := ritOnTime[at]
			if !ok && missingOcc == nil {
				missingOcc = fmt.Errorf("week aggregate %s %s %s names an occurrence at %s without an aggregate",
					w.Week.Format("2006-01-02"), w.RitualID, w.PersonID, time.Unix(at, 0).UTC().Format(time.RFC3339))
			}
			p.Occurrences++
			p.Held++
			p.Expected++
			if ot {
				p.HeldOnTime++
			}
			if o.Outcome != OutcomeMissed {
				p.Answered++
			}
			if o.Outcome == OutcomeOnTime {
				p.AnsweredOnTime++
			}
			p.buf = append(p.buf, streakEntry{at: at, ritual: w.RitualID, onTime: o.Outcome == OutcomeOnTime})
		}
	}
	// Week aggregates arrive by week; the computed ones (open occurrences,
	// cut weeks) join them in week order, so each person's streak runs
	// forward a week at a time.
	slices.SortStableFunc(computed, func(a, b *WeekAggregate) int { return a.Week.Compare(b.Week) })
	next := 0
	feed := func(before int64) {
		for ; next < len(computed) && computed[next].Week.Unix() < before; next++ {
			addWeek(computed[next])
		}
	}
	err = tx.EachWeekAggregate(wFrom, wTo, func(w *WeekAggregate) error {
		week := w.Week.Unix()
		feed(week)
		if !cut[week] {
			addWeek(w)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list week aggregates: %w", err)
	}
	feed(math.MaxInt64)
	if missingOcc != nil {
		return nil, fmt.Errorf("%w: %w", errAggregatesInconsistent, missingOcc)
	}
	for p := range pending {
		if people[p] == nil {
			people[p] = &personFig{}
		}
	}

	for _, id := range rosterOrder(in.Roster, people) {
		p := people[id]
		p.flushStreak()
		rep.People = append(rep.People, PersonAdherence{PersonID: id, Name: in.Roster.displayName(id), Tally: p.tally(), Streak: p.streak})
	}
	return rep, nil
}

var errAggregatesInconsistent = fmt.Errorf("aggregates are inconsistent with each other")

// figAcc accumulates a Tally and its latency histogram.
type figAcc struct {
	Tally
	lat histAcc
}

func (f *figAcc) addOccurrence(a *OccurrenceAggregate, onTime bool) {
	f.addCounts(a, onTime)
	f.lat.merge(a.Latency)
}

func (f *figAcc) addCounts(a *OccurrenceAggregate, onTime bool) {
	f.Occurrences++
	switch a.Status {
	case StatusOpen, StatusClosed:
		f.Held++
		if onTime {
			f.HeldOnTime++
		}
	case StatusMissed:
		f.Missed++
	case StatusSkipped:
		f.Skipped++
	}
	f.Expected += a.Expected
	f.Excused += a.Excused
	f.Answered += a.Answered
	f.AnsweredOnTime += a.AnsweredOnTime
}

func (f *figAcc) tally() Tally { return f.tallyWith(f.lat.histogram()) }

func (f *figAcc) tallyWith(h Histogram) Tally {
	t := f.Tally
	t.MedianLatency = h.Median()
	t.Score = TeamScore(t)
	return t
}

func getFig(m map[string]*figAcc, k string) *figAcc {
	f := m[k]
	if f == nil {
		f = &figAcc{}
		m[k] = f
	}
	return f
}

// histDense is how many buckets histAcc keeps in an array: latencies up
// to about 24 days; longer ones go to a sparse Histogram.
const histDense = 1024

// histAcc merges many small histograms into one at O(1) per bucket.
type histAcc struct {
	dense  *[histDense]HistBucket
	sparse Histogram
}

func (a *histAcc) merge(h Histogram) {
	for _, b := range h.Buckets {
		if b.Index >= histDense {
			a.sparse.Merge(Histogram{Buckets: []HistBucket{b}})
			continue
		}
		if a.dense == nil {
			a.dense = new([histDense]HistBucket)
		}
		d := &a.dense[b.Index]
		d.Count += b.Count
		d.Sum += b.Sum
	}
}

func (a *histAcc) histogram() Histogram {
	var h Histogram
	if a.dense != nil {
		for i, b := range a.dense {
			if b.Count > 0 {
				h.Buckets = append(h.Buckets, HistBucket{Index: uint32(i), Count: b.Count, Sum: b.Sum})
			}
		}
	}
	h.Buckets = append(h.Buckets, a.sparse.Buckets...)
	return h
}

// personFig is one person's figures and their streak, run forward a week
// at a time: buf holds the current week's counted prompts.
type personFig struct {
	Tally
	lat    Histogram // small: merged in place
	week   int64
	buf    []streakEntry
	streak int
}

func (p *personFig) tally() Tally {
	t := p.Tally
	t.MedianLatency = p.lat.Median()
	t.Score = TeamScore(t)
	return t
}

type streakEntry struct {
	at     int64
	ritual string
	onTime bool
}

// flushStreak runs the streak over the buffered week: an on-time answer
// extends it, anything else restarts it. Ties are taken in reverse
// occurrence ID order, so the result is streak()'s, which walks back from
// the newest with ties in occurrence ID order.
func (p *personFig) flushStreak() {
	if len(p.buf) == 0 {
		return
	}
	slices.SortFunc(p.buf, func(a, b streakEntry) int {
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		return strings.Compare(b.ritual+"@", a.ritual+"@")
	})
	for _, e := range p.buf {
		if e.onTime {
			p.streak++
		} else {
			p.streak = 0
		}
	}
	p.buf = p.buf[:0]
}

func hasScale(rs []*Ritual, want map[string]bool) bool {
	for _, r := range rs {
		if len(want) > 0 && !want[r.ID] {
			continue
		}
		for _, q := range r.Questions {
			if q.Type == QuestionScale {
				return true
			}
		}
	}
	return false
}

func pulseFromFacts(tx Tx, in ReportInput, want map[string]bool, to time.Time) ([]PulseWeek, error) {
	q := in.Query
	occs, err := tx.Occurrences(OccurrenceFilter{From: q.From, To: to})
	if err != nil {
		return nil, fmt.Errorf("list occurrences: %w", err)
	}
	kept := occs[:0]
	for _, o := range occs {
		if len(want) == 0 || want[o.RitualID] {
			kept = append(kept, o)
		}
	}
	// AnswersBetween, not SubmissionsBetween: the pulse is in the text.
	subs, err := tx.AnswersBetween(q.From, to)
	if err != nil {
		return nil, fmt.Errorf("list answers: %w", err)
	}
	answers := map[string]map[string]*Answer{}
	for _, a := range subs {
		if answers[a.OccurrenceID] == nil {
			answers[a.OccurrenceID] = map[string]*Answer{}
		}
		answers[a.OccurrenceID][a.PersonID] = a
	}
	return pulseWeeks(kept, answers, in.Rituals, nil), nil
}

func byPerson(as []*Answer) map[string]*Answer {
	m := make(map[string]*Answer, len(as))
	for _, a := range as {
		m[a.PersonID] = a
	}
	return m
}

func sortedWeeks(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for t := range m {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
