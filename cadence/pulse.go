package cadence

import (
	"sort"
	"time"
)

// PulseWeek is the week's answers to one 1–5 scale question (a mood or
// pulse) of one ritual, among the people and rituals a report covers:
// the dashboard's mood trend per team and week.
type PulseWeek struct {
	Week       string    // ISO week, "2026-W48"
	Start      time.Time // Monday 00:00 UTC
	RitualID   string
	QuestionID string
	Question   string // the question's text, for column headings
	Answers    int
	Mean       float64
	Median     float64
	// Counts[i] is how many answered i+1.
	Counts [ScaleMax - ScaleMin + 1]int
}

// pulseWeeks tallies scale answers by ISO week (of the occurrence),
// ritual and question, in week order, then ritual and question order.
// occs are the report's occurrences (already filtered by ritual and
// period); only filters people when set.
func pulseWeeks(occs []*Occurrence, answers map[string]map[string]*Answer, rituals []*Ritual, only map[string]bool) []PulseWeek {
	byID := map[string]*Ritual{}
	order := map[string]int{}
	for i, r := range rituals {
		byID[r.ID] = r
		order[r.ID] = i
	}
	type key struct{ week, ritual, question string }
	texts := map[key][]string{}
	starts := map[string]time.Time{}
	for _, o := range occs {
		r := byID[o.RitualID]
		if r == nil {
			continue
		}
		wk, start := isoWeek(o.Scheduled)
		for i := range r.Questions {
			q := &r.Questions[i]
			if q.Type != QuestionScale {
				continue
			}
			for p, a := range answers[o.ID] {
				if len(only) > 0 && !only[p] {
					continue
				}
				if t := a.Text(q.ID); t != "" {
					k := key{wk, r.ID, q.ID}
					texts[k] = append(texts[k], t)
					starts[wk] = start
				}
			}
		}
	}
	var out []PulseWeek
	for k, ts := range texts {
		r := byID[k.ritual]
		q := r.Question(k.question)
		t := TallyAnswers(q, ts)
		if t.Answered == 0 {
			continue
		}
		pw := PulseWeek{Week: k.week, Start: starts[k.week], RitualID: k.ritual, QuestionID: k.question, Question: q.Text,
			Answers: t.Answered, Mean: t.Mean, Median: t.Median}
		copy(pw.Counts[:], t.Counts)
		out = append(out, pw)
	}
	qpos := func(p PulseWeek) int {
		for i, q := range byID[p.RitualID].Questions {
			if q.ID == p.QuestionID {
				return i
			}
		}
		return 0
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Week != b.Week:
			return a.Week < b.Week
		case a.RitualID != b.RitualID:
			return order[a.RitualID] < order[b.RitualID]
		}
		return qpos(a) < qpos(b)
	})
	return out
}

// Series names one scale question of a ritual: a column of the
// dashboard's mood table.
func (p PulseWeek) Series() string { return p.RitualID + "/" + p.QuestionID }

// MeanText is the mean with one decimal: "3.7".
func (p PulseWeek) MeanText() string {
	return fmtStat(p.Mean)
}
