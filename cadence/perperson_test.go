package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// TestPerPersonStandup: one occurrence per day, identified by 09:15 Zurich;
// each person is prompted at 09:15 in their own zone and has their own
// deadline; the occurrence closes with the last deadline.
func TestPerPersonStandup(t *testing.T) {
	h := newHarness(t, monday.Add(-12*time.Hour), standupRitual(t)) // Sunday noon UTC
	h.at(monday.Add(-12 * time.Hour))
	id := cadence.OccurrenceID("standup", monday.Add(8*time.Hour+15*time.Minute))
	prompted := func() []string {
		var out []string
		for _, d := range h.chat.Delivered() {
			if d.Message.Kind == cadence.KindPrompt {
				out = append(out, d.Message.To.Person)
			}
		}
		return out
	}

	h.at(monday.Add(4*time.Hour + 14*time.Minute))
	assert.Empty(t, h.chat.Delivered())

	// 09:15 Almaty.
	h.at(monday.Add(4*time.Hour + 15*time.Minute))
	assert.Equal(t, []string{"cy"}, prompted())
	h.delivered(cadence.AgendaKey(id))
	assert.Contains(t, h.delivered(cadence.AgendaKey(id)).Message.Body.Text, "asked at 09:15 your own time and has 3h to answer")
	assert.Contains(t, h.delivered(cadence.PromptKey(id, "cy")).Message.Body.Text, "by Mon 30 Nov 12:15 +05")

	// 09:15 Bucharest.
	h.at(monday.Add(7*time.Hour + 15*time.Minute))
	assert.Equal(t, []string{"cy", "ana"}, prompted())
	// Cy's reminder was due at 06:15 UTC, but nothing ticked then and her
	// window has closed since: no reminder after the deadline.
	assert.Empty(t, h.chat.ByKey(cadence.ReminderKey(id, "cy", 0)))

	// 09:15 Zurich, then 09:15 New York.
	h.at(monday.Add(8*time.Hour + 15*time.Minute))
	assert.Equal(t, []string{"cy", "ana", "lea"}, prompted())
	h.at(monday.Add(14*time.Hour + 15*time.Minute))
	assert.Equal(t, []string{"cy", "ana", "lea", "dan"}, prompted())

	// Dan is reminded at 11:15 New York.
	h.at(monday.Add(16*time.Hour + 15*time.Minute))
	h.delivered(cadence.ReminderKey(id, "dan", 0))

	// Cy answered late (after 12:15 Almaty) while the occurrence is open.
	_, err := h.answer(id, "cy", "yesterday", "drift dashboard", "today", "retrain")
	require.NoError(t, err)
	// Dan answers in time.
	_, err = h.answer(id, "dan", "yesterday", "alerts", "today", "canary", "blockers", "none")
	require.NoError(t, err)

	o, _ := h.occurrence(id)
	assert.Equal(t, cadence.StatusOpen, o.Status)
	h.at(monday.Add(17*time.Hour + 15*time.Minute))
	o, as := h.occurrence(id)
	assert.Equal(t, cadence.StatusClosed, o.Status)
	require.Len(t, as, 2)

	rep, err := h.eng.Report(h.ctx, cadence.ReportQuery{From: monday, To: monday.Add(24 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, 4, rep.Team.Expected)
	assert.Equal(t, 2, rep.Team.Answered)
	assert.Equal(t, 1, rep.Team.AnsweredOnTime, "Cy was late by her own deadline")
	summary := h.delivered(cadence.SummaryKey(id)).Message.Body
	assert.Equal(t, "Closed: 2 of 4 answered", summary.Text)
	assert.Equal(t, "Cy (late)", summary.Sections[0].Heading)
	assert.Empty(t, h.chat.Duplicates())
}

// TestPerPersonStandupAcrossDST: in the weeks when New York has moved to
// summer time and Zurich has not, Dan's 09:15 is 13:15 UTC, not 14:15.
func TestPerPersonStandupAcrossDST(t *testing.T) {
	mon := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	h := newHarness(t, mon.Add(-12*time.Hour), standupRitual(t))
	h.at(mon.Add(-12 * time.Hour))
	h.at(mon.Add(4 * time.Hour)) // 09:00 Almaty: nothing yet
	id := cadence.OccurrenceID("standup", mon.Add(8*time.Hour+15*time.Minute))
	h.at(mon.Add(4*time.Hour + 15*time.Minute))
	o, _ := h.occurrence(id)
	assert.Equal(t, mon.Add(13*time.Hour+15*time.Minute), o.PromptAt["dan"])
	assert.Equal(t, mon.Add(8*time.Hour+15*time.Minute), o.PromptAt["lea"])
	assert.Equal(t, mon.Add(4*time.Hour+15*time.Minute), o.PromptAt["cy"])
	h.at(mon.Add(13*time.Hour + 15*time.Minute))
	h.delivered(cadence.PromptKey(id, "dan"))
}

// TestPerPersonOutOfOfficeMovesDueTime: with Almaty away, the standup opens
// at Bucharest's 09:15 and counts as on time.
func TestPerPersonOutOfOfficeMovesDueTime(t *testing.T) {
	h := newHarness(t, monday.Add(-12*time.Hour), standupRitual(t))
	h.at(monday.Add(-12 * time.Hour))
	nov30 := cadence.Date{Year: 2026, Month: 11, Day: 30}
	require.NoError(t, h.eng.SetOutOfOffice(h.ctx, "cy", cadence.DateRange{From: nov30, To: nov30}))
	h.at(monday.Add(4*time.Hour + 15*time.Minute))
	assert.Empty(t, h.chat.Delivered())
	h.at(monday.Add(7*time.Hour + 15*time.Minute))
	o, _ := h.occurrence(cadence.OccurrenceID("standup", monday.Add(8*time.Hour+15*time.Minute)))
	assert.Equal(t, monday.Add(7*time.Hour+15*time.Minute), o.DueAt)
	assert.False(t, o.Late)
	assert.Equal(t, "out of office", o.Excused["cy"])
}
