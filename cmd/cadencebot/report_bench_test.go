package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/benchdata"
)

// The bot's own /api/report over 1 year and 12 weeks of 500 people × 5
// rituals (the same data set as dashboard's BenchmarkStoreYear500x5,
// shared through the cache file), server time per request from the real
// engine and bbolt store, against the floor: a raw cursor read of the
// aggregate bytes the report reads.
//
//	go test ./cmd/cadencebot -run '^$' -bench APIReportYear -benchtime 5x
func BenchmarkAPIReportYear500x5(b *testing.B) {
	d, err := benchdata.Build(benchdata.Spec{People: 500, Rituals: 5, Weeks: 52, Seed: 9})
	if err != nil {
		b.Fatal(err)
	}
	db, err := d.Open(false)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	clock := cadence.NewManualClock(d.To.Add(24 * time.Hour))
	eng, err := d.Engine(db, clock.Now())
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	(&apiHandlers{svc: eng, store: db, clock: clock}).register(mux)

	for _, period := range []struct {
		name string
		from time.Time
	}{{"year", d.From}, {"12w", d.To.AddDate(0, 0, -7*12)}} {
		var floor time.Duration
		b.Run(period.name+"/floor", func(b *testing.B) {
			b.ReportAllocs()
			cpu := benchdata.CPUTime()
			for b.Loop() {
				if _, _, err := d.ScanAggregates(b.Context(), db, period.from, d.To); err != nil {
					b.Fatal(err)
				}
			}
			benchdata.ReportCPU(b, cpu, b.N)
			floor = b.Elapsed() / time.Duration(b.N)
		})
		per := map[string]time.Duration{}
		for _, format := range []string{"json", "md"} {
			path := "/api/report?from=" + period.from.Format("2006-01-02") + "&to=" + d.To.Format("2006-01-02") + "&format=" + format
			b.Run(period.name+"/"+format, func(b *testing.B) {
				var size int
				b.ReportAllocs()
				cpu := benchdata.CPUTime()
				for b.Loop() {
					rec := httptest.NewRecorder()
					mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
					if rec.Code != http.StatusOK {
						b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
					}
					size = rec.Body.Len()
				}
				b.ReportMetric(float64(size), "resp-bytes")
				benchdata.ReportCPU(b, cpu, b.N)
				per[format] = b.Elapsed() / time.Duration(b.N)
			})
		}
		if floor > 0 {
			for _, f := range []string{"json", "md"} {
				b.Logf("%s /api/report format=%s: %s = %.1f× the floor (%s)", period.name, f, per[f].Round(100*time.Microsecond),
					float64(per[f])/float64(floor), floor.Round(10*time.Microsecond))
			}
		}
	}
}
