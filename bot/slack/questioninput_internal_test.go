package slack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

func typedRitual() *cadence.Ritual {
	lo, hi := 0.0, 100.0
	return &cadence.Ritual{ID: "pulse", Title: "Pulse", Questions: []cadence.Question{
		{ID: "notes", Text: "Notes?"},
		{ID: "blocked", Text: "Blocked?", Type: cadence.QuestionYesNo, Required: true},
		{ID: "what", Text: "What blocks you?", FollowUpOf: "blocked", When: []string{"yes"}, Required: true},
		{ID: "focus", Text: "Focus?", Type: cadence.QuestionChoice, Options: []string{"Training", "Serving"}},
		{ID: "areas", Text: "Areas?", Type: cadence.QuestionMulti, Options: []string{"Drift", "Latency", "Cost"}},
		{ID: "mood", Text: "Mood?", Type: cadence.QuestionScale},
		{ID: "gpus", Text: "GPU hours?", Type: cadence.QuestionNumber, Min: &lo, Max: &hi},
	}}
}

// The answer modal draws each type as its Block Kit input, pre-filled
// with the stored answer; pinned as a golden file.
func TestAnswerModalTypedGolden(t *testing.T) {
	r := typedRitual()
	o := &cadence.Occurrence{ID: occ, RitualID: "pulse", ClosesAt: time.Date(2026, 11, 30, 12, 30, 0, 0, time.UTC)}
	prev := &cadence.Answer{Responses: []cadence.Response{{QuestionID: "blocked", Text: "yes"}, {QuestionID: "what", Text: "quota"},
		{QuestionID: "focus", Text: "Serving"}, {QuestionID: "areas", Text: "Drift\nCost"}, {QuestionID: "mood", Text: "4"}, {QuestionID: "gpus", Text: "2.5"}}}
	v := answerModal(r, o, cadence.AnswerState{Mode: cadence.AnswerEdit, ClosesAt: o.ClosesAt}, prev, time.UTC)
	got, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	path := filepath.Join("testdata", "golden", "answer-modal-typed.json")
	if *update {
		require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./bot/slack -run TestAnswerModalTypedGolden -update")
	assert.Equal(t, string(want), string(got)+"\n")

	types := map[string]string{}
	for _, b := range v.Blocks.BlockSet[1:] {
		in := b.(*slack.InputBlock)
		types[in.BlockID] = string(in.Element.ElementType())
	}
	assert.Equal(t, map[string]string{"q_notes": "plain_text_input", "q_blocked": "radio_buttons", "q_what": "plain_text_input",
		"q_focus": "static_select", "q_areas": "multi_static_select", "q_mood": "radio_buttons", "q_gpus": "number_input"}, types)
	what := v.Blocks.BlockSet[3].(*slack.InputBlock)
	assert.True(t, what.Optional, "a follow-up is optional for Slack: the engine requires it only when it applies")
	assert.Equal(t, `Only if you answered yes to "Blocked?"`, what.Hint.Text)
}

// A view_submission's state, as Slack sends it for each element type,
// reads back as canonical answers.
func TestResponsesFromTypedState(t *testing.T) {
	const state = `{"values": {
	  "q_notes":   {"answer": {"type": "plain_text_input", "value": "fine"}},
	  "q_blocked": {"answer": {"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": "Yes"}, "value": "yes"}}},
	  "q_what":    {"answer": {"type": "plain_text_input", "value": null}},
	  "q_focus":   {"answer": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "Serving"}, "value": "Serving"}}},
	  "q_areas":   {"answer": {"type": "multi_static_select", "selected_options": [{"text": {"type": "plain_text", "text": "Drift"}, "value": "Drift"}, {"text": {"type": "plain_text", "text": "Cost"}, "value": "Cost"}]}},
	  "q_mood":    {"answer": {"type": "radio_buttons", "selected_option": null}},
	  "q_gpus":    {"answer": {"type": "number_input", "value": "12.5"}}
	}}`
	var st slack.ViewState
	require.NoError(t, json.Unmarshal([]byte(state), &st))
	r := typedRitual()
	got := map[string]string{}
	for _, x := range responses(r, &st) {
		got[x.QuestionID] = x.Text
	}
	assert.Equal(t, map[string]string{"notes": "fine", "blocked": "yes", "what": "", "focus": "Serving", "areas": "Drift\nCost", "mood": "", "gpus": "12.5"}, got)
	_, err := cadence.CanonicalResponses(r, responses(r, &st))
	var fe cadence.FieldErrors
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, cadence.FieldErrors{"what": "this question needs an answer"}, fe, "yes shows the follow-up, which is required")
	assert.Equal(t, map[string]string{"q_what": "this question needs an answer"}, submissionErrors(r, fe))
}
