package ops_test

import (
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// handoffRitual runs daily at the primary rotation's hand-off time
// (09:00 Zurich); only days with a hand-off open.
func handoffRitual(t testing.TB) *cadence.Ritual {
	return &cadence.Ritual{ID: "handoff", Title: "On-call hand-off", Kind: cadence.KindHandoff, Channel: "oncall", Rotation: "primary",
		Spec: "0 9 * * *", Schedule: cadencetest.MustSchedule(t, "0 9 * * *", "Europe/Zurich"), Location: cadencetest.Location(t, "Europe/Zurich"),
		Participants: []string{"ana", "cy"}, Questions: cadence.DefaultQuestions(cadence.KindHandoff), Window: 4 * time.Hour}
}

// TestHandoffRitual: on hand-off day only the outgoing on-call is asked;
// their notes go to the incoming one by DM (revised when edited) and to
// the channel in the summary; days without a hand-off are skipped.
func TestHandoffRitual(t *testing.T) {
	h := newOpsHarness(t, func(c *ops.Config) { c.Rotations = []*cadence.Rotation{primaryRotation(t)} })
	inc := h.openIncident("lea", "Feature store lag")
	eng, err := cadence.New(cadence.EngineConfig{Rituals: []*cadence.Ritual{handoffRitual(t)}, Roster: h.roster,
		Store: h.store, Clock: h.clock, Logger: zerolog.Nop(), Agenda: h.ops, Handoff: h.ops})
	require.NoError(t, err)
	tick := func(at time.Time) {
		h.clock.Set(at)
		require.NoError(t, eng.Tick(h.ctx))
	}
	tick(opsStart)                                                    // Monday 30 Nov 10:00 UTC
	handoff := cadencetest.Monday.AddDate(0, 0, 7).Add(8 * time.Hour) // Monday 7 Dec 09:00 Zurich: Ana hands over to Cy
	for at := opsStart; !at.After(handoff); at = at.Add(time.Hour) {
		tick(at)
	}

	tuesday := cadence.OccurrenceID("handoff", cadencetest.Monday.AddDate(0, 0, 1).Add(8*time.Hour))
	o, _, err := eng.Occurrence(h.ctx, tuesday)
	require.NoError(t, err)
	assert.Equal(t, cadence.StatusSkipped, o.Status)
	assert.Equal(t, "no hand-off in rotation primary at this time", o.SkipReason)

	id := cadence.OccurrenceID("handoff", handoff)
	o, _, err = eng.Occurrence(h.ctx, id)
	require.NoError(t, err)
	require.Equal(t, cadence.StatusOpen, o.Status)
	assert.Equal(t, []string{"ana"}, o.Expected, "only the outgoing on-call is asked")

	var agenda *cadence.Message
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		agenda, err = tx.Message(cadence.AgendaKey(id))
		return err
	}))
	body := agenda.Body.Plain()
	assert.Equal(t, []string{"Primary on-call: Ana hands over to Cy at Mon 7 Dec 09:00 CET"}, cadencetest.SectionLines(body, "Hand-off"))
	assert.Equal(t, []string{inc.ID() + " · sev 3 · Feature store lag · owner Lea · open"}, cadencetest.SectionLines(body, "Open incidents (1)"))

	answer := func(text string) {
		_, err := eng.SubmitAnswer(h.ctx, cadence.AnswerInput{OccurrenceID: id, PersonID: "ana", Responses: []cadence.Response{
			{QuestionID: "incidents", Text: text}, {QuestionID: "watch", Text: "the nightly retrain"}}})
		require.NoError(t, err)
	}
	answer(inc.ID() + " waits on the vendor")
	notes := func() *cadence.Message {
		var m *cadence.Message
		require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
			m, err = tx.Message(cadence.HandoffNotesKey(id, "cy"))
			return err
		}))
		return m
	}
	m := notes()
	assert.Equal(t, cadence.Recipient{Person: "cy"}, m.To)
	assert.Equal(t, "On-call hand-off from Ana", m.Body.Title)
	assert.Equal(t, "You are on call (Primary on-call) from Mon 7 Dec 13:00 +05. Ana's notes:", m.Body.Text, "in Cy's zone (Almaty)")
	assert.Contains(t, m.Body.Plain().Sections[0].Entries[0].Text, "waits on the vendor")

	answer(inc.ID() + " is fixed")
	m = notes()
	assert.Equal(t, 2, m.Revision, "an edit revises the same DM")
	assert.Contains(t, m.Body.Plain().Sections[0].Entries[0].Text, "is fixed")

	var summary *cadence.Message
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		summary, err = tx.Message(cadence.SummaryKey(id))
		return err
	}))
	assert.Equal(t, cadence.Recipient{Channel: "oncall"}, summary.To)
	// Its content is drawn when it is sent (the summary renderer).
}

// TestHandoffAt: a hand-off at the fire time, or the next one within the
// ritual's window; none otherwise.
func TestHandoffAt(t *testing.T) {
	h := newOpsHarness(t, func(c *ops.Config) { c.Rotations = []*cadence.Rotation{primaryRotation(t)} })
	r := handoffRitual(t)
	handoff := cadencetest.Monday.AddDate(0, 0, 7).Add(8 * time.Hour)
	tests := []struct {
		name string
		fire time.Time
		want string // "out→in@hour UTC" or ""
	}{
		{"at the hand-off", handoff, "ana→cy@08"},
		{"an hour before, within the window", handoff.Add(-time.Hour), "ana→cy@08"},
		{"five hours before, beyond the 4h window", handoff.Add(-5 * time.Hour), ""},
		{"just after", handoff.Add(time.Minute), ""},
		{"before the rotation starts", cadencetest.Monday.Add(8 * time.Hour), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
				if ho, ok := h.ops.HandoffAt(tx, r, tt.fire); ok {
					got = ho.Outgoing + "→" + ho.Incoming + "@" + ho.At.Format("15")
				}
				return nil
			}))
			assert.Equal(t, tt.want, got)
		})
	}
}
