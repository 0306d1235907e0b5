package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// Typed questions and a follow-up read from the file.
func TestTypedQuestionsFromFile(t *testing.T) {
	src := file(team, ritual(`kind = "standup"`, "questions = [\n"+
		`  { id = "blocked", text = "Blocked?", type = "yes_no", required = true },`+"\n"+
		`  { id = "what", text = "What blocks you?", follow_up_of = "blocked", when = ["yes"], required = true, blocker = true },`+"\n"+
		`  { id = "focus", text = "Focus?", type = "choice", options = ["Training", "Serving"] },`+"\n"+
		`  { id = "areas", text = "Areas?", type = "multi_choice", options = ["Drift", "Cost"] },`+"\n"+
		`  { id = "mood", text = "Mood?", type = "scale" },`+"\n"+
		`  { id = "gpus", text = "GPU hours?", type = "number", min = 0, max = 99.5 },`+"\n"+
		`  { id = "notes", text = "Notes?", type = "text" },`+"\n"+
		"]"))
	cfg, err := config.Parse("q.toml", []byte(src))
	require.NoError(t, err)
	qs := cfg.Ritual("triage").Questions
	require.Len(t, qs, 7)
	assert.Equal(t, cadence.QuestionYesNo, qs[0].Type)
	assert.Equal(t, cadence.Question{ID: "what", Text: "What blocks you?", FollowUpOf: "blocked", When: []string{"yes"}, Required: true, Blocker: true}, qs[1])
	assert.Equal(t, []string{"Training", "Serving"}, qs[2].Options)
	assert.Equal(t, cadence.QuestionMulti, qs[3].Type)
	assert.Equal(t, cadence.QuestionScale, qs[4].Type)
	require.NotNil(t, qs[5].Min)
	require.NotNil(t, qs[5].Max)
	assert.Equal(t, 0.0, *qs[5].Min)
	assert.Equal(t, 99.5, *qs[5].Max)
	assert.Equal(t, cadence.QuestionText, qs[6].Type)
}

// Bad typed questions are named by file, line and key.
func TestBadTypedQuestions(t *testing.T) {
	src := file(team, ritual(`kind = "standup"`, "questions = [\n"+ // line 22
		`  { id = "blocked", text = "Blocked?", type = "yesno" },`+"\n"+ // 23
		`  { id = "focus", text = "Focus?", type = "choice", options = ["Only"] },`+"\n"+ // 24
		`  { id = "what", text = "What?", follow_up_of = "focus", when = ["Other"] },`+"\n"+ // 25
		`  { id = "n", text = "N?", type = "number", min = 5, max = 1 },`+"\n"+ // 26
		`  { id = "later", text = "L?", follow_up_of = "zzz", when = ["yes"] },`+"\n"+ // 27
		"]"))
	_, err := config.Parse("bad.toml", []byte(src))
	require.Error(t, err)
	var errs config.Errors
	require.ErrorAs(t, err, &errs)
	var lines []string
	for _, e := range errs {
		lines = append(lines, e.Error())
	}
	assert.Equal(t, []string{
		`bad.toml:23: rituals[0].questions[0].type: "yesno" is not one of text, yes_no, choice, multi_choice, scale, number`,
		`bad.toml:24: rituals[0].questions[1].options: a choice question needs at least two options, got 1`,
		`bad.toml:25: rituals[0].questions[2].when: "Other" is not an answer to "focus"; it takes "Only"`,
		`bad.toml:26: rituals[0].questions[3].max: max (1) is below min (5)`,
		`bad.toml:27: rituals[0].questions[4].follow_up_of: "zzz" is not a question listed before this one`,
	}, lines)
}
