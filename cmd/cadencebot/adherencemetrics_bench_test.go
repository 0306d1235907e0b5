package main

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/benchdata"
)

// A scrape of the adherence gauges at the end of a year of 500 people × 5
// rituals (the cached data set of BenchmarkAPIReportYear500x5), bbolt,
// against the floor: the occurrence aggregates of the window's weeks,
// listed and decoded in one read transaction, which is all the report
// without people reads once the occurrences are final.
//
//	go test ./cmd/cadencebot -run '^$' -bench AdherenceScrape -benchtime 200x
func BenchmarkAdherenceScrapeYear500x5(b *testing.B) {
	d, err := benchdata.Build(benchdata.Spec{People: 500, Rituals: 5, Weeks: 52, Seed: 9})
	if err != nil {
		b.Fatal(err)
	}
	db, err := d.Open(false)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	clock := cadence.NewManualClock(d.To)
	eng, err := d.Engine(db, clock.Now())
	if err != nil {
		b.Fatal(err)
	}
	now := clock.Now()
	wFrom := cadence.WeekOf(now.Add(-adherenceMetricsWindow))
	wTo := cadence.WeekOf(now).AddDate(0, 0, 7)

	var floor time.Duration
	b.Run("floor", func(b *testing.B) {
		cpu := benchdata.CPUTime()
		n := 0
		for b.Loop() {
			err := db.View(b.Context(), func(tx cadence.Tx) error {
				as, err := tx.OccurrenceAggregates(wFrom, wTo)
				n = len(as)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "records")
		benchdata.ReportCPU(b, cpu, b.N)
		floor = b.Elapsed() / time.Duration(b.N)
	})
	b.Run("scrape", func(b *testing.B) {
		reg := prometheus.NewRegistry()
		reg.MustRegister(newAdherenceCollector(eng, clock, zerolog.Nop()))
		cpu := benchdata.CPUTime()
		series := 0
		for b.Loop() {
			mfs, err := reg.Gather()
			if err != nil {
				b.Fatal(err)
			}
			series = 0
			for _, mf := range mfs {
				series += len(mf.GetMetric())
			}
		}
		if series == 0 {
			b.Fatal("no series")
		}
		b.ReportMetric(float64(series), "series")
		benchdata.ReportCPU(b, cpu, b.N)
		if floor > 0 {
			per := b.Elapsed() / time.Duration(b.N)
			b.Logf("scrape %s = %.1f× the floor (%s)", per.Round(10*time.Microsecond), float64(per)/float64(floor), floor.Round(10*time.Microsecond))
		}
	})
}
