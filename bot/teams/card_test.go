package teams

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/cards")

const occ = "standup@20261130T083000Z"

func sampleMessages() map[string]struct {
	m *cadence.Message
	o cardOptions
} {
	questions := cadence.DefaultQuestions(cadence.KindStandup)
	prompt := func() *cadence.Message {
		return &cadence.Message{Key: "p", Kind: cadence.KindPrompt, OccurrenceID: occ, To: cadence.Recipient{Person: "ana"},
			Body: cadence.Body{Title: "Daily standup", Text: "Your answers, please, before 13:30 CET.", Questions: questions,
				Actions: []cadence.Action{
					{ID: cadence.ActionAnswer, Label: "Answer", Value: occ, Style: "primary"},
					{ID: cadence.ActionDecline, Label: "Skip this one", Value: occ},
					{ID: cadence.ActionOOO, Label: "I'm out of office", Value: occ, Style: "danger"}}}}
	}
	editing := prompt()
	editing.Body.Prefill = map[string]string{"yesterday": "Backfilled the feature store", "today": "Drift monitor <v2> & alerts"}
	type tc = struct {
		m *cadence.Message
		o cardOptions
	}
	return map[string]tc{
		"agenda": {m: &cadence.Message{Kind: cadence.KindAgenda, OccurrenceID: occ, To: cadence.Recipient{Channel: "19:x@thread.tacv2"},
			Body: cadence.Body{Title: "Daily standup: Mon 30 Nov", Text: "Facilitator: Ana. Answer in your chat with cadencebot by 12:30 UTC.",
				Sections: []cadence.Section{{Heading: "Agenda", Lines: []string{"Open incidents: 2", "Releases this week: fraud-model v14"}}},
				Actions:  []cadence.Action{{ID: cadence.ActionAnswer, Label: "Answer", Value: occ, Style: "primary"}},
				Footer:   "standup@20261130T083000Z"}}},
		"prompt":         {m: prompt()},
		"prompt_editing": {m: editing},
		"prompt_errors": {m: prompt(), o: cardOptions{
			errors: cadence.FieldErrors{"yesterday": "this question needs an answer", "mood": "unknown question"},
			values: map[string]string{"yesterday": "", "today": "typed before the error"}}},
		"prompt_saved": {m: editing, o: cardOptions{values: editing.Body.Prefill, note: "✓ Saved at 09:30. You can edit your answers until the ritual closes."}},
		"reminder": {m: &cadence.Message{Kind: cadence.KindReminder, OccurrenceID: occ, Body: cadence.Body{Title: "Reminder: Daily standup",
			Text: "The standup closes in 1 hour and we have not heard from you.", Questions: questions,
			Actions: []cadence.Action{{ID: cadence.ActionAnswer, Label: "Answer", Value: occ, Style: "primary"}, {ID: cadence.ActionDecline, Label: "Skip this one", Value: occ}}}}},
		"summary": {m: &cadence.Message{Kind: cadence.KindSummary, OccurrenceID: occ, Body: cadence.Body{Title: "Daily standup: summary",
			Text: "2 of 3 answered", Sections: []cadence.Section{
				{Heading: "Ana", Lines: []string{"Yesterday: backfill", "Today: drift monitor"}},
				{Heading: "Blockers", Lines: []string{"Ben: waiting on the *data contract*"}},
				{Heading: "No answer", Lines: []string{"Cem"}}}, Footer: "Updated 10:02 UTC"}}},
	}
}

// TestCardGolden pins the Adaptive Card JSON of each kind; run with
// -update after an intended change and review the diff.
func TestCardGolden(t *testing.T) {
	for name, tc := range sampleMessages() {
		t.Run(name, func(t *testing.T) {
			acts, err := render(tc.m, tc.o, maxActivityBytes)
			require.NoError(t, err)
			require.Len(t, acts, 1)
			got, err := marshalIndent(acts[0])
			require.NoError(t, err)
			path := filepath.Join("testdata", "cards", name+".json")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "missing golden file; run go test ./bot/teams -run TestCardGolden -update")
			assert.Equal(t, string(want), string(got))
		})
	}
}

func marshalIndent(v any) ([]byte, error) {
	b, err := marshal(v)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func TestPromptCardShape(t *testing.T) {
	m := sampleMessages()["prompt_errors"]
	acts, err := render(m.m, m.o, maxActivityBytes)
	require.NoError(t, err)
	c := acts[0].Attachments[0].Content.(*adaptiveCard)
	assert.Equal(t, "1.5", c.Version)

	var inputs []inputText
	var errs []string
	for _, el := range c.Body {
		switch x := el.(type) {
		case inputText:
			inputs = append(inputs, x)
		case textBlock:
			if x.Color == "Attention" {
				errs = append(errs, x.Text)
			}
		}
	}
	require.Len(t, inputs, 3, "one input per question")
	for _, in := range inputs {
		assert.True(t, in.IsMultiline)
		assert.Equal(t, cadence.MaxAnswerLen, in.MaxLength)
	}
	assert.Equal(t, "q_yesterday", inputs[0].ID)
	assert.True(t, inputs[0].IsRequired)
	assert.False(t, inputs[2].IsRequired, "blockers are optional")
	assert.Equal(t, "typed before the error", inputs[1].Value)
	assert.Equal(t, []string{"⚠ this question needs an answer", "⚠ mood: unknown question"}, errs)

	require.Len(t, c.Actions, 3, "submit, skip, out of office (the Answer button is the submit)")
	submit := c.Actions[0].(actionSubmit)
	assert.Equal(t, submitData{Action: cadence.ActionAnswer, Occurrence: occ}, submit.Data)
	assert.Empty(t, submit.AssociatedInputs, "submit sends the inputs")
	skip := c.Actions[1].(actionSubmit)
	assert.Equal(t, "none", skip.AssociatedInputs, "skipping must not require answers")
	assert.Equal(t, "destructive", c.Actions[2].(actionSubmit).Style)
}

func TestSplitCutsOverlongLine(t *testing.T) {
	m := &cadence.Message{Kind: cadence.KindSummary, Body: cadence.Body{Title: "S", Sections: []cadence.Section{{Lines: []string{
		"short", strings.Repeat("é", 3000), "tail"}}}}}
	acts, err := render(m, cardOptions{}, 2048)
	require.NoError(t, err)
	require.Len(t, acts, 3)
	for _, a := range acts {
		n, err := jsonSize(a)
		require.NoError(t, err)
		assert.LessOrEqual(t, n, 2048)
	}
	b, _ := marshal(acts[1])
	assert.Contains(t, string(b), "é…", "cut on a rune boundary, marked")

	_, err = render(&cadence.Message{Kind: cadence.KindPrompt, Body: cadence.Body{Title: "P",
		Questions: []cadence.Question{{ID: "q", Text: strings.Repeat("long question ", 400)}}}}, cardOptions{}, 2048)
	var se *cadence.SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "message_too_large", se.Code)
	assert.False(t, se.Retryable)
}
