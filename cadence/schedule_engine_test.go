package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// TestEngineCursorInRepeatedHour: a cursor stored inside the second pass
// of Zurich's fall-back hour (where an older build left it stuck) moves on
// after a restart, and the ritual fires every 10 minutes from 03:00 CET.
func TestEngineCursorInRepeatedHour(t *testing.T) {
	r := &cadence.Ritual{
		ID: "pulse", Title: "Pulse", Kind: cadence.KindStandup, Channel: "ops",
		Spec: "*/10 * * * *", Schedule: cadencetest.MustSchedule(t, "*/10 * * * *", "Europe/Zurich"), Location: cadencetest.Location(t, "Europe/Zurich"),
		Participants: []string{"lea"}, Lead: "lea", Questions: cadence.DefaultQuestions(cadence.KindStandup),
		Window: 5 * time.Minute,
	}
	stuck := utc(2026, 10, 25, 1, 5) // 02:05 CET, second pass
	h := cadencetest.NewHarness(t, stuck, r)
	require.NoError(t, h.Store.Update(h.Ctx, func(tx cadence.Tx) error {
		return tx.PutRitualState(&cadence.RitualState{RitualID: "pulse", Cursor: stuck})
	}))
	h.Restart()
	for at := stuck; !at.After(utc(2026, 10, 25, 3, 0)); at = at.Add(time.Minute) {
		h.At(at)
	}
	var got []time.Time
	for _, o := range h.Occurrences(cadence.OccurrenceFilter{RitualID: "pulse"}) {
		got = append(got, o.Scheduled)
	}
	var want []time.Time
	for at := utc(2026, 10, 25, 2, 0); !at.After(utc(2026, 10, 25, 3, 0)); at = at.Add(10 * time.Minute) {
		want = append(want, at)
	}
	require.Equal(t, want, got)
}
