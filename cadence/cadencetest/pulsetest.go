package cadencetest

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// testReportPulse reads the weekly pulse through Engine.Report on the
// store: the pulse lives in the answers' text, which the store keeps apart
// from who-answered-when, so a report that reads only submissions shows
// an empty pulse.
func testReportPulse(t *testing.T, s cadence.Store) {
	sched, err := cadence.ParseSchedule("30 8 * * 1-5", time.UTC)
	require.NoError(t, err)
	r := &cadence.Ritual{ID: "standup", Title: "Standup", Spec: "30 8 * * 1-5", Schedule: sched, Location: time.UTC, Window: time.Hour,
		Questions: []cadence.Question{{ID: "today", Text: "Today?"}, {ID: "mood", Text: "Mood?", Type: cadence.QuestionScale}}}
	o := fixtureOccurrence("standup", base, cadence.StatusClosed)
	o.Late, o.SkipReason, o.SkippedBy = false, "", ""
	o.Excused = nil
	update(t, s, func(tx cadence.Tx) error {
		if err := tx.PutOccurrence(o); err != nil {
			return err
		}
		for p, mood := range map[string]string{"ana": "4", "bo": "2"} {
			a := fixtureAnswer(o.ID, p, base.Add(10*time.Minute))
			a.Responses = []cadence.Response{{QuestionID: "today", Text: "retrain"}, {QuestionID: "mood", Text: mood}}
			if err := tx.PutAnswer(a); err != nil {
				return err
			}
		}
		return nil
	})
	// From the aggregates (the default tolerance) and from the facts.
	for _, tolerance := range []time.Duration{0, 5 * time.Minute} {
		eng, err := cadence.New(cadence.EngineConfig{Store: s, Rituals: []*cadence.Ritual{r}, Logger: zerolog.Nop(),
			Clock: cadence.NewManualClock(base.AddDate(0, 0, 7)), OnTimeTolerance: tolerance})
		require.NoError(t, err)
		q := cadence.ReportQuery{From: base.AddDate(0, 0, -1), To: base.AddDate(0, 0, 1)}
		rep, err := eng.Report(context.Background(), q)
		require.NoError(t, err)
		require.Len(t, rep.Pulse, 1, "one week of one scale question")
		assert.Equal(t, 3.0, rep.Pulse[0].Mean)

		// WithoutPulse (the /metrics gauges) is the same report but the
		// pulse.
		q.WithoutPulse = true
		without, err := eng.Report(context.Background(), q)
		require.NoError(t, err)
		require.NotEmpty(t, without.Occurrences)
		rep.Pulse = nil
		assert.Equal(t, rep, without, "tolerance %s", tolerance)

		// One person's report reads their answers with the text.
		q.WithoutPulse, q.PersonIDs = false, []string{"ana"}
		ana, err := eng.Report(context.Background(), q)
		require.NoError(t, err)
		require.Len(t, ana.Pulse, 1)
		assert.Equal(t, 4.0, ana.Pulse[0].Mean)
	}
}
