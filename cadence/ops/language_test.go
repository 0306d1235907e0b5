package ops_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// TestFollowUpRemindersInTheOwnersLanguage: Bo's overdue reminder and
// its buttons in his language, with the plural his language needs.
func TestFollowUpRemindersInTheOwnersLanguage(t *testing.T) {
	tests := []struct{ lang, title, text, done string }{
		{"en", "Overdue: FU-1 Tighten drift alert", "FU-1 was due Wed 2 Dec (2 days ago). It is a follow-up of INC-1: Churn model drift.", "Done"},
		{"de", "Überfällig: FU-1 Tighten drift alert", "FU-1 war am Mi, 2. Dez. fällig (vor 2 Tagen). Es ist ein Follow-up zu INC-1: Churn model drift.", "Erledigt"},
		{"fr", "En retard : FU-1 Tighten drift alert", "FU-1 était dû le mer. 2 déc. (il y a 2 jours). C'est un suivi de INC-1 : Churn model drift.", "Fait"},
		{"pl", "Po terminie: FU-1 Tighten drift alert", "FU-1: termin minął śr., 2 gru (2 dni temu). To działanie po incydencie INC-1: Churn model drift.", "Zrobione"},
		{"ro", "Termen depășit: FU-1 Tighten drift alert", "FU-1 avea termen mie., 2 dec. (acum 2 zile). E o acțiune în urma incidentului INC-1: Churn model drift.", "Gata"},
		{"es", "Vencido: FU-1 Tighten drift alert", "FU-1 vencía el mié, 2 dic (hace 2 días). Es un seguimiento de INC-1: Churn model drift.", "Hecho"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			h := newOpsHarness(t, func(c *ops.Config) { c.Roster = cadencetest.RosterIn(t, tc.lang, "en") })
			h.openIncident("lea", "Churn model drift")
			h.addFollowUp("lea", "INC-1", "bo", cadencetest.Date(2026, 12, 2), "Tighten drift alert")
			h.tickAt(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
			m := h.message("fu/FU-1/remind/bo/2026-12-04")
			assert.Equal(t, tc.title, m.Body.Title)
			assert.Equal(t, tc.text, m.Body.Text)
			assert.Equal(t, tc.done, m.Body.Actions[0].Label)
		})
	}
}
