package cadence_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// TestDirectMessagesInThePersonsLanguage renders Ana's (Bucharest) prompt,
// reminder and receipt and Bo's decline in each language, the team
// speaking English.
func TestDirectMessagesInThePersonsLanguage(t *testing.T) {
	tests := []struct {
		lang                         string
		prompt, answer, reminder     string
		receipt, declined, facilPref string
	}{
		{"en", "Please answer by Mon 30 Nov 14:30 EET.", "Answer",
			"Weekly triage closes in 1h (Mon 30 Nov 14:30 EET) and we have no answer from you yet.",
			"Thanks, your answers to Weekly triage are saved. You can edit them until Mon 30 Nov 14:30 EET.",
			"You are excused from Weekly triage; no reminders will follow.", "Facilitator: "},
		{"de", "Bitte antworte bis Mo, 30. Nov., 14:30 EET.", "Antworten",
			"Weekly triage schließt in 1 Std. (Mo, 30. Nov., 14:30 EET) und wir haben noch keine Antwort von dir.",
			"Danke, deine Antworten zu Weekly triage sind gespeichert. Du kannst sie bis Mo, 30. Nov., 14:30 EET ändern.",
			"Alles klar, du setzt bei Weekly triage diesmal aus; es kommen keine Erinnerungen.", "Moderation: "},
		{"fr", "Merci de répondre avant le lun. 30 nov. à 14:30 EET.", "Répondre",
			"Weekly triage se clôt dans 1 h (lun. 30 nov. à 14:30 EET) et nous n'avons pas encore votre réponse.",
			"Merci, vos réponses à Weekly triage sont enregistrées. Vous pouvez les modifier jusqu'au lun. 30 nov. à 14:30 EET.",
			"C'est noté : pas de Weekly triage pour vous cette fois, et aucun rappel.", "Animation : "},
		{"pl", "Odpowiedz do pon., 30 lis, 14:30 EET.", "Odpowiedz",
			"Weekly triage: zamknięcie za 1 godz. (pon., 30 lis, 14:30 EET), a nie mamy jeszcze twojej odpowiedzi.",
			"Dzięki, zapisano twoje odpowiedzi: Weekly triage. Możesz je zmieniać do pon., 30 lis, 14:30 EET.",
			"Odnotowano: tym razem bez ciebie (Weekly triage). Przypomnień nie będzie.", "Prowadzi: "},
		{"ro", "Te rugăm să răspunzi până la lun., 30 nov., 14:30 EET.", "Răspunde",
			"Weekly triage se închide în 1 h (lun., 30 nov., 14:30 EET) și încă nu avem răspunsul tău.",
			"Mulțumim, răspunsurile tale la Weekly triage au fost salvate. Le poți modifica până la lun., 30 nov., 14:30 EET.",
			"Am notat: de data asta nu participi la Weekly triage; nu vor urma mementouri.", "Moderator: "},
		{"es", "Tienes hasta el lun, 30 nov, 14:30 EET para responder.", "Responder",
			"Weekly triage cierra en 1 h (lun, 30 nov, 14:30 EET) y aún no tenemos tu respuesta.",
			"Gracias, tus respuestas a Weekly triage están guardadas. Puedes editarlas hasta el lun, 30 nov, 14:30 EET.",
			"Anotado: esta vez no participas en Weekly triage; no habrá recordatorios.", "Modera: "},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			h := cadencetest.NewHarness(t, cadencetest.Monday, cadencetest.TriageRitual(t))
			h.Roster = cadencetest.RosterIn(t, tc.lang, "en")
			h.Restart()
			h.At(cadencetest.Monday.Add(8 * time.Hour))                // the ritual starts from here
			h.At(cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)) // 09:30 Zurich
			id := "triage@20261130T083000Z"

			prompt := delivered(h, cadence.PromptKey(id, "ana")).Message.Body
			assert.Equal(t, tc.prompt, prompt.Text)
			assert.Equal(t, tc.answer, prompt.Actions[0].Label)
			assert.True(t, strings.HasPrefix(prompt.Footer, tc.facilPref), prompt.Footer)
			assert.Equal(t, "Please answer by Mon 30 Nov 13:30 CET.", delivered(h, cadence.PromptKey(id, "lea")).Message.Body.Text,
				"Lea has no language of her own: the team's")

			h.At(cadencetest.Monday.Add(11*time.Hour + 30*time.Minute)) // an hour before the close
			assert.Equal(t, tc.reminder, delivered(h, cadence.ReminderKey(id, "ana", 0)).Message.Body.Text)

			_, err := triageAnswer(h, id, "ana", "none")
			require.NoError(t, err)
			h.Dispatch()
			assert.Equal(t, tc.receipt, delivered(h, cadence.ReceiptKey(id, "ana", 0)).Message.Body.Text)

			require.NoError(t, h.Eng.Decline(h.Ctx, id, "bo", "skipped"))
			h.Dispatch()
			assert.Equal(t, tc.declined, delivered(h, cadence.MessageKey("occ", id, "declined", "bo")).Message.Body.Text)
		})
	}
}

// TestChannelPostsInTheTeamsLanguage renders the agenda and the summary
// in each team language; people's own languages do not change them.
func TestChannelPostsInTheTeamsLanguage(t *testing.T) {
	tests := []struct {
		lang, title, agenda, summary, closed string
	}{
		{"en", "Weekly triage · Mon 30 Nov 2026", "Weekly triage is open. Please answer by Mon 30 Nov 13:30 CET.",
			"2 of 4 answered, 1 blocker", "Closed: 2 of 4 answered, 1 blocker"},
		{"de", "Weekly triage · Mo, 30. Nov. 2026", "Weekly triage ist geöffnet. Bitte antwortet bis Mo, 30. Nov., 13:30 CET.",
			"2 von 4 haben geantwortet, 1 Blocker", "Geschlossen: 2 von 4 haben geantwortet, 1 Blocker"},
		{"fr", "Weekly triage · lun. 30 nov. 2026", "Weekly triage est ouvert. Merci de répondre avant le lun. 30 nov. à 13:30 CET.",
			"2 réponses sur 4, 1 blocage", "Clôturé : 2 réponses sur 4, 1 blocage"},
		{"pl", "Weekly triage · pon., 30 lis 2026", "Weekly triage: start. Odpowiedzcie do pon., 30 lis, 13:30 CET.",
			"2/4 odpowiedzi, 1 bloker", "Zamknięte: 2/4 odpowiedzi, 1 bloker"},
		{"ro", "Weekly triage · lun., 30 nov. 2026", "Weekly triage a început. Vă rugăm să răspundeți până la lun., 30 nov., 13:30 CET.",
			"2 din 4 au răspuns, 1 blocaj", "Închis: 2 din 4 au răspuns, 1 blocaj"},
		{"es", "Weekly triage · lun, 30 nov 2026", "Weekly triage está abierto. Hay plazo para responder hasta el lun, 30 nov, 13:30 CET.",
			"2 de 4 respondieron, 1 bloqueo", "Cerrado: 2 de 4 respondieron, 1 bloqueo"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			h := cadencetest.NewHarness(t, cadencetest.Monday, cadencetest.TriageRitual(t))
			h.Roster = cadencetest.RosterIn(t, "pl", tc.lang) // people's own language: not for the channel
			h.Restart()
			h.At(cadencetest.Monday.Add(8 * time.Hour))
			fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
			h.At(fire)
			id := "triage@20261130T083000Z"

			agenda := cadence.PlainText(delivered(h, cadence.AgendaKey(id)).Message.Body.Text)
			assert.Equal(t, tc.title, delivered(h, cadence.AgendaKey(id)).Message.Body.Title)
			assert.Equal(t, tc.agenda, agenda)

			_, err := triageAnswer(h, id, "ana", "none")
			require.NoError(t, err)
			_, err = triageAnswer(h, id, "bo", "waiting for GPUs")
			require.NoError(t, err)
			h.Dispatch()
			assert.Equal(t, tc.summary, delivered(h, cadence.SummaryKey(id)).Message.Body.Text)

			h.At(fire.Add(4 * time.Hour))
			assert.Equal(t, tc.closed, delivered(h, cadence.SummaryKey(id)).Message.Body.Text)
		})
	}
}
