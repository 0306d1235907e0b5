package dashboard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
)

// The benchmarks measure the dashboard's own server time for one year ×
// 500 people × 5 rituals: the Report is computed once and served by the
// fake, so the figures exclude the engine and the store. Rerun them with
// the real Service over a filled store to add the report computation.

var yearReport = sync.OnceValue(func() *fakeService {
	f := newFixture(fixtureSpec{people: 500, rituals: 5, weeks: 52, seed: 9})
	q := cadence.ReportQuery{From: isoWeekStart(2025, 10), To: isoWeekStart(2026, 10)}
	rep, _ := f.Report(context.Background(), q)
	f.fixed = rep
	return f
})

const yearQuery = "?from=2025-03-03&to=2026-03-01"

func benchPath(b *testing.B, path string) {
	f := yearReport()
	h := dashboard.New(f, cadence.NewManualClock(fixtureNow), dashboard.Options{Loopback: true}).Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
	}
	size := rec.Body.Len()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	}
	b.ReportMetric(float64(size), "resp-bytes")
}

func BenchmarkOverviewYear500x5(b *testing.B) { benchPath(b, "/"+yearQuery) }
func BenchmarkPeoplePageYear500x5(b *testing.B) {
	benchPath(b, "/people"+yearQuery+"&sort=on_time_pct&dir=desc")
}
func BenchmarkAPIReportJSONYear500x5(b *testing.B) { benchPath(b, "/api/report.json"+yearQuery) }
func BenchmarkAPIPeopleCSVYear500x5(b *testing.B)  { benchPath(b, "/api/people.csv"+yearQuery) }
func BenchmarkAPIPeopleJSONYear500x5(b *testing.B) { benchPath(b, "/api/people.json"+yearQuery) }
