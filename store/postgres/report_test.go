package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/store/benchdata"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// A report without people (the dashboard's overview) reads only the
// occurrence aggregates and is the full report but for People, medians
// and all, on a simulated history of 12 weeks: the whole period, periods
// cut mid-week at either end, one ritual.
func TestReportWithoutPeopleIsTheReportButPeople(t *testing.T) {
	d, err := benchdata.New(benchdata.Spec{People: 12, Rituals: 3, Weeks: 12, Seed: 5})
	require.NoError(t, err)
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.URL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, d.Fill(ctx, db))
	eng, err := d.Engine(db, d.To.Add(24*time.Hour))
	require.NoError(t, err)
	mid := d.From.AddDate(0, 0, 7*5+2) // a Wednesday
	for _, q := range []cadence.ReportQuery{
		{From: d.From, To: d.To},
		{From: mid, To: d.To},
		{From: d.From, To: mid.AddDate(0, 0, 15)},
		{From: mid, To: mid.AddDate(0, 0, 9), RitualIDs: []string{d.Rituals[0].ID}},
	} {
		full, err := eng.Report(ctx, q)
		require.NoError(t, err)
		require.NotEmpty(t, full.People)
		require.NotZero(t, full.Team.MedianLatency)
		q.WithoutPeople = true
		slim, err := eng.Report(ctx, q)
		require.NoError(t, err)
		full.People = nil
		require.Equal(t, full, slim, "%+v", q)
	}
}

// One person's report reads that person's part of each occurrence and
// their answers, and equals the report from all the facts for them.
func TestPersonReportIsTheFactsReport(t *testing.T) {
	d, err := benchdata.New(benchdata.Spec{People: 8, Rituals: 3, Weeks: 12, Seed: 5})
	require.NoError(t, err)
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.URL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, d.Fill(ctx, db))
	now := d.To.Add(24 * time.Hour)
	eng, err := d.Engine(db, now)
	require.NoError(t, err)
	mid := d.From.AddDate(0, 0, 7*5+2) // a Wednesday
	cadencetest.AssertPersonReports(t, db, eng, now, d.Rituals, d.Roster, []cadence.ReportQuery{
		{From: d.From, To: d.To},
		{From: mid},
		{From: mid, To: mid.AddDate(0, 0, 9), RitualIDs: []string{d.Rituals[0].ID}},
	})
}
