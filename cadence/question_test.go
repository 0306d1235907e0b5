package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func ptr(f float64) *float64 { return &f }

// typedRitual asks one question of every type, and a follow-up.
func typedRitual() *cadence.Ritual {
	return &cadence.Ritual{ID: "pulse", Title: "Pulse", Questions: []cadence.Question{
		{ID: "notes", Text: "Notes?"},
		{ID: "blocked", Text: "Blocked?", Type: cadence.QuestionYesNo, Required: true},
		{ID: "what", Text: "What blocks you?", FollowUpOf: "blocked", When: []string{"yes"}, Required: true, Blocker: true},
		{ID: "focus", Text: "Focus?", Type: cadence.QuestionChoice, Options: []string{"Training", "Serving", "Data"}},
		{ID: "areas", Text: "Areas?", Type: cadence.QuestionMulti, Options: []string{"Drift", "Latency", "Cost"}},
		{ID: "mood", Text: "Mood?", Type: cadence.QuestionScale},
		{ID: "gpus", Text: "GPU hours?", Type: cadence.QuestionNumber, Min: ptr(0), Max: ptr(100)},
	}}
}

func TestCanonicalResponses(t *testing.T) {
	tests := []struct {
		name    string
		in      map[string]string
		want    map[string]string // stored text per question
		wantErr map[string]string
	}{
		{name: "typed answers read leniently",
			in:   map[string]string{"blocked": "Y", "what": "eval set", "focus": " serving ", "areas": "cost\nDRIFT", "mood": " 4 ", "gpus": "2,5"},
			want: map[string]string{"blocked": "yes", "what": "eval set", "focus": "Serving", "areas": "Drift\nCost", "mood": "4", "gpus": "2.5"}},
		{name: "follow-up not shown needs no answer",
			in:   map[string]string{"blocked": "no"},
			want: map[string]string{"blocked": "no", "what": ""}},
		{name: "optional typed questions may stay empty",
			in:   map[string]string{"blocked": "no", "mood": "", "gpus": ""},
			want: map[string]string{"blocked": "no", "mood": "", "gpus": ""}},
		{name: "required follow-up shown",
			in:      map[string]string{"blocked": "yes"},
			wantErr: map[string]string{"what": "this question needs an answer"}},
		{name: "answer to a follow-up not shown is refused, not dropped",
			in:      map[string]string{"blocked": "no", "what": "stale text"},
			wantErr: map[string]string{"what": `Only if you answered yes to "Blocked?"; clear this answer or change that one`}},
		{name: "bad typed answers",
			in: map[string]string{"blocked": "maybe", "what": "x", "focus": "Ops", "areas": "Drift\nToil", "mood": "6", "gpus": "101"},
			wantErr: map[string]string{
				"blocked": `answer yes or no, not "maybe"`,
				"focus":   `"Ops" is not one of the options: Training, Serving, Data`,
				"areas":   `"Toil" is not one of the options: Drift, Latency, Cost`,
				"mood":    `answer with a whole number from 1 to 5, not "6"`,
				"gpus":    "101 is above the maximum, 100",
			}},
		{name: "number below min, not a number",
			in:      map[string]string{"blocked": "no", "gpus": "-1", "mood": "three"},
			wantErr: map[string]string{"gpus": "-1 is below the minimum, 0", "mood": `answer with a whole number from 1 to 5, not "three"`}},
		{name: "required yes/no",
			in:      map[string]string{"notes": "hi"},
			wantErr: map[string]string{"blocked": "this question needs an answer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := typedRitual()
			var rs []cadence.Response
			for _, q := range r.Questions {
				if v, ok := tt.in[q.ID]; ok {
					rs = append(rs, cadence.Response{QuestionID: q.ID, Text: v})
				}
			}
			got, err := cadence.CanonicalResponses(r, rs)
			if tt.wantErr != nil {
				var fe cadence.FieldErrors
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, tt.wantErr, map[string]string(fe))
				assert.ErrorIs(t, cadence.ValidateResponses(r, rs), cadence.ErrInvalidInput)
				return
			}
			require.NoError(t, err)
			m := map[string]string{}
			for _, x := range got {
				m[x.QuestionID] = x.Text
			}
			for id, w := range tt.want {
				assert.Equal(t, w, m[id], id)
			}
		})
	}
}

func TestCheckQuestion(t *testing.T) {
	yesNo := cadence.Question{ID: "blocked", Text: "Blocked?", Type: cadence.QuestionYesNo}
	text := cadence.Question{ID: "notes", Text: "Notes"}
	tests := []struct {
		name string
		q    cadence.Question
		want []cadence.QuestionProblem
	}{
		{"text is fine", text, nil},
		{"choice needs options", cadence.Question{ID: "c", Type: cadence.QuestionChoice, Options: []string{"a"}},
			[]cadence.QuestionProblem{{"options", "a choice question needs at least two options, got 1"}}},
		{"duplicate and blank options", cadence.Question{ID: "c", Type: cadence.QuestionMulti, Options: []string{"a", "A", " b"}},
			[]cadence.QuestionProblem{{"options", `option "A" is listed twice`}, {"options", `option 3 (" b") is empty or starts or ends with spaces`}}},
		{"options on a scale", cadence.Question{ID: "s", Type: cadence.QuestionScale, Options: []string{"a", "b"}},
			[]cadence.QuestionProblem{{"options", "only choice and multi_choice questions take options; this one is scale"}}},
		{"min above max", cadence.Question{ID: "n", Type: cadence.QuestionNumber, Min: ptr(5), Max: ptr(1)},
			[]cadence.QuestionProblem{{"max", "max (1) is below min (5)"}}},
		{"min on text", cadence.Question{ID: "n", Min: ptr(1)},
			[]cadence.QuestionProblem{{"min", "only number questions take min and max; this one is text"}}},
		{"typed plan", cadence.Question{ID: "p", Type: cadence.QuestionYesNo, Plan: true},
			[]cadence.QuestionProblem{{"plan", "the plan question is shown back as text; make it a text question"}}},
		{"follow-up fine", cadence.Question{ID: "w", FollowUpOf: "blocked", When: []string{"yes"}}, nil},
		{"follow-up of unknown", cadence.Question{ID: "w", FollowUpOf: "later", When: []string{"yes"}},
			[]cadence.QuestionProblem{{"follow_up_of", `"later" is not a question listed before this one`}}},
		{"follow-up of text", cadence.Question{ID: "w", FollowUpOf: "notes", When: []string{"x"}},
			[]cadence.QuestionProblem{{"follow_up_of", `"notes" is a text question; a follow-up needs yes_no, choice, multi_choice or scale`}}},
		{"follow-up without when", cadence.Question{ID: "w", FollowUpOf: "blocked"},
			[]cadence.QuestionProblem{{"when", `list the answers to "blocked" that show this question (e.g. when = ["yes"])`}}},
		{"when not an answer", cadence.Question{ID: "w", FollowUpOf: "blocked", When: []string{"Yes"}},
			[]cadence.QuestionProblem{{"when", `"Yes" is not an answer to "blocked"; it takes "yes" or "no"`}}},
		{"when without follow_up_of", cadence.Question{ID: "w", When: []string{"yes"}},
			[]cadence.QuestionProblem{{"when", "when needs follow_up_of: the question whose answers show this one"}}},
		{"follow-up of a follow-up", cadence.Question{ID: "w2", FollowUpOf: "w", When: []string{"yes"}},
			[]cadence.QuestionProblem{{"follow_up_of", `"w" is itself a follow-up; follow-ups go one level deep`}}},
	}
	earlier := []cadence.Question{text, yesNo, {ID: "w", Type: cadence.QuestionYesNo, FollowUpOf: "blocked", When: []string{"yes"}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, cadence.CheckQuestion(tt.q, earlier))
		})
	}
}

// A follow-up is shown for its answers only; a multi_choice reads with commas.
func TestQuestionShownAndDisplay(t *testing.T) {
	r := typedRitual()
	q := &cadence.Question{ID: "areas", Type: cadence.QuestionMulti, Options: r.Question("areas").Options}
	assert.Equal(t, "Drift, Cost", q.AnswerDisplay("Drift\nCost"))
	assert.True(t, r.Question("what").Shown("yes"))
	assert.False(t, r.Question("what").Shown("no"))
	assert.True(t, r.Question("notes").Shown(""))
}

// Typed answers are stored canonical and tallied in the summary: counts
// per option, mean and median of a scale.
func TestSummaryTalliesTypedAnswers(t *testing.T) {
	r := cadencetest.TriageRitual(t)
	r.Questions = []cadence.Question{
		{ID: "incidents", Text: "Incidents?", Required: true},
		{ID: "blocked", Text: "Blocked?", Type: cadence.QuestionYesNo, Required: true},
		{ID: "what", Text: "What blocks you?", FollowUpOf: "blocked", When: []string{"yes"}, Required: true, Blocker: true},
		{ID: "focus", Text: "Focus?", Type: cadence.QuestionMulti, Options: []string{"Drift", "Latency", "Cost"}},
		{ID: "mood", Text: "Mood?", Type: cadence.QuestionScale},
		{ID: "gpus", Text: "GPU hours?", Type: cadence.QuestionNumber, Min: ptr(0)},
	}
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	h := cadencetest.NewHarness(t, cadencetest.Monday.Add(8*time.Hour), r)
	h.At(cadencetest.Monday.Add(8 * time.Hour))
	h.At(fire)
	id := cadence.OccurrenceID("triage", fire)

	a, err := h.Answer(id, "ana", "incidents", "none", "blocked", "Y", "what", "eval set late", "focus", "cost\ndrift", "mood", "4", "gpus", "2,5")
	require.NoError(t, err)
	assert.Equal(t, "yes", a.Text("blocked"))
	assert.Equal(t, "Drift\nCost", a.Text("focus"))
	assert.Equal(t, "2.5", a.Text("gpus"))
	_, err = h.Answer(id, "bo", "incidents", "none", "blocked", "no", "focus", "Drift", "mood", "2", "gpus", "10")
	require.NoError(t, err)
	_, err = h.Answer(id, "cy", "incidents", "none", "blocked", "no", "what", "left over")
	var fe cadence.FieldErrors
	require.ErrorAs(t, err, &fe)
	assert.Contains(t, fe["what"], "Only if you answered yes")
	_, err = h.Answer(id, "cy", "incidents", "none", "blocked", "no", "mood", "5")
	require.NoError(t, err)
	h.Dispatch()

	sum := h.Message(cadence.SummaryKey(id)).Body
	var tallies, blockers []string
	for _, s := range sum.Sections {
		switch s.Heading {
		case "Tallies":
			tallies = s.Lines
		case "Blockers":
			blockers = s.Lines
		}
	}
	assert.Equal(t, []string{
		"Blocked? — yes 1 · no 2 (3 answers)",
		"Focus? — Drift 2 · Latency 0 · Cost 1 (2 answers)",
		"Mood? — mean 3.7 · median 4 · 1:0 2:1 3:0 4:1 5:1 (3 answers)",
		"GPU hours? — mean 6.3 · median 6.3 · range 2.5–10 (2 answers)",
	}, tallies)
	require.Len(t, blockers, 1)
	assert.Contains(t, blockers[0], "eval set late")
	for _, s := range sum.Sections {
		for _, e := range s.Entries {
			if e.Label == "Focus?" && e.Text == "Drift, Cost" {
				return
			}
		}
	}
	t.Errorf("ana's multiple choice not shown as %q in %+v", "Drift, Cost", sum.Sections)
}

// A first answer on time says how many on-time answers in a row the
// person has for the ritual; an excused day is passed over, a missed one
// ends the run.
func TestReceiptCountsOnTimeStreak(t *testing.T) {
	r := cadencetest.StandupRitual(t)
	r.PerPersonTime = false
	start := cadencetest.Monday.Add(7 * time.Hour)
	h := cadencetest.NewHarness(t, start, r)
	h.At(start)
	days := []string{"answer", "answer", "skip", "answer", "answer"} // Mon..Fri
	var last string
	for i, what := range days {
		fire := cadencetest.Monday.AddDate(0, 0, i).Add(8*time.Hour + 15*time.Minute)
		h.At(fire)
		id := cadence.OccurrenceID("standup", fire)
		switch what {
		case "answer":
			a, err := h.Answer(id, "ana", "yesterday", "x", "today", "y")
			require.NoError(t, err)
			h.Dispatch()
			last = h.Message(cadence.ReceiptKey(id, "ana", a.Edits)).Body.Text
			if i == 1 {
				assert.Contains(t, last, "That's 2 on time in a row for Standup.")
			}
		case "skip":
			require.NoError(t, h.Eng.Decline(h.Ctx, id, "ana", "dentist"))
		}
		h.At(fire.Add(4 * time.Hour)) // closed
	}
	assert.Contains(t, last, "That's 4 on time in a row for Standup.", "the excused Wednesday is passed over")

	// Monday of the next week: Cy never answered before, so no streak line.
	fire := cadencetest.Monday.AddDate(0, 0, 7).Add(8*time.Hour + 15*time.Minute)
	h.At(fire)
	id := cadence.OccurrenceID("standup", fire)
	a, err := h.Answer(id, "cy", "yesterday", "x", "today", "y")
	require.NoError(t, err)
	h.Dispatch()
	assert.NotContains(t, h.Message(cadence.ReceiptKey(id, "cy", a.Edits)).Body.Text, "in a row")
}
