package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// BenchmarkPreviousOccurrence: finding the last held occurrence of a
// ritual before a new one (every agenda does) after 1 and 3 years of five
// daily rituals of 20 people. "scan" is the old way (every earlier
// occurrence of the ritual decoded, the last one kept); "newest" reads
// backwards from the new one and stops at the first match.
func BenchmarkPreviousOccurrence(b *testing.B) {
	rituals := []string{"standup", "triage", "deploys", "quality", "retro"}
	for _, years := range []int{1, 3} {
		db := openTemp(b)
		days := 365 * years
		var people []string
		for i := range 20 {
			people = append(people, fmt.Sprintf("p%02d", i))
		}
		for d := 0; d < days; d += 50 {
			update(b, db, func(tx cadence.Tx) error {
				for day := d; day < min(d+50, days); day++ {
					for i, r := range rituals {
						at := t0.Add(time.Duration(day)*24*time.Hour + time.Duration(i)*time.Hour)
						o := &cadence.Occurrence{ID: cadence.OccurrenceID(r, at), RitualID: r, Scheduled: at, Status: cadence.StatusClosed, Expected: people, Prompted: map[string]time.Time{}}
						for _, p := range people {
							o.Prompted[p] = at
						}
						if err := tx.PutOccurrence(o); err != nil {
							return err
						}
					}
				}
				return nil
			})
		}
		next := t0.Add(time.Duration(days) * 24 * time.Hour)
		held := []cadence.Status{cadence.StatusOpen, cadence.StatusClosed}
		for _, mode := range []string{"scan", "newest"} {
			b.Run(fmt.Sprintf("years=%d/%s", years, mode), func(b *testing.B) {
				for b.Loop() {
					err := db.View(context.Background(), func(tx cadence.Tx) error {
						f := cadence.OccurrenceFilter{RitualID: "triage", To: next, Status: held}
						if mode == "newest" {
							f.Newest, f.Limit = true, 1
						}
						got, err := tx.Occurrences(f)
						if err == nil && len(got) == 0 {
							err = fmt.Errorf("no previous occurrence")
						}
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
