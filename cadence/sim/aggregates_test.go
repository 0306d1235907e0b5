package sim_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/sim"
)

// Two simulated years through the real engine: the aggregates it kept
// answer by answer equal a rebuild from the facts, and reports read from
// them equal reports computed from the facts (medians within the
// histogram's stated precision). The years cross four DST changes in
// Zurich (Almaty keeps none), the ISO year 2025 → 2026 (Monday 29
// December 2025 is 2026-W01) and 2026-W53 into 2027. The team is small
// (a weekly triage and a per-person standup in two zones) so that two
// years stay a few seconds under -race.
func TestAggregatesRebuildEqualsIncremental(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates two years")
	}
	ctx := context.Background()
	rituals, roster := smallTeam(t)
	to := time.Date(2027, 1, 13, 13, 0, 0, 0, time.UTC) // a Wednesday: the last week is cut, occurrences open
	from := to.AddDate(-2, 0, 0)
	st := cadencetest.NewStore()
	// The bot is down twice at Monday's triage (09:30 Zurich, 07:30 UTC
	// in summer): it opens 6 minutes late one week, on time under a
	// 10-minute tolerance and late under 2, and 20 minutes late the next.
	down := [][2]time.Time{
		{time.Date(2026, 6, 1, 7, 28, 0, 0, time.UTC), time.Date(2026, 6, 1, 7, 36, 0, 0, time.UTC)},
		{time.Date(2026, 6, 8, 7, 28, 0, 0, time.UTC), time.Date(2026, 6, 8, 7, 50, 0, 0, time.UTC)},
		{to, to},
	}
	for at, i := from, 0; i < len(down); at, i = down[i][1], i+1 {
		_, err := sim.Run(ctx, sim.Options{Rituals: rituals, Roster: roster, Store: st,
			From: at, To: down[i][0], Seed: 11, AnswerRate: 0.8, NoOps: true,
			MaxJump: 7 * 24 * time.Hour}) // nothing but the engine to wait for (TestLongerJumpsSameHistory)
		require.NoError(t, err)
	}

	incremental, err := cadencetest.ReadAggregates(ctx, st)
	require.NoError(t, err)
	require.NotEmpty(t, incremental.Occurrences)
	weeks := map[time.Time]bool{}
	for _, w := range incremental.Weeks {
		weeks[w.Week] = true
	}
	for _, monday := range []time.Time{
		time.Date(2025, 3, 24, 0, 0, 0, 0, time.UTC),  // DST starts on the Sunday after
		time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC), // and ends
		time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC), // 2026-W01, begun in 2025
		time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC),  // DST starts on the Sunday after
		time.Date(2026, 10, 19, 0, 0, 0, 0, time.UTC), // and ends
		time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC), // 2026-W53
		time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC),   // 2027-W01
	} {
		assert.True(t, weeks[monday], "aggregates of the week of %s", monday.Format(time.DateOnly))
	}
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
	// Another on-time tolerance: the aggregates still answer, the same as
	// the facts at that tolerance. Without people (the cut weeks' people
	// come from the facts) no submission range is read, so the facts did
	// not answer.
	const tolerance = 10 * time.Minute
	cfg10 := cadence.EngineConfig{Rituals: rituals, Roster: roster, Store: st,
		Clock: cadence.NewManualClock(to), Logger: zerolog.New(&logs).Level(zerolog.WarnLevel), OnTimeTolerance: tolerance}
	eng10, err := cadence.New(cfg10)
	require.NoError(t, err)
	cfg10.Store = noSubmissionRanges{st}
	strict10, err := cadence.New(cfg10)
	require.NoError(t, err)
	whole2, err := eng.Report(ctx, cadence.ReportQuery{From: from})
	require.NoError(t, err)
	whole10, err := eng10.Report(ctx, cadence.ReportQuery{From: from})
	require.NoError(t, err)
	assert.Equal(t, whole2.Team.HeldOnTime+1, whole10.Team.HeldOnTime, "the triage 6 minutes late is on time only at 10")
	assert.Equal(t, whole2.Team.Occurrences, whole10.Team.Occurrences)
	for _, q := range []cadence.ReportQuery{
		{},
		{From: from},
		{From: to.AddDate(-1, 0, 0)},
		{From: cadence.WeekOf(to).AddDate(0, 0, -7*11), To: to.Add(24 * time.Hour)},
		{From: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 18, 0, 0, 0, 0, time.UTC)},   // both ends mid-week
		{From: time.Date(2025, 10, 22, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)}, // around the end of DST
		{From: time.Date(2025, 12, 24, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 8, 0, 0, 0, 0, time.UTC)},  // into 2026-W01 and 2026
		{From: time.Date(2026, 12, 23, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 7, 0, 0, 0, 0, time.UTC)},  // 2026-W53 into 2027
		{From: to.AddDate(0, -2, 0), RitualIDs: []string{"standup"}},
		{From: to.AddDate(0, -2, 0), PersonIDs: []string{"cy"}}, // read from the facts
	} {
		got, err := eng.Report(ctx, q)
		require.NoError(t, err)
		// Without people (the overview) reads no week aggregate and
		// is the same report, medians included, but for People.
		slim := q
		slim.WithoutPeople = true
		without, err := eng.Report(ctx, slim)
		require.NoError(t, err)
		with, err := eng.Report(ctx, q)
		require.NoError(t, err)
		require.NotEmpty(t, with.People)
		with.People = nil
		assert.Equal(t, with, without, "report without people, %+v", q)
		want := factsReport(t, st, q, to, rituals, roster, cadence.DefaultOnTimeTolerance)
		require.NotEmpty(t, want.Occurrences)
		assertSameReport(t, want, got)
		if len(q.PersonIDs) == 0 {
			got10, err := eng10.Report(ctx, q)
			require.NoError(t, err)
			without10, err := strict10.Report(ctx, slim)
			require.NoError(t, err)
			people := got10.People
			got10.People = nil
			assert.Equal(t, got10, without10, "at 10 minutes, without people, %+v", q)
			got10.People = people
			assertSameReport(t, factsReport(t, st, q, to, rituals, roster, tolerance), got10) // zeroes medians
		}
		assert.Empty(t, logs.String())
	}
}

// noSubmissionRanges is a store whose reads refuse the range of
// submissions a report from the facts lists.
type noSubmissionRanges struct{ cadence.Store }

func (s noSubmissionRanges) View(ctx context.Context, fn func(cadence.Tx) error) error {
	return s.Store.View(ctx, func(tx cadence.Tx) error { return fn(noSubmissionRangesTx{tx}) })
}

type noSubmissionRangesTx struct{ cadence.Tx }

func (noSubmissionRangesTx) SubmissionsBetween(time.Time, time.Time) ([]*cadence.Answer, error) {
	return nil, errors.New("a report read a range of submissions: the facts answered")
}

func factsReport(t *testing.T, st cadence.Store, q cadence.ReportQuery, now time.Time, rituals []*cadence.Ritual, roster *cadence.Roster, tolerance time.Duration) *cadence.Report {
	in := cadence.ReportInput{Query: q, Now: now, Tolerance: tolerance, Rituals: rituals, Roster: roster}
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

// smallTeam is the simulator's team cut down for two years: a lead and
// two people in Zurich and Almaty, a weekly triage and a per-person
// standup.
func smallTeam(t *testing.T) ([]*cadence.Ritual, *cadence.Roster) {
	rituals, roster := team(t)
	keep := []string{"lea", "ana", "cy"}
	var people []*cadence.Person
	for _, id := range keep {
		people = append(people, roster.Person(id))
	}
	for _, r := range rituals {
		var ps []string
		for _, p := range r.Participants {
			if slices.Contains(keep, p) {
				ps = append(ps, p)
			}
		}
		r.Participants = ps
	}
	return rituals, cadence.NewRoster(people)
}

// The clock's longest jump only bounds how often the simulation looks for
// work the engine does not plan (follow-up reminders): without MLOps,
// jumping up to a week at a time gives the very history hourly jumps give,
// every occurrence, answer, message and aggregate alike, across a DST
// change in Zurich with per-person prompt times in two zones. So
// TestAggregatesRebuildEqualsIncremental can take the long jumps.
func TestLongerJumpsSameHistory(t *testing.T) {
	ctx := context.Background()
	from := time.Date(2026, 3, 11, 7, 0, 0, 0, time.UTC) // a Wednesday
	to := time.Date(2026, 4, 8, 13, 0, 0, 0, time.UTC)   // four weeks on; DST began 29 March
	type history struct {
		res         *sim.Result
		occurrences []*cadence.Occurrence
		answers     []*cadence.Answer
		messages    []*cadence.Message
		aggregates  *cadencetest.Aggregates
	}
	runWith := func(maxJump time.Duration) history {
		rituals, roster := smallTeam(t)
		st := cadencetest.NewStore()
		res, err := sim.Run(ctx, sim.Options{Rituals: rituals, Roster: roster, Store: st,
			From: from, To: to, Seed: 5, AnswerRate: 0.8, NoOps: true, MaxJump: maxJump})
		require.NoError(t, err)
		h := history{res: res}
		require.NoError(t, st.View(ctx, func(tx cadence.Tx) error {
			var err error
			if h.occurrences, err = tx.Occurrences(cadence.OccurrenceFilter{}); err != nil {
				return err
			}
			if h.answers, err = tx.AnswersBetween(time.Time{}, time.Time{}); err != nil {
				return err
			}
			h.messages, err = tx.Messages(cadence.MessageFilter{})
			return err
		}))
		var err2 error
		h.aggregates, err2 = cadencetest.ReadAggregates(ctx, st)
		require.NoError(t, err2)
		return h
	}
	hourly, weekly := runWith(0), runWith(7*24*time.Hour)
	require.NotEmpty(t, hourly.answers)
	require.NotEmpty(t, hourly.messages)
	// The report is made at the clock's last instant, which the jumps
	// reach differently; what it reports is the same.
	hourly.res.Report.GeneratedAt, weekly.res.Report.GeneratedAt = time.Time{}, time.Time{}
	hourly.res.Ops.At, weekly.res.Ops.At = time.Time{}, time.Time{}
	assert.Equal(t, hourly.res, weekly.res)
	assert.Equal(t, hourly.occurrences, weekly.occurrences)
	assert.Equal(t, hourly.answers, weekly.answers)
	assert.Equal(t, hourly.messages, weekly.messages)
	assert.Equal(t, hourly.aggregates, weekly.aggregates)
}
