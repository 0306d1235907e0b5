package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/store"
	"github.com/cadencebot/cadencebot/store/benchdata"
)

// One person's report reads that person's part of each occurrence and
// their answers, and equals the report from all the facts for them, on
// 12 simulated weeks: the whole period, periods cut mid-week, one ritual.
func TestPersonReportIsTheFactsReport(t *testing.T) {
	d, err := benchdata.New(benchdata.Spec{People: 8, Rituals: 3, Weeks: 12, Seed: 5})
	require.NoError(t, err)
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "c.db"), store.Options{NoSync: true})
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
