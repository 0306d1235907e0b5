package postgres_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
	"github.com/cadencebot/cadencebot/store/benchdata"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// Issue 12's year report on PostgreSQL: 1 year and 12 weeks of 500 people
// × 5 rituals (store/benchdata's history, written into a throwaway
// database), server time of the engine's report, the dashboard's overview
// and people pages and /api/report.json, against the floor — the same
// aggregate rows read raw in one read-only transaction. Peak RSS is
// measured over the year requests.
//
//	go test ./store/postgres -run '^$' -bench ReportYear -benchtime 5x
func BenchmarkReportYear500x5(b *testing.B) {
	d, err := benchdata.New(benchdata.Spec{People: 500, Rituals: 5, Weeks: 52, Seed: 9})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	url := pgtest.URL(b)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	if err := d.Fill(ctx, db); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled %d occurrences, %d answers in %s", d.Occurrences, d.Answers, time.Since(start).Round(time.Second))
	now := d.To.Add(24 * time.Hour)
	eng, err := d.Engine(db, now)
	if err != nil {
		b.Fatal(err)
	}
	h := dashboard.New(eng, cadence.NewManualClock(now), dashboard.Options{Loopback: true}).Handler()
	// The fill rebuilt the aggregates as `cadencebot reindex` does, which
	// analyzes them: the plans the pages and the floor get.
	c := planConn(b, url)
	for _, period := range []struct {
		name string
		from time.Time
	}{{"year", d.From}, {"12w", d.To.AddDate(0, 0, -7*12)}} {
		query := "?from=" + period.from.Format("2006-01-02") + "&to=" + d.To.AddDate(0, 0, -1).Format("2006-01-02")
		b.Logf("%s: week read plan (custom / generic): %s / %s", period.name,
			firstLine(explain(b, c, "force_custom_plan", cadence.WeekOf(period.from).Unix(), d.To.Unix())),
			firstLine(explain(b, c, "force_generic_plan", cadence.WeekOf(period.from).Unix(), d.To.Unix())))
		b.Logf("%s: week read on the server (EXPLAIN ANALYZE, least of 5): %s", period.name,
			serverTime(b, c, cadence.WeekOf(period.from).Unix(), d.To.Unix()).Round(100*time.Microsecond))
		var floor time.Duration
		per := map[string]time.Duration{}
		b.Run(period.name+"/floor", func(b *testing.B) {
			var n, size int
			b.ReportAllocs()
			cpu := benchdata.CPUTime()
			for b.Loop() {
				if n, size, err = d.ScanAggregates(b.Context(), db, period.from, d.To); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "records")
			b.ReportMetric(float64(size), "bytes")
			benchdata.ReportCPU(b, cpu, b.N)
			floor = b.Elapsed() / time.Duration(b.N)
		})
		// What a report without people reads (the overview): the
		// occurrence aggregates alone.
		var slimFloor time.Duration
		b.Run(period.name+"/floor-occurrences", func(b *testing.B) {
			var n, size int
			b.ReportAllocs()
			cpu := benchdata.CPUTime()
			for b.Loop() {
				if n, size, err = db.ScanOccurrenceAggregates(b.Context(), period.from, d.To); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "records")
			b.ReportMetric(float64(size), "bytes")
			benchdata.ReportCPU(b, cpu, b.N)
			slimFloor = b.Elapsed() / time.Duration(b.N)
		})
		b.Run(period.name+"/engine-report-without-people", func(b *testing.B) {
			b.ReportAllocs()
			cpu := benchdata.CPUTime()
			for b.Loop() {
				rep, err := eng.Report(b.Context(), cadence.ReportQuery{From: period.from, To: d.To, WithoutPeople: true})
				if err != nil {
					b.Fatal(err)
				}
				if period.name == "year" && rep.Team.Answered != d.Answers {
					b.Fatalf("report: %d answers, want %d", rep.Team.Answered, d.Answers)
				}
			}
			benchdata.ReportCPU(b, cpu, b.N)
			per["engine-report-without-people"] = b.Elapsed() / time.Duration(b.N)
		})
		b.Run(period.name+"/engine-report", func(b *testing.B) {
			b.ReportAllocs()
			cpu := benchdata.CPUTime()
			for b.Loop() {
				rep, err := eng.Report(b.Context(), cadence.ReportQuery{From: period.from, To: d.To})
				if err != nil {
					b.Fatal(err)
				}
				if period.name == "year" && rep.Team.Answered != d.Answers {
					b.Fatalf("report: %d answers, want %d", rep.Team.Answered, d.Answers)
				}
			}
			benchdata.ReportCPU(b, cpu, b.N)
			per["engine-report"] = b.Elapsed() / time.Duration(b.N)
		})
		for _, p := range []struct{ name, path string }{
			{"overview", "/" + query},
			{"people", "/people" + query + "&sort=on_time_pct&dir=desc"},
			{"api-report-json", "/api/report.json" + query},
		} {
			b.Run(period.name+"/"+p.name, func(b *testing.B) {
				runtime.GC()
				rssErr := benchdata.ResetPeakRSS()
				var size int
				var anon int64
				b.ReportAllocs()
				cpu := benchdata.CPUTime()
				for b.Loop() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p.path, nil))
					if rec.Code != http.StatusOK {
						b.Fatalf("GET %s: %d %s", p.path, rec.Code, rec.Body.String())
					}
					size = rec.Body.Len()
					if a, err := benchdata.AnonRSS(); err == nil {
						anon = max(anon, a)
					}
				}
				b.ReportMetric(float64(size), "resp-bytes")
				if peak, err := benchdata.PeakRSS(); err == nil && rssErr == nil {
					b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
				}
				b.ReportMetric(float64(anon)/(1<<20), "max-anon-RSS-MiB")
				benchdata.ReportCPU(b, cpu, b.N)
				per[p.name] = b.Elapsed() / time.Duration(b.N)
			})
		}
		if floor > 0 && slimFloor > 0 {
			for _, name := range []string{"engine-report-without-people", "overview", "engine-report", "people", "api-report-json"} {
				f := floor // reads the week aggregates too
				if name == "engine-report-without-people" || name == "overview" {
					f = slimFloor
				}
				b.Logf("%s %-28s %8s = %.1f× its floor (%s)", period.name, name, per[name].Round(100*time.Microsecond),
					float64(per[name])/float64(f), f.Round(10*time.Microsecond))
			}
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// serverTime is the least execution time PostgreSQL reports for the week
// read over [lo, hi) seconds in five runs: its share of a page's time,
// which the client's CPU time leaves out.
func serverTime(b *testing.B, c *pgx.Conn, lo, hi int64) time.Duration {
	b.Helper()
	ctx := context.Background()
	for _, sql := range []string{"SET plan_cache_mode = auto", "PREPARE week_timed AS " + postgres.WeekAggregatesSQL} {
		if _, err := c.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	defer func() { _, _ = c.Exec(ctx, "DEALLOCATE week_timed") }()
	best := time.Duration(math.MaxInt64)
	for range 5 {
		rows, err := c.Query(ctx, fmt.Sprintf("EXPLAIN (ANALYZE, TIMING OFF) EXECUTE week_timed(%d, %d)", lo, hi))
		if err != nil {
			b.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			b.Fatal(err)
		}
		for _, l := range lines {
			if ms, ok := strings.CutPrefix(l, "Execution Time: "); ok {
				v, err := strconv.ParseFloat(strings.TrimSuffix(ms, " ms"), 64)
				if err != nil {
					b.Fatalf("%q: %v", l, err)
				}
				best = min(best, time.Duration(v*float64(time.Millisecond)))
			}
		}
	}
	return best
}
