package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/benchdata"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// A rebuild of the aggregates (`cadencebot reindex`, or Open finding them
// stale) leaves them analyzed: the report's week read of 12 weeks is then
// the primary key's index scan, rows in order with no sort, for a custom
// plan and for the generic one pgx's cached statement may come to. Without
// statistics the planner guesses a few rows, scans a bitmap and sorts
// them all; each case first checks it does so on this data, so the test
// tells the two apart (at 10 people a seq scan and a sort are cheapest
// even analyzed: the table must be large enough for the index to pay).
func TestRebuiltAggregatesAreAnalyzed(t *testing.T) {
	d, err := benchdata.New(benchdata.Spec{People: 20, Rituals: 5, Weeks: 40, Seed: 9})
	require.NoError(t, err)
	ctx := context.Background()
	url := pgtest.URL(t)
	db, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, d.Fill(ctx, db))
	c := planConn(t, url)
	lo, hi := d.To.AddDate(0, 0, -7*12).Unix(), d.To.Unix()

	for _, rebuild := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"reindex", func(t *testing.T) {
			_, err := cadence.RebuildAggregates(ctx, db)
			require.NoError(t, err)
		}},
		{"open with stale aggregates", func(t *testing.T) {
			require.NoError(t, db.Update(ctx, func(tx cadence.Tx) error {
				return cadence.Unwrap(tx).Delete("cadence", "aggregates") // cadence's state key: not ready
			}))
			again, err := postgres.Open(ctx, url)
			require.NoError(t, err)
			require.NoError(t, again.Close())
		}},
	} {
		t.Run(rebuild.name, func(t *testing.T) {
			forgetStatistics(t, c, "occurrence_aggregates", "week_aggregates")
			for _, mode := range planModes {
				require.Contains(t, explain(t, c, mode, lo, hi), "Sort", "%s without statistics", mode)
			}
			rebuild.run(t)
			for _, mode := range planModes {
				plan := explain(t, c, mode, lo, hi)
				assert.True(t, strings.HasPrefix(plan, "Index Scan using week_aggregates_pkey on week_aggregates"), "%s:\n%s", mode, plan)
				assert.NotContains(t, plan, "Sort", mode)
			}
		})
	}
}

// A migration analyzes the schema's tables: here the first Open's, on an
// empty database, whose steps create every table.
func TestMigrationAnalyzes(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	db, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	c, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer c.Close(ctx)
	var never []string
	rows, err := c.Query(ctx, "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NULL ORDER BY relname")
	require.NoError(t, err)
	never, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Empty(t, never, "tables never analyzed")
}

// planConn connects for explain: in the simple protocol, as the
// statements explain prepares are its own.
func planConn(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	require.NoError(t, err)
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	c, err := pgx.ConnectConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

var planModes = []string{"force_custom_plan", "force_generic_plan"}

// explain is the plan of the report's week read over [lo, hi) seconds,
// prepared as pgx prepares it, in plan_cache_mode mode.
func explain(t testing.TB, c *pgx.Conn, mode string, lo, hi int64) string {
	t.Helper()
	ctx := context.Background()
	_, err := c.Exec(ctx, "SET plan_cache_mode = "+mode)
	require.NoError(t, err)
	_, err = c.Exec(ctx, "PREPARE week_read AS "+postgres.WeekAggregatesSQL)
	require.NoError(t, err)
	defer func() { _, _ = c.Exec(ctx, "DEALLOCATE week_read") }()
	rows, err := c.Query(ctx, fmt.Sprintf("EXPLAIN EXECUTE week_read(%d, %d)", lo, hi))
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return strings.Join(lines, "\n")
}

// forgetStatistics puts tables back as never analyzed: no column
// statistics, row count unknown (the test cluster's superuser may).
func forgetStatistics(t *testing.T, c *pgx.Conn, tables ...string) {
	t.Helper()
	ctx := context.Background()
	for _, table := range tables {
		for _, sql := range []string{
			"DELETE FROM pg_statistic WHERE starelid = $1::regclass",
			"UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = $1::regclass",
		} {
			_, err := c.Exec(ctx, sql, table)
			require.NoError(t, err, table)
		}
	}
}
