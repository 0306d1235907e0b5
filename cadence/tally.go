package cadence

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// AnswerTally sums up the answers to one typed question: how many chose each
// option (choices, yes/no, scale points), and for scales and numbers the
// mean and median. Summaries show it above the answers; it is computed
// from the answers whenever a summary is drawn, never stored.
type AnswerTally struct {
	Question *Question
	Answered int
	// Counts per option, in the question's order (nil for numbers).
	Options []string
	Counts  []int
	// Mean, Median, Min and Max of the numeric answers (scale, number).
	Mean, Median, Min, Max float64
}

// Tallied reports whether q's answers are tallied in summaries (every
// type but free text).
func (q *Question) Tallied() bool { return q.Type != QuestionText }

// TallyAnswers tallies the stored answers texts (canonical form, one per
// person; empty ones are skipped) to q.
func TallyAnswers(q *Question, texts []string) AnswerTally {
	t := AnswerTally{Question: q, Options: q.Choices()}
	if t.Options != nil {
		t.Counts = make([]int, len(t.Options))
	}
	var nums []float64
	for _, s := range texts {
		if strings.TrimSpace(s) == "" {
			continue
		}
		t.Answered++
		for _, part := range strings.Split(s, "\n") {
			if i := slices.Index(t.Options, part); i >= 0 {
				t.Counts[i]++
			}
		}
		if q.Type == QuestionScale || q.Type == QuestionNumber {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				nums = append(nums, f)
			}
		}
	}
	if len(nums) > 0 {
		slices.Sort(nums)
		sum := 0.0
		for _, f := range nums {
			sum += f
		}
		t.Mean, t.Min, t.Max = sum/float64(len(nums)), nums[0], nums[len(nums)-1]
		t.Median = nums[len(nums)/2]
		if len(nums)%2 == 0 {
			t.Median = (nums[len(nums)/2-1] + nums[len(nums)/2]) / 2
		}
	}
	return t
}

// String words the tally in one line: "Training 2 · Serving 1 · Data 0
// (3 answers)", "mean 3.5 · median 4 · 1:0 2:1 3:0 4:2 5:1 (4 answers)",
// "mean 12.5 · median 12.5 · 5–20 (2 answers)".
func (t AnswerTally) String() string { return t.in(words{DefaultLocalizer(), DefaultLanguage}) }

// in words the tally in w's language: its decimal separator too.
func (t AnswerTally) in(w words) string {
	n := "(" + w.n("tally.answers", t.Answered) + ")"
	if t.Answered == 0 {
		return w.t("tally.none_yet")
	}
	stat := func(f float64) string { return w.l.Number(w.lang, math.Round(f*10)/10, 1) }
	var parts []string
	if t.Question.Type == QuestionScale || t.Question.Type == QuestionNumber {
		parts = append(parts, w.t("tally.mean", "Value", stat(t.Mean)), w.t("tally.median", "Value", stat(t.Median)))
	}
	switch t.Question.Type {
	case QuestionScale:
		var pts []string
		for i, o := range t.Options {
			pts = append(pts, fmt.Sprintf("%s:%d", o, t.Counts[i]))
		}
		parts = append(parts, strings.Join(pts, " "))
	case QuestionNumber:
		parts = append(parts, w.t("tally.range", "Min", stat(t.Min), "Max", stat(t.Max)))
	default:
		for i, o := range t.Options {
			parts = append(parts, fmt.Sprintf("%s %d", o, t.Counts[i]))
		}
	}
	return strings.Join(parts, " · ") + " " + n
}

// tallySection sums up the typed questions of r among the answers of the
// people expected in o: one line per question. ok is false when r asks
// none.
func (c composer) tallySection(w words, r *Ritual, o *Occurrence, byPerson map[string]*Answer) (Section, bool) {
	var lines []string
	for i := range r.Questions {
		q := &r.Questions[i]
		if !q.Tallied() || IsChecklistQuestion(q.ID) {
			continue
		}
		var texts []string
		for _, p := range o.Expected {
			if a := byPerson[p]; a != nil {
				texts = append(texts, a.Text(q.ID))
			}
		}
		lines = append(lines, UserText(q.In(w.lang).Text)+" — "+TallyAnswers(q, texts).in(w))
	}
	return Section{Heading: w.t("tally.heading"), Lines: lines}, len(lines) > 0
}

// fmtStat rounds a statistic to one decimal: 3.5, 4, 12.3.
func fmtStat(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }
