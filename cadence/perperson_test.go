package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// TestPerPersonStandup: one occurrence per day, identified by 09:15 Zurich;
// each person is prompted at 09:15 in their own zone and has their own
// deadline; the occurrence closes with the last deadline.
func TestPerPersonStandup(t *testing.T) {
	h := cadencetest.NewHarness(t, cadencetest.Monday.Add(-12*time.Hour), cadencetest.StandupRitual(t)) // Sunday noon UTC
	h.At(cadencetest.Monday.Add(-12 * time.Hour))
	id := cadence.OccurrenceID("standup", cadencetest.Monday.Add(8*time.Hour+15*time.Minute))
	prompted := func() []string {
		var out []string
		for _, d := range h.Chat.Delivered() {
			if d.Message.Kind == cadence.KindPrompt {
				out = append(out, d.Message.To.Person)
			}
		}
		return out
	}

	h.At(cadencetest.Monday.Add(4*time.Hour + 14*time.Minute))
	assert.Empty(t, h.Chat.Delivered())

	// 09:15 Almaty.
	h.At(cadencetest.Monday.Add(4*time.Hour + 15*time.Minute))
	assert.Equal(t, []string{"cy"}, prompted())
	delivered(h, cadence.AgendaKey(id))
	assert.Contains(t, delivered(h, cadence.AgendaKey(id)).Message.Body.Text, "asked at 09:15 your own time and has 3h to answer")
	assert.Contains(t, delivered(h, cadence.PromptKey(id, "cy")).Message.Body.Text, "by Mon 30 Nov 12:15 +05")

	// 09:15 Bucharest.
	h.At(cadencetest.Monday.Add(7*time.Hour + 15*time.Minute))
	assert.Equal(t, []string{"cy", "ana"}, prompted())
	// Cy's reminder was due at 06:15 UTC, but nothing ticked then and her
	// window has closed since: no reminder after the deadline.
	assert.Empty(t, h.Chat.ByKey(cadence.ReminderKey(id, "cy", 0)))

	// 09:15 Zurich, then 09:15 New York.
	h.At(cadencetest.Monday.Add(8*time.Hour + 15*time.Minute))
	assert.Equal(t, []string{"cy", "ana", "lea"}, prompted())
	h.At(cadencetest.Monday.Add(14*time.Hour + 15*time.Minute))
	assert.Equal(t, []string{"cy", "ana", "lea", "dan"}, prompted())

	// Dan is reminded at 11:15 New York.
	h.At(cadencetest.Monday.Add(16*time.Hour + 15*time.Minute))
	delivered(h, cadence.ReminderKey(id, "dan", 0))

	// Cy answered late (after 12:15 Almaty) while the occurrence is open.
	_, err := h.Answer(id, "cy", "yesterday", "drift dashboard", "today", "retrain")
	require.NoError(t, err)
	// Dan answers in time.
	_, err = h.Answer(id, "dan", "yesterday", "alerts", "today", "canary", "blockers", "none")
	require.NoError(t, err)

	o, _ := h.Occurrence(id)
	assert.Equal(t, cadence.StatusOpen, o.Status)
	h.At(cadencetest.Monday.Add(17*time.Hour + 15*time.Minute))
	o, as := h.Occurrence(id)
	assert.Equal(t, cadence.StatusClosed, o.Status)
	require.Len(t, as, 2)

	rep, err := h.Eng.Report(h.Ctx, cadence.ReportQuery{From: cadencetest.Monday, To: cadencetest.Monday.Add(24 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, 4, rep.Team.Expected)
	assert.Equal(t, 2, rep.Team.Answered)
	assert.Equal(t, 1, rep.Team.AnsweredOnTime, "Cy was late by her own deadline")
	summary := delivered(h, cadence.SummaryKey(id)).Message.Body
	assert.Equal(t, "Closed: 2 of 4 answered", summary.Text)
	assert.Equal(t, "Cy (late)", summary.Sections[0].Heading)
	assert.Empty(t, h.Chat.Duplicates())
}

// TestPerPersonStandupAcrossDST: in the weeks when New York has moved to
// summer time and Zurich has not, Dan's 09:15 is 13:15 UTC, not 14:15.
func TestPerPersonStandupAcrossDST(t *testing.T) {
	mon := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	h := cadencetest.NewHarness(t, mon.Add(-12*time.Hour), cadencetest.StandupRitual(t))
	h.At(mon.Add(-12 * time.Hour))
	h.At(mon.Add(4 * time.Hour)) // 09:00 Almaty: nothing yet
	id := cadence.OccurrenceID("standup", mon.Add(8*time.Hour+15*time.Minute))
	h.At(mon.Add(4*time.Hour + 15*time.Minute))
	o, _ := h.Occurrence(id)
	assert.Equal(t, mon.Add(13*time.Hour+15*time.Minute), o.PromptAt["dan"])
	assert.Equal(t, mon.Add(8*time.Hour+15*time.Minute), o.PromptAt["lea"])
	assert.Equal(t, mon.Add(4*time.Hour+15*time.Minute), o.PromptAt["cy"])
	h.At(mon.Add(13*time.Hour + 15*time.Minute))
	delivered(h, cadence.PromptKey(id, "dan"))
}

// TestPerPersonOutOfOfficeMovesDueTime: with Almaty away, the standup opens
// at Bucharest's 09:15 and counts as on time.
func TestPerPersonOutOfOfficeMovesDueTime(t *testing.T) {
	h := cadencetest.NewHarness(t, cadencetest.Monday.Add(-12*time.Hour), cadencetest.StandupRitual(t))
	h.At(cadencetest.Monday.Add(-12 * time.Hour))
	nov30 := cadence.Date{Year: 2026, Month: 11, Day: 30}
	require.NoError(t, h.Eng.SetOutOfOffice(h.Ctx, "cy", cadence.DateRange{From: nov30, To: nov30}))
	h.At(cadencetest.Monday.Add(4*time.Hour + 15*time.Minute))
	assert.Empty(t, h.Chat.Delivered())
	h.At(cadencetest.Monday.Add(7*time.Hour + 15*time.Minute))
	o, _ := h.Occurrence(cadence.OccurrenceID("standup", cadencetest.Monday.Add(8*time.Hour+15*time.Minute)))
	assert.Equal(t, cadencetest.Monday.Add(7*time.Hour+15*time.Minute), o.DueAt)
	assert.False(t, o.Late)
	assert.Equal(t, "out of office", o.Excused["cy"])
}
