package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/cadence"
)

// TestAnswerModalInThePersonsLanguage: the modal's own words follow the
// person's language; the ritual's title and questions stay as configured.
func TestAnswerModalInThePersonsLanguage(t *testing.T) {
	r := &cadence.Ritual{ID: "standup", Title: "Standup", Questions: cadence.DefaultQuestions(cadence.KindStandup)}
	o := &cadence.Occurrence{ID: occ, RitualID: "standup", ClosesAt: time.Date(2026, 11, 30, 12, 30, 0, 0, time.UTC)}
	late := cadence.AnswerState{Mode: cadence.AnswerLate, ClosesAt: o.ClosesAt, LateUntil: o.ClosesAt.Add(7 * 24 * time.Hour)}
	tests := []struct{ lang, send, save, sendLate, cancel, lateIntro string }{
		{"en", "Send", "Save", "Send late", "Cancel", "You can still answer late until"},
		{"de", "Senden", "Speichern", "Nachträglich senden", "Abbrechen", "Du kannst noch bis"},
		{"fr", "Envoyer", "Enregistrer", "Envoyer en retard", "Annuler", "Vous pouvez encore répondre en retard jusqu'au"},
		{"pl", "Wyślij", "Zapisz", "Wyślij po terminie", "Anuluj", "Możesz jeszcze odpowiedzieć po terminie do"},
		{"ro", "Trimite", "Salvează", "Trimite cu întârziere", "Anulează", "Mai poți răspunde cu întârziere până la"},
		{"es", "Enviar", "Guardar", "Enviar tarde", "Cancelar", "Aún puedes responder tarde hasta el"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			open := answerModalIn(tc.lang, r, o, cadence.AnswerState{Mode: cadence.AnswerNew, ClosesAt: o.ClosesAt}, nil, time.UTC)
			assert.Equal(t, tc.send, open.Submit.Text)
			assert.Equal(t, tc.cancel, open.Close.Text)
			assert.Equal(t, "Standup", open.Title.Text)
			edit := answerModalIn(tc.lang, r, o, cadence.AnswerState{Mode: cadence.AnswerEdit, ClosesAt: o.ClosesAt}, &cadence.Answer{}, time.UTC)
			assert.Equal(t, tc.save, edit.Submit.Text)
			l := answerModalIn(tc.lang, r, o, late, nil, time.UTC)
			assert.Equal(t, tc.sendLate, l.Submit.Text)
			assert.LessOrEqual(t, len([]rune(l.Submit.Text)), 24, "Slack's limit for a submit label")
			intro := l.Blocks.BlockSet[0].(*slack.SectionBlock).Text.Text
			assert.True(t, strings.Contains(intro, tc.lateIntro), intro)
		})
	}
}

// TestAnswerModalQuestionsInThePersonsLanguage: questions worded per
// language in the config are asked in the person's, with the modal's own
// choice labels, placeholder and follow-up hint in it too.
func TestAnswerModalQuestionsInThePersonsLanguage(t *testing.T) {
	r := &cadence.Ritual{ID: "check", Title: "Check", Questions: []cadence.Question{
		{ID: "blocked", Text: "Blocked?", Type: cadence.QuestionYesNo, Texts: map[string]string{"de": "Blockiert?", "pl": "Zablokowany?"}},
		{ID: "what", Text: "What blocks you?", FollowUpOf: "blocked", When: []string{cadence.Yes}, Texts: map[string]string{"de": "Was blockiert dich?", "pl": "Co cię blokuje?"}},
		{ID: "area", Text: "Area?", Type: cadence.QuestionChoice, Options: []string{"ML", "Ops"}, Texts: map[string]string{"de": "Bereich?", "pl": "Obszar?"}},
	}}
	o := &cadence.Occurrence{ID: occ, RitualID: "check", ClosesAt: time.Date(2026, 11, 30, 12, 30, 0, 0, time.UTC)}
	tests := []struct {
		lang    string
		labels  []string
		yes, no string
		hint    string
		choose  string
	}{
		{"en", []string{"Blocked?", "What blocks you?", "Area?"}, "Yes", "No", `Only if you answered yes to "Blocked?"`, "Choose one"},
		{"de", []string{"Blockiert?", "Was blockiert dich?", "Bereich?"}, "Ja", "Nein", "Nur wenn du „Blockiert?“ mit Ja beantwortet hast", "Eine auswählen"},
		{"pl", []string{"Zablokowany?", "Co cię blokuje?", "Obszar?"}, "Tak", "Nie", "Tylko jeśli na „Zablokowany?” odpowiedziałeś tak", "Wybierz jedną"},
		{"fr", []string{"Blocked?", "What blocks you?", "Area?"}, "Oui", "Non", "Seulement si vous avez répondu oui à « Blocked? »", "Choisissez-en un"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			v := answerModalIn(tc.lang, r, o, cadence.AnswerState{Mode: cadence.AnswerNew, ClosesAt: o.ClosesAt}, nil, time.UTC)
			var labels []string
			for _, b := range v.Blocks.BlockSet[1:] {
				labels = append(labels, b.(*slack.InputBlock).Label.Text)
			}
			assert.Equal(t, tc.labels, labels)
			yn := v.Blocks.BlockSet[1].(*slack.InputBlock).Element.(*slack.RadioButtonsBlockElement)
			assert.Equal(t, tc.yes, yn.Options[0].Text.Text)
			assert.Equal(t, tc.no, yn.Options[1].Text.Text)
			assert.Equal(t, tc.hint, v.Blocks.BlockSet[2].(*slack.InputBlock).Hint.Text)
			sel := v.Blocks.BlockSet[3].(*slack.InputBlock).Element.(*slack.SelectBlockElement)
			assert.Equal(t, tc.choose, sel.Placeholder.Text)
		})
	}
}
