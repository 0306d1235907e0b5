package sim_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/sim"
)

// A simulated year through the real engine: the aggregates it kept
// answer by answer equal a rebuild from the facts, and reports read from
// them equal reports computed from the facts (medians within the
// histogram's stated precision).
func TestAggregatesRebuildEqualsIncremental(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a year")
	}
	ctx := context.Background()
	rituals, roster := team(t)
	to := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC) // a Wednesday: the last week is cut, occurrences open
	st := cadencetest.NewStore()
	_, err := sim.Run(ctx, sim.Options{Rituals: rituals, Roster: roster, Store: st,
		From: to.AddDate(-1, 0, 0), To: to, Seed: 11, AnswerRate: 0.8, NoOps: true})
	require.NoError(t, err)

	incremental, err := cadencetest.ReadAggregates(ctx, st)
	require.NoError(t, err)
	require.NotEmpty(t, incremental.Occurrences)
	require.NotEmpty(t, incremental.Weeks)
	stats, err := cadence.RebuildAggregates(ctx, st)
	require.NoError(t, err)
	assert.Equal(t, len(incremental.Occurrences), stats.Aggregated)
	rebuilt, err := cadencetest.ReadAggregates(ctx, st)
	require.NoError(t, err)
	assert.Equal(t, incremental, rebuilt, "rebuild == incremental")

	var logs bytes.Buffer // the aggregates must answer, not the fallback to the facts
	eng, err := cadence.New(cadence.EngineConfig{Rituals: rituals, Roster: roster, Store: st,
		Clock: cadence.NewManualClock(to), Logger: zerolog.New(&logs).Level(zerolog.WarnLevel)})
	require.NoError(t, err)
	for _, q := range []cadence.ReportQuery{
		{},
		{From: to.AddDate(-1, 0, 0)},
		{From: cadence.WeekOf(to).AddDate(0, 0, -7*11), To: to.Add(24 * time.Hour)},
		{From: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 18, 0, 0, 0, 0, time.UTC)}, // both ends mid-week
		{From: to.AddDate(0, -2, 0), RitualIDs: []string{"standup"}},
		{From: to.AddDate(0, -2, 0), PersonIDs: []string{"cy"}}, // read from the facts
	} {
		got, err := eng.Report(ctx, q)
		require.NoError(t, err)
		want := factsReport(t, st, q, to, rituals, roster)
		require.NotEmpty(t, want.Occurrences)
		assertSameReport(t, want, got)
		assert.Empty(t, logs.String())
	}
}

func factsReport(t *testing.T, st cadence.Store, q cadence.ReportQuery, now time.Time, rituals []*cadence.Ritual, roster *cadence.Roster) *cadence.Report {
	in := cadence.ReportInput{Query: q, Now: now, Tolerance: cadence.DefaultOnTimeTolerance, Rituals: rituals, Roster: roster}
	to := q.To
	if to.IsZero() {
		to = now.Add(48 * time.Hour)
	}
	require.NoError(t, st.View(context.Background(), func(tx cadence.Tx) error {
		var err error
		if in.Occurrences, err = tx.Occurrences(cadence.OccurrenceFilter{From: q.From, To: to}); err != nil {
			return err
		}
		in.Answers, err = tx.SubmissionsBetween(q.From, to)
		return err
	}))
	return cadence.BuildReport(in)
}

// assertSameReport compares two reports exactly but for medians, which
// must agree within the histogram's precision.
func assertSameReport(t *testing.T, want, got *cadence.Report) {
	t.Helper()
	near := func(what string, w, g *cadence.Tally) {
		assert.InDelta(t, float64(w.MedianLatency), float64(g.MedianLatency), float64(max(time.Second, w.MedianLatency/64)), "median of %s", what)
		w.MedianLatency, g.MedianLatency = 0, 0
	}
	near("team", &want.Team, &got.Team)
	for i := range min(len(want.Rituals), len(got.Rituals)) {
		near(want.Rituals[i].RitualID, &want.Rituals[i].Tally, &got.Rituals[i].Tally)
	}
	for i := range min(len(want.People), len(got.People)) {
		near(want.People[i].PersonID, &want.People[i].Tally, &got.People[i].Tally)
	}
	for i := range min(len(want.Weeks), len(got.Weeks)) {
		near(want.Weeks[i].Week, &want.Weeks[i].Tally, &got.Weeks[i].Tally)
	}
	for i := range min(len(want.Occurrences), len(got.Occurrences)) {
		near(want.Occurrences[i].OccurrenceID, &want.Occurrences[i].Tally, &got.Occurrences[i].Tally)
	}
	assert.Equal(t, want, got)
}
