package cadencetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// Aggregates is everything a store holds in aggregates, for comparing
// the incremental ones with a rebuild.
type Aggregates struct {
	Occurrences []*cadence.OccurrenceAggregate
	Weeks       []*cadence.WeekAggregate
}

// ReadAggregates reads every aggregate of s.
func ReadAggregates(ctx context.Context, s cadence.Store) (*Aggregates, error) {
	var out Aggregates
	err := s.View(ctx, func(tx cadence.Tx) error {
		var err error
		if out.Occurrences, err = tx.OccurrenceAggregates(time.Time{}, time.Time{}); err != nil {
			return err
		}
		return tx.EachWeekAggregate(time.Time{}, time.Time{}, func(w *cadence.WeekAggregate) error {
			out.Weeks = append(out.Weeks, w.Clone())
			return nil
		})
	})
	return &out, err
}

func testAggregateRoundTrip(t *testing.T, s cadence.Store) {
	o := fixtureOccurrence("triage", base, cadence.StatusOpen)
	update(t, s, func(tx cadence.Tx) error { return tx.PutOccurrence(o) })
	oa := &cadence.OccurrenceAggregate{
		OccurrenceID: o.ID, RitualID: "triage", Scheduled: base, Status: cadence.StatusClosed, Late: true, OpenDelay: 3 * time.Second,
		Expected: 3, Excused: 1, Answered: 2, AnsweredOnTime: 1, Missing: []string{"bo"},
	}
	oa.Latency.Add(90*time.Second, 1)
	oa.Latency.Add(5*time.Hour, 1)
	week := cadence.WeekOf(base)
	wa := &cadence.WeekAggregate{Week: week, RitualID: "triage", PersonID: "ana", Excused: 1,
		Outcomes: []cadence.WeekOutcome{{At: 30600, Outcome: cadence.OutcomeOnTime}, {At: 117000, Outcome: cadence.OutcomeMissed}}}
	wa.Latency.Add(time.Minute, 1)
	update(t, s, func(tx cadence.Tx) error {
		if err := tx.PutOccurrenceAggregate(oa); err != nil {
			return err
		}
		return tx.PutWeekAggregate(wa)
	})
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.OccurrenceAggregate(o.ID)
		require.NoError(t, err)
		assert.Equal(t, oa, got)
		all, err := tx.OccurrenceAggregates(base, base.Add(time.Second))
		require.NoError(t, err)
		assert.Equal(t, []*cadence.OccurrenceAggregate{oa}, all)
		all, err = tx.OccurrenceAggregates(base.Add(time.Second), time.Time{})
		require.NoError(t, err)
		assert.Empty(t, all, "scheduled before from")
		gw, err := tx.WeekAggregate(week, "triage", "ana")
		require.NoError(t, err)
		assert.Equal(t, wa, gw)
		_, err = tx.WeekAggregate(week, "triage", "bo")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
	// An empty week aggregate is deleted; deleting a missing occurrence
	// aggregate is no error.
	update(t, s, func(tx cadence.Tx) error {
		if err := tx.PutWeekAggregate(&cadence.WeekAggregate{Week: week, RitualID: "triage", PersonID: "ana"}); err != nil {
			return err
		}
		if err := tx.DeleteOccurrenceAggregate(o.ID); err != nil {
			return err
		}
		return tx.DeleteOccurrenceAggregate("nope@20260101T000000Z")
	})
	view(t, s, func(tx cadence.Tx) error {
		_, err := tx.WeekAggregate(week, "triage", "ana")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		_, err = tx.OccurrenceAggregate(o.ID)
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
}

func testWeekAggregateRange(t *testing.T, s cadence.Store) {
	w0 := cadence.WeekOf(base)
	put := []*cadence.WeekAggregate{}
	for i, wk := range []time.Time{w0.AddDate(0, 0, 7), w0, w0.AddDate(0, 0, 14)} {
		for _, p := range []string{"bo", "ana"} {
			for _, r := range []string{"triage", "standup"} {
				put = append(put, &cadence.WeekAggregate{Week: wk, RitualID: r, PersonID: p, Excused: i + 1})
			}
		}
	}
	update(t, s, func(tx cadence.Tx) error {
		for _, w := range put {
			if err := tx.PutWeekAggregate(w); err != nil {
				return err
			}
		}
		return nil
	})
	var got []string
	view(t, s, func(tx cadence.Tx) error {
		return tx.EachWeekAggregate(w0, w0.AddDate(0, 0, 14), func(w *cadence.WeekAggregate) error {
			got = append(got, w.Week.Format("01-02")+" "+w.RitualID+" "+w.PersonID)
			return nil
		})
	})
	assert.Equal(t, []string{
		"11-30 standup ana", "11-30 standup bo", "11-30 triage ana", "11-30 triage bo",
		"12-07 standup ana", "12-07 standup bo", "12-07 triage ana", "12-07 triage bo",
	}, got, "weeks in [from, to), by week, ritual, person")

	update(t, s, func(tx cadence.Tx) error { return tx.ClearAggregates() })
	all, err := ReadAggregates(context.Background(), s)
	require.NoError(t, err)
	assert.Empty(t, all.Weeks, "cleared")
}

// testAggregateUpkeep writes facts through Update and checks the
// aggregates follow: nothing while open, the figures at the close, a late
// answer's difference, and a rebuild giving the same.
func testAggregateUpkeep(t *testing.T, s cadence.Store) {
	ctx := context.Background()
	o := fixtureOccurrence("triage", base, cadence.StatusOpen)
	o.Late, o.SkipReason, o.SkippedBy = false, "", ""
	o.Expected = []string{"ana", "bo", "dan"}
	update(t, s, func(tx cadence.Tx) error {
		if err := tx.PutOccurrence(o); err != nil {
			return err
		}
		return tx.PutAnswer(fixtureAnswer(o.ID, "ana", base.Add(20*time.Minute)))
	})
	all, err := ReadAggregates(ctx, s)
	require.NoError(t, err)
	assert.Empty(t, all.Occurrences, "an open occurrence is not aggregated")
	assert.Empty(t, all.Weeks)

	o.Status = cadence.StatusClosed
	update(t, s, func(tx cadence.Tx) error { return tx.PutOccurrence(o) })
	view(t, s, func(tx cadence.Tx) error {
		oa, err := tx.OccurrenceAggregate(o.ID)
		require.NoError(t, err)
		assert.Equal(t, []int{3, 1, 1, 1}, []int{oa.Expected, oa.Excused, oa.Answered, oa.AnsweredOnTime})
		assert.Equal(t, []string{"bo", "dan"}, oa.Missing)
		assert.Equal(t, 19*time.Minute+59*time.Second, oa.Latency.Median(), "from the prompt actually sent")
		wa, err := tx.WeekAggregate(cadence.WeekOf(base), "triage", "ana")
		require.NoError(t, err)
		assert.Equal(t, []cadence.WeekOutcome{{At: uint32(base.Sub(cadence.WeekOf(base)) / time.Second), Outcome: cadence.OutcomeOnTime}}, wa.Outcomes)
		cy, err := tx.WeekAggregate(cadence.WeekOf(base), "triage", "cy")
		require.NoError(t, err)
		assert.Equal(t, 1, cy.Excused)
		return nil
	})

	// bo answers late (after his own close), dan's answer is rolled back.
	update(t, s, func(tx cadence.Tx) error {
		return tx.PutAnswer(fixtureAnswer(o.ID, "bo", base.Add(6*time.Hour)))
	})
	err = s.Update(ctx, func(tx cadence.Tx) error {
		if err := tx.PutAnswer(fixtureAnswer(o.ID, "dan", base.Add(6*time.Hour))); err != nil {
			return err
		}
		return assert.AnError
	})
	require.ErrorIs(t, err, assert.AnError)
	view(t, s, func(tx cadence.Tx) error {
		oa, err := tx.OccurrenceAggregate(o.ID)
		require.NoError(t, err)
		assert.Equal(t, []int{3, 2, 1}, []int{oa.Expected, oa.Answered, oa.AnsweredOnTime})
		assert.Equal(t, []string{"dan"}, oa.Missing)
		wa, err := tx.WeekAggregate(cadence.WeekOf(base), "triage", "bo")
		require.NoError(t, err)
		assert.Equal(t, cadence.OutcomeLate, wa.Outcomes[0].Outcome)
		assert.Equal(t, 5*time.Hour, wa.Latency.Median(), "from bo's own prompt time")
		return nil
	})

	incremental, err := ReadAggregates(ctx, s)
	require.NoError(t, err)
	st, err := cadence.RebuildAggregates(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, ReindexStatsWant{Occurrences: 1, Answers: 2, Aggregated: 1}, ReindexStatsWant{st.Occurrences, st.Answers, st.Aggregated})
	rebuilt, err := ReadAggregates(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, incremental, rebuilt, "rebuild == incremental")
	view(t, s, func(tx cadence.Tx) error {
		ready, err := cadence.AggregatesReady(tx)
		require.NoError(t, err)
		assert.True(t, ready)
		return nil
	})
}

// ReindexStatsWant is the part of cadence.ReindexStats a test pins.
type ReindexStatsWant struct{ Occurrences, Answers, Aggregated int }
