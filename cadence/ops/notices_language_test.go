package ops_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// TestOpsNoticesInTheReadersLanguage: the triage post and the
// deployment-planning post are in the team's language, each approver's
// request and the proposer's DMs in the reader's; Lea keeps English.
func TestOpsNoticesInTheReadersLanguage(t *testing.T) {
	type want struct{ incTitle, incText, askTitle, approve, progress, approved, decided string }
	tests := []struct {
		lang string
		want want
	}{
		{"en", want{
			"INC-1 opened: Churn model drift",
			"INC-1 (sev 3) is open: Churn model drift. Owner: Lea.",
			"Proposed: REL-1 churn 2.3.0",
			"Approve",
			"Lea approved REL-1 (1 of 2 approvals; high risk needs 2).",
			"REL-1 is approved by Lea and Root. Proposed by Ana.",
			"REL-1 was approved by Lea and Root on Mon 30 Nov 12:00 UTC.",
		}},
		{"de", want{
			"INC-1 eröffnet: Churn model drift",
			"INC-1 (Schweregrad 3) ist offen: Churn model drift. Verantwortlich: Lea.",
			"Vorgeschlagen: REL-1 churn 2.3.0",
			"Freigeben",
			"Lea hat REL-1 freigegeben (1 von 2 Freigaben; Risiko high braucht 2).",
			"REL-1 ist freigegeben von Lea und Root. Vorgeschlagen von Ana.",
			"REL-1 wurde am Mo, 30. Nov., 12:00 UTC von Lea und Root freigegeben.",
		}},
		{"es", want{
			"INC-1 abierto: Churn model drift",
			"INC-1 (gravedad 3) está abierto: Churn model drift. Responsable: Lea.",
			"Propuesto: REL-1 churn 2.3.0",
			"Aprobar",
			"Lea aprobó REL-1 (1 de 2 aprobaciones; el riesgo high necesita 2).",
			"REL-1 está aprobado por Lea y Root. Propuesto por Ana.",
			"REL-1 fue aprobado por Lea y Root el lun, 30 nov, 12:00 UTC.",
		}},
		{"fr", want{
			"INC-1 ouvert : Churn model drift",
			"INC-1 (gravité 3) est ouvert : Churn model drift. Responsable : Lea.",
			"Proposé : REL-1 churn 2.3.0",
			"Approuver",
			"Lea a approuvé REL-1 (1 sur 2 approbations ; le risque high en demande 2).",
			"REL-1 est approuvé par Lea et Root. Proposé par Ana.",
			"REL-1 a été approuvé par Lea et Root le lun. 30 nov. à 12:00 UTC.",
		}},
		{"pl", want{
			"Otwarto INC-1: Churn model drift",
			"INC-1 (waga 3) jest otwarty: Churn model drift. Odpowiada: Lea.",
			"Propozycja: REL-1 churn 2.3.0",
			"Zatwierdź",
			"Lea zatwierdził(a) REL-1 (1 z 2 zatwierdzeń; ryzyko high wymaga 2).",
			"REL-1 zatwierdzili: Lea i Root. Zaproponował(a): Ana.",
			"REL-1: zatwierdzone pon., 30 lis, 12:00 UTC, zatwierdzili: Lea i Root.",
		}},
		{"ro", want{
			"INC-1 deschis: Churn model drift",
			"INC-1 (gravitate 3) e deschis: Churn model drift. Responsabil: Lea.",
			"Propus: REL-1 churn 2.3.0",
			"Aprobă",
			"Lea a aprobat REL-1 (1 din 2 aprobări; riscul high cere 2).",
			"REL-1 e aprobat de Lea și Root. Propus de Ana.",
			"REL-1 a fost aprobat de Lea și Root pe lun., 30 nov., 12:00 UTC.",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			h := newOpsHarness(t, func(c *ops.Config) { c.Roster = cadencetest.RosterIn(t, tc.lang, tc.lang) })
			h.openIncident("lea", "Churn model drift")
			inc := h.message("inc/INC-1/opened")
			h.propose("ana", "high")
			ask := h.message("rel/REL-1/ask/root")
			h.clock.Set(opsStart.Add(time.Hour))
			_, err := h.ops.ApproveRelease(h.ctx, "lea", "REL-1")
			require.NoError(t, err)
			progress := h.message("rel/REL-1/approval/lea")
			h.clock.Set(opsStart.Add(2 * time.Hour))
			_, err = h.ops.ApproveRelease(h.ctx, "root", "REL-1")
			require.NoError(t, err)
			got := want{
				incTitle: inc.Body.Title, incText: inc.Body.Text,
				askTitle: ask.Body.Title, approve: ask.Body.Actions[0].Label,
				progress: progress.Body.Text,
				approved: h.message("rel/REL-1/approved/ana").Body.Text,
				decided:  h.message("rel/REL-1/ask/root").Body.Text,
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestHandoverSummaryInTheReadersLanguage: Dan, taking over Ana's work,
// reads the summary in his language; Lea, who ran it, in English.
func TestHandoverSummaryInTheReadersLanguage(t *testing.T) {
	tests := []struct {
		lang, title, text string
		moved, recent     []string
	}{
		{"en", "Hand-over: Ana → Dan", "Ana's open work now belongs to Dan.",
			[]string{"FU-1 Tighten drift alert (INC-1), due 2026-12-10", "INC-1 Ranker drift (owner), sev 3", "later facilitator turns of triage"},
			[]string{"INC-1 Ranker drift · open"}},
		{"de", "Übergabe: Ana → Dan", "Die offene Arbeit von Ana gehört jetzt Dan.",
			[]string{"FU-1 Tighten drift alert (INC-1), fällig 2026-12-10", "INC-1 Ranker drift (verantwortlich), Schweregrad 3", "spätere Moderationsrunden von triage"},
			[]string{"INC-1 Ranker drift · offen"}},
		{"es", "Traspaso: Ana → Dan", "El trabajo pendiente de Ana es ahora de Dan.",
			[]string{"FU-1 Tighten drift alert (INC-1), vence 2026-12-10", "INC-1 Ranker drift (responsable), gravedad 3", "próximos turnos de facilitación de triage"},
			[]string{"INC-1 Ranker drift · abierto"}},
		{"fr", "Passation : Ana → Dan", "Le travail en cours de Ana revient désormais à Dan.",
			[]string{"FU-1 Tighten drift alert (INC-1), échéance 2026-12-10", "INC-1 Ranker drift (responsable), gravité 3", "tours d'animation à venir de triage"},
			[]string{"INC-1 Ranker drift · ouvert"}},
		{"pl", "Przekazanie: Ana → Dan", "Dan przejmuje otwarte sprawy, które prowadził(a) Ana.",
			[]string{"FU-1 Tighten drift alert (INC-1), termin 2026-12-10", "INC-1 Ranker drift (odpowiedzialność), waga 3", "kolejne tury prowadzenia w triage"},
			[]string{"INC-1 Ranker drift · otwarty"}},
		{"ro", "Predare: Ana → Dan", "Dan preia lucrul deschis de la Ana.",
			[]string{"FU-1 Tighten drift alert (INC-1), termen 2026-12-10", "INC-1 Ranker drift (responsabil), gravitate 3", "rândurile următoare de facilitare la triage"},
			[]string{"INC-1 Ranker drift · deschis"}},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			h := newOpsHarness(t, func(c *ops.Config) { c.Roster = cadencetest.RosterIn(t, tc.lang, "en") })
			inc := h.openIncident("ana", "Ranker drift")
			h.addFollowUp("lea", inc.ID(), "ana", cadencetest.Date(2026, 12, 10), "Tighten drift alert")
			_, err := h.ops.Handover(h.ctx, "lea", "ana", "dan")
			require.NoError(t, err)
			var dan, lea *cadence.Message
			for _, k := range h.messageKeys() {
				if strings.HasPrefix(k, "handover/") {
					switch m := h.message(k); m.To.Person {
					case "dan":
						dan = m
					case "lea":
						lea = m
					}
				}
			}
			require.NotNil(t, dan)
			require.NotNil(t, lea)
			body := dan.Body.Plain()
			assert.Equal(t, tc.title, body.Title)
			assert.Equal(t, tc.text, body.Text)
			assert.Equal(t, tc.moved, body.Sections[0].Lines)
			assert.Equal(t, tc.recent, body.Sections[1].Lines)
			assert.Equal(t, "Hand-over: Ana → Dan", lea.Body.Plain().Title, "Lea reads English")
		})
	}
}

// TestIncidentOwnerDMInTheOwnersLanguage: Lea makes Bo the owner of an
// incident; his DM is in his language, its follow-up line too.
func TestIncidentOwnerDMInTheOwnersLanguage(t *testing.T) {
	tests := []struct{ lang, title, text, followUp string }{
		{"en", "You own INC-1: Label lag",
			"Lea made you the owner of INC-1 (sev 3): Label lag.",
			"FU-1 Backfill labels · Bo · due Wed 2 Dec"},
		{"de", "Du bist verantwortlich für INC-1: Label lag",
			"Lea hat dich als Verantwortliche(n) für INC-1 eingetragen (Schweregrad 3): Label lag.",
			"FU-1 Backfill labels · Bo · fällig Mi, 2. Dez."},
		{"es", "Eres responsable de INC-1: Label lag",
			"Lea te ha hecho responsable de INC-1 (gravedad 3): Label lag.",
			"FU-1 Backfill labels · Bo · vence mié, 2 dic"},
		{"fr", "Vous êtes responsable de INC-1 : Label lag",
			"Lea vous a désigné(e) responsable de INC-1 (gravité 3) : Label lag.",
			"FU-1 Backfill labels · Bo · échéance mer. 2 déc."},
		{"pl", "Odpowiadasz za INC-1: Label lag",
			"Lea wyznaczył(a) cię jako osobę odpowiedzialną za INC-1 (waga 3): Label lag.",
			"FU-1 Backfill labels · Bo · termin śr., 2 gru"},
		{"ro", "Ești responsabil de INC-1: Label lag",
			"Lea te-a numit responsabil de INC-1 (gravitate 3): Label lag.",
			"FU-1 Backfill labels · Bo · termen mie., 2 dec."},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			h := newOpsHarness(t, func(c *ops.Config) { c.Roster = cadencetest.RosterIn(t, tc.lang, "en") })
			_, err := h.ops.OpenIncident(h.ctx, "lea", ops.IncidentInput{Title: "Label lag", Owner: "bo"})
			require.NoError(t, err)
			h.addFollowUp("lea", "INC-1", "bo", cadencetest.Date(2026, 12, 2), "Backfill labels")
			m := h.message("inc/INC-1/owner/bo")
			assert.Equal(t, tc.title, m.Body.Title)
			assert.Equal(t, tc.text, m.Body.Text)
			assert.Equal(t, []string{tc.followUp}, m.Body.Sections[1].Lines)
		})
	}
}
