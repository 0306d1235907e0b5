package dashboard_test

import (
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
	"github.com/cadencebot/cadencebot/store/benchdata"
)

// Issue 11's benchmark with the real engine and bbolt store behind the
// dashboard: server time per request for 1 year and for 12 weeks of
// 500 people × 5 rituals, against the floor — a raw cursor read of the
// same aggregate bytes the reports read (ScanAggregates) — and, for
// scale, one scan of every occurrence and answer (what reports read
// before aggregates), run last. RSS is measured per request kind, each
// from a heap collected and returned to the kernel first.
//
//	go test ./dashboard -run '^$' -bench StoreYear -benchtime 5x
//
// The history is written as records by store/benchdata (see its package
// comment for why not simulated) and cached in os.TempDir between runs.

var storeYear = sync.OnceValues(func() (*benchdata.Dataset, error) {
	return benchdata.Build(benchdata.Spec{People: 500, Rituals: 5, Weeks: 52, Seed: 9})
})

func BenchmarkStoreYear500x5(b *testing.B) {
	d, err := storeYear()
	if err != nil {
		b.Fatal(err)
	}
	b.Log(d.Summary())
	db, err := d.Open(false)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := d.To.Add(24 * time.Hour)
	eng, err := d.Engine(db, now)
	if err != nil {
		b.Fatal(err)
	}
	h := dashboard.New(eng, cadence.NewManualClock(now), dashboard.Options{Loopback: true}).Handler()

	for _, period := range []struct {
		name string
		from time.Time
	}{{"year", d.From}, {"12w", d.To.AddDate(0, 0, -7*12)}} {
		// to is the inclusive last day.
		query := "?from=" + period.from.Format("2006-01-02") + "&to=" + d.To.AddDate(0, 0, -1).Format("2006-01-02")
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
		b.Run(period.name+"/engine-report", func(b *testing.B) {
			b.ReportAllocs()
			cpu := benchdata.CPUTime()
			for b.Loop() {
				if _, err := eng.Report(b.Context(), cadence.ReportQuery{From: period.from, To: d.To}); err != nil {
					b.Fatal(err)
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
				// Start from what the process holds at rest: the heap an
				// earlier sub-benchmark left is collected and given back
				// to the kernel, so each request's figures are its own.
				debug.FreeOSMemory()
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
		if floor > 0 {
			for _, name := range []string{"engine-report", "overview", "people", "api-report-json"} {
				b.Logf("%s %-16s %8s = %.1f× the floor (%s)", period.name, name, per[name].Round(100*time.Microsecond),
					float64(per[name])/float64(floor), floor.Round(10*time.Microsecond))
			}
		}
	}
}
