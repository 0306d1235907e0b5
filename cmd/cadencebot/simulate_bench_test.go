package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/sim"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/store"
	"github.com/cadencebot/cadencebot/store/benchdata"
)

// BenchmarkSimulate runs `simulate` (the embedded example config, its
// rituals, digest and MLOps activity) for one week with the team grown to
// 10, 100 and 500 people, and reports the CPU per stored answer: the
// goal is that it stays flat as the team grows.
//
// The floor is the store writes of the same answers: each answer the
// simulation stored is put again into a fresh store, one transaction per
// answer as the engine commits them, with the store's aggregates upkeep.
//
//	go test ./cmd/cadencebot -run '^$' -bench Simulate -benchtime 1x
func BenchmarkSimulate(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		cfg, err := config.Parse("sim.toml", []byte(scaledExample(n)))
		if err != nil {
			b.Fatal(err)
		}
		end := time.Date(2026, 11, 30, 0, 0, 0, 0, cfg.Bot.Timezone) // --until 2026-11-30
		start := weeksBack(end, 1, cfg.Bot.Timezone)
		var answers []*cadence.Answer
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			cpu, stored := benchdata.CPUTime(), 0
			for b.Loop() {
				db, err := store.Open(filepath.Join(b.TempDir(), "sim.db"), store.Options{NoSync: true})
				if err != nil {
					b.Fatal(err)
				}
				res, err := sim.Run(context.Background(), simOptions(cfg, db, start, end, 7, 0.85, false))
				if err != nil {
					b.Fatal(err)
				}
				stored += res.Answers
				b.StopTimer()
				if err := db.View(context.Background(), func(tx cadence.Tx) error {
					answers, err = tx.AnswersBetween(time.Time{}, time.Time{})
					return err
				}); err != nil {
					b.Fatal(err)
				}
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			reportPerAnswer(b, cpu, stored)
		})
		b.Run(fmt.Sprintf("people=%d/floor", n), func(b *testing.B) {
			cpu, stored := benchdata.CPUTime(), 0
			for b.Loop() {
				db, err := store.Open(filepath.Join(b.TempDir(), "floor.db"), store.Options{NoSync: true})
				if err != nil {
					b.Fatal(err)
				}
				for _, a := range answers {
					if err := db.Update(context.Background(), func(tx cadence.Tx) error { return tx.PutAnswer(a) }); err != nil {
						b.Fatal(err)
					}
				}
				stored += len(answers)
				b.StopTimer()
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			reportPerAnswer(b, cpu, stored)
		})
	}
}

func reportPerAnswer(b *testing.B, cpu time.Duration, answers int) {
	if answers == 0 {
		b.Fatal("no answer stored")
	}
	b.ReportMetric(float64(benchdata.CPUTime()-cpu)/float64(answers)/1e6, "cpu-ms/answer")
	b.ReportMetric(float64(answers)/float64(b.N), "answers/op")
}

// scaledExample is the embedded example config with specialists added
// until the team has n people (n ≥ 10, the example's own), spread over
// the example's zones and capabilities.
func scaledExample(n int) string {
	zones := []string{"Europe/Bucharest", "Europe/Warsaw", "Europe/Belgrade", "Asia/Tbilisi", "Asia/Almaty", "Europe/Zurich"}
	caps := []string{"feature-store", "data-contracts", "ci-cd", "release", "observability"}
	var s strings.Builder
	s.Write(config.ExampleTOML())
	for i := 10; i < n; i++ {
		fmt.Fprintf(&s, "\n[[people]]\nid = \"person-%04d\"\nname = \"Person %04d\"\nrole = \"specialist\"\ntimezone = %q\ncapabilities = [%q, %q]\n",
			i, i, zones[i%len(zones)], caps[i%len(caps)], caps[(i+1+(i/5)%4)%len(caps)])
	}
	return s.String()
}
