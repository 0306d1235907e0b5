package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// TestQuestionTextInTheReadersLanguage: a question worded in German and
// Polish in the config is asked in Polish of Ana (pl), listed in German
// in the agenda and summary (team: de), and the kind's default questions
// come worded in every language.
func TestQuestionTextInTheReadersLanguage(t *testing.T) {
	r := cadencetest.TriageRitual(t)
	r.Questions[0].Text = "What broke?"
	r.Questions[0].Texts = map[string]string{"de": "Was ist kaputtgegangen?", "pl": "Co się zepsuło?"}
	h := cadencetest.NewHarness(t, cadencetest.Monday, r)
	h.Roster = cadencetest.RosterIn(t, "pl", "de")
	h.Restart()
	h.At(cadencetest.Monday.Add(8 * time.Hour))
	h.At(cadencetest.Monday.Add(8*time.Hour + 30*time.Minute))
	id := "triage@20261130T083000Z"

	prompt := delivered(h, cadence.PromptKey(id, "ana")).Message.Body
	require.NotEmpty(t, prompt.Questions)
	assert.Equal(t, "Co się zepsuło?", prompt.Questions[0].Text)
	assert.Equal(t, "pl", prompt.Questions[0].Lang)
	assert.Nil(t, prompt.Questions[0].Texts, "the prompt carries the reader's text only")
	assert.Equal(t, "Które alerty się uruchomiły i potrzebują właściciela lub dostrojenia?", prompt.Questions[1].Text,
		"a default question of the kind is worded in Polish")
	assert.Equal(t, "Was ist kaputtgegangen?", delivered(h, cadence.PromptKey(id, "lea")).Message.Body.Questions[0].Text,
		"Lea speaks the team's language")

	agenda := delivered(h, cadence.AgendaKey(id)).Message.Body
	assert.Contains(t, cadencetest.SectionLines(agenda, "Fragen"), "Was ist kaputtgegangen?")

	_, err := triageAnswer(h, id, "ana", "none")
	require.NoError(t, err)
	h.Dispatch()
	receipt := delivered(h, cadence.ReceiptKey(id, "ana", 0)).Message.Body
	assert.Equal(t, "Co się zepsuło?", receipt.Sections[0].Entries[0].Label)
	summary := delivered(h, cadence.SummaryKey(id)).Message.Body
	var labels []string
	for _, s := range summary.Sections {
		for _, e := range s.Entries {
			labels = append(labels, e.Label)
		}
	}
	assert.Contains(t, labels, "Was ist kaputtgegangen?")
	assert.NotContains(t, labels, "What broke?")
}

// TestQuestionIn: a language the question lacks reads the main text; the
// form words (yes/no, a follow-up's hint) follow the chosen language.
func TestQuestionIn(t *testing.T) {
	blocked := cadence.Question{ID: "blocked", Text: "Blocked?", Type: cadence.QuestionYesNo, Texts: map[string]string{"de": "Blockiert?"}}
	what := cadence.Question{ID: "what", Text: "What?", FollowUpOf: "blocked", When: []string{cadence.Yes}, Texts: map[string]string{"de": "Was?"}}
	tests := []struct{ lang, text, yes, hint string }{
		{"en", "Blocked?", "Yes", `Only if you answered yes to "Blocked?"`},
		{"de", "Blockiert?", "Ja", "Nur wenn du „Blockiert?“ mit Ja beantwortet hast"},
		{"pl", "Blocked?", "Tak", "Tylko jeśli na „Blocked?” odpowiedziałeś tak"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			b, w := blocked.In(tc.lang), what.In(tc.lang)
			assert.Equal(t, tc.text, b.Text)
			assert.Equal(t, tc.yes, b.ChoiceLabel(cadence.Yes))
			assert.Equal(t, tc.hint, w.Hint(&b))
		})
	}
}
