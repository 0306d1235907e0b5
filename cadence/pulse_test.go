package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// A report tallies 1–5 scale answers per ISO week, ritual and question,
// within its person filter.
func TestReportPulsePerWeek(t *testing.T) {
	r := &cadence.Ritual{ID: "standup", Title: "Standup", Questions: []cadence.Question{
		{ID: "today", Text: "Today?"},
		{ID: "mood", Text: "Mood?", Type: cadence.QuestionScale},
	}}
	mon := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC) // 2026-W48
	var occs []*cadence.Occurrence
	var answers []*cadence.Answer
	add := func(at time.Time, moods map[string]string) {
		o := &cadence.Occurrence{ID: cadence.OccurrenceID("standup", at), RitualID: "standup", Scheduled: at, Status: cadence.StatusClosed,
			OpenedAt: at, ClosesAt: at.Add(time.Hour), Expected: []string{"ana", "bo", "cy"}}
		occs = append(occs, o)
		for p, m := range moods {
			answers = append(answers, &cadence.Answer{OccurrenceID: o.ID, RitualID: "standup", PersonID: p, SubmittedAt: at.Add(time.Minute),
				Responses: []cadence.Response{{QuestionID: "today", Text: "x"}, {QuestionID: "mood", Text: m}}})
		}
	}
	add(mon, map[string]string{"ana": "4", "bo": "2", "cy": ""})
	add(mon.AddDate(0, 0, 1), map[string]string{"ana": "5"})
	add(mon.AddDate(0, 0, 7), map[string]string{"ana": "3", "bo": "1"}) // W49

	rep := cadence.BuildReport(cadence.ReportInput{Query: cadence.ReportQuery{From: mon.AddDate(0, 0, -1), To: mon.AddDate(0, 0, 14)},
		Now: mon.AddDate(0, 0, 14), Occurrences: occs, Answers: answers, Rituals: []*cadence.Ritual{r}})
	require.Len(t, rep.Pulse, 2)
	w48, w49 := rep.Pulse[0], rep.Pulse[1]
	assert.Equal(t, "2026-W48", w48.Week)
	assert.Equal(t, 3, w48.Answers, "an empty answer is no answer")
	assert.Equal(t, "3.7", w48.MeanText())
	assert.Equal(t, 4.0, w48.Median)
	assert.Equal(t, [5]int{0, 1, 0, 1, 1}, w48.Counts)
	assert.Equal(t, "Mood?", w48.Question)
	assert.Equal(t, "2026-W49", w49.Week)
	assert.Equal(t, 2.0, w49.Mean)

	onlyBo := cadence.BuildReport(cadence.ReportInput{Query: cadence.ReportQuery{From: mon.AddDate(0, 0, -1), To: mon.AddDate(0, 0, 14), PersonIDs: []string{"bo"}},
		Now: mon.AddDate(0, 0, 14), Occurrences: occs, Answers: answers, Rituals: []*cadence.Ritual{r}})
	require.Len(t, onlyBo.Pulse, 2)
	assert.Equal(t, 2.0, onlyBo.Pulse[0].Mean)
	assert.Equal(t, 1, onlyBo.Pulse[0].Answers)
}
