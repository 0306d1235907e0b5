package teams

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// TestPromptCardInThePersonsLanguage: a prompt whose questions were put
// in the person's language (as the engine does) is drawn with its
// inputs, choices, hint, required message and submit button in it.
func TestPromptCardInThePersonsLanguage(t *testing.T) {
	qs := []cadence.Question{
		{ID: "blocked", Text: "Blocked?", Type: cadence.QuestionYesNo, Required: true, Texts: map[string]string{"de": "Blockiert?", "pl": "Zablokowany?"}},
		{ID: "what", Text: "What blocks you?", FollowUpOf: "blocked", When: []string{cadence.Yes}, Texts: map[string]string{"de": "Was blockiert dich?", "pl": "Co cię blokuje?"}},
	}
	tests := []struct {
		lang                       string
		labels                     []string
		yes, hint, needed          string
		submit, update, submitLate string
	}{
		{"en", []string{"Blocked?", "What blocks you?"}, "Yes", `Only if you answered yes to "Blocked?"`, "This question needs an answer.",
			"Submit answers", "Update answers", "Submit late answers"},
		{"de", []string{"Blockiert?", "Was blockiert dich?"}, "Ja", "Nur wenn du „Blockiert?“ mit Ja beantwortet hast", "Diese Frage braucht eine Antwort.",
			"Antworten senden", "Antworten aktualisieren", "Verspätet antworten"},
		{"pl", []string{"Zablokowany?", "Co cię blokuje?"}, "Tak", "Tylko jeśli na „Zablokowany?” odpowiedziałeś tak", "To pytanie wymaga odpowiedzi.",
			"Wyślij odpowiedzi", "Zaktualizuj odpowiedzi", "Wyślij po terminie"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			m := &cadence.Message{Key: "p", Kind: cadence.KindPrompt, OccurrenceID: occ, To: cadence.Recipient{Person: "ana"},
				Body: cadence.Body{Title: "Check", Questions: cadence.QuestionsIn(qs, tc.lang),
					Actions: []cadence.Action{{ID: cadence.ActionAnswer, Label: "-", Value: occ}}}}
			c := cardOf(t, m)
			var labels, hints []string
			for _, el := range c.Body {
				switch x := el.(type) {
				case inputText:
					labels = append(labels, x.Label)
				case inputChoiceSet:
					labels = append(labels, x.Label)
					assert.Equal(t, tc.yes, x.Choices[0].Title)
					assert.Equal(t, tc.needed, x.ErrorMessage)
				case textBlock:
					if x.IsSubtle {
						hints = append(hints, x.Text)
					}
				}
			}
			assert.Equal(t, tc.labels, labels)
			assert.Contains(t, hints, tc.hint)
			assert.Equal(t, tc.submit, c.Actions[0].(actionSubmit).Title)

			m.Body.Prefill = map[string]string{"blocked": "no"}
			assert.Equal(t, tc.update, cardOf(t, m).Actions[0].(actionSubmit).Title)
			m.Body.Prefill = nil
			m.Body.Actions[0].Late = true
			assert.Equal(t, tc.submitLate, cardOf(t, m).Actions[0].(actionSubmit).Title)
		})
	}
}

func cardOf(t *testing.T, m *cadence.Message) *adaptiveCard {
	t.Helper()
	acts, err := render(m, cardOptions{}, maxActivityBytes, address{})
	require.NoError(t, err)
	return acts[0].Attachments[0].Content.(*adaptiveCard)
}

// TestRefusalsInThePersonsLanguage: the refusals Teams words itself.
func TestRefusalsInThePersonsLanguage(t *testing.T) {
	tests := []struct {
		lang   string
		err    error
		want   string
		notAny []string
	}{
		{"de", cadence.ErrClosed, "Dieses Ritual ist geschlossen; Antworten werden nicht mehr angenommen.", nil},
		{"pl", cadence.ErrForbidden, "Nie oczekujemy twojej odpowiedzi w tym rytuale.", nil},
		{"pl", cadence.ErrNotFound, "Nie znam już tego terminu rytuału.", nil},
		{"en", cadence.ErrClosed, "This ritual has closed; answers are no longer accepted.", nil},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, userMessageIn(tc.lang, tc.err), "%s %v", tc.lang, tc.err)
	}
}
