package dashboard_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
	"github.com/cadencebot/cadencebot/store/benchdata"
)

// Issue 5's benchmark with the real engine and bbolt store behind the
// dashboard: server time per request for 1 year × 500 people × 5
// rituals, against one scan of the same data in the store.
//
//	go test ./dashboard -run '^$' -bench StoreYear -benchtime 3x
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
	// The whole history: to is the inclusive last day.
	year := "?from=" + d.From.Format("2006-01-02") + "&to=" + d.To.AddDate(0, 0, -1).Format("2006-01-02")

	var scan time.Duration
	per := map[string]time.Duration{}
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := d.Scan(b.Context(), db); err != nil {
				b.Fatal(err)
			}
		}
		scan = b.Elapsed() / time.Duration(b.N)
	})
	b.Run("engine-report", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rep, err := eng.Report(b.Context(), cadence.ReportQuery{From: d.From, To: d.To})
			if err != nil || rep.Team.Answered != d.Answers {
				b.Fatalf("report: err %v, %d answers; want %d", err, rep.Team.Answered, d.Answers)
			}
		}
		per["engine-report"] = b.Elapsed() / time.Duration(b.N)
	})
	for _, p := range []struct{ name, path string }{
		{"overview", "/" + year},
		{"people", "/people" + year + "&sort=on_time_pct&dir=desc"},
		{"api-report-json", "/api/report.json" + year},
	} {
		b.Run(p.name, func(b *testing.B) {
			var size int
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p.path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", p.path, rec.Code, rec.Body.String())
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "resp-bytes")
			per[p.name] = b.Elapsed() / time.Duration(b.N)
		})
	}
	if scan > 0 {
		for _, name := range []string{"engine-report", "overview", "people", "api-report-json"} {
			b.Logf("%-16s %8s = %.2f× one scan (%s)", name, per[name].Round(time.Millisecond), float64(per[name])/float64(scan), scan.Round(time.Millisecond))
		}
	}
}
