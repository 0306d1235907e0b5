package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/benchdata"
)

// Issue 5's benchmark of the bot's own /api/report (the same data set as
// dashboard's BenchmarkStoreYear500x5, shared through the cache file):
// server time per request for 1 year × 500 people × 5 rituals from the
// real engine and bbolt store, against one scan of the same data.
//
//	go test ./cmd/cadencebot -run '^$' -bench APIReportYear -benchtime 3x
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

	var scan time.Duration
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := d.Scan(b.Context(), db); err != nil {
				b.Fatal(err)
			}
		}
		scan = b.Elapsed() / time.Duration(b.N)
	})
	per := map[string]time.Duration{}
	for _, format := range []string{"json", "md"} {
		path := "/api/report?from=" + d.From.Format("2006-01-02") + "&to=" + d.To.Format("2006-01-02") + "&format=" + format
		b.Run(format, func(b *testing.B) {
			var size int
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "resp-bytes")
			per[format] = b.Elapsed() / time.Duration(b.N)
		})
	}
	if scan > 0 {
		for _, f := range []string{"json", "md"} {
			b.Logf("/api/report format=%s: %s = %.2f× one scan (%s)", f, per[f].Round(time.Millisecond), float64(per[f])/float64(scan), scan.Round(time.Millisecond))
		}
	}
}
