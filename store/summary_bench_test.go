package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cadencebot/cadencebot/cadence"
)

// Issue 11.1: what the summary costs per answer once an occurrence has N
// answers, on bbolt without fsync (CPU and bytes, not the disk):
//
//	go test ./store -run '^$' -bench SummaryAt
//
// "answer" is Engine.SubmitAnswer of an edit into an occurrence where all
// N people answered: the summary part is now a few counters, so it should
// not grow with N. "draw" is one drawing of the summary message from the
// N answers (RenderSummary), which the dispatcher pays once per edit it
// sends, however many answers the edit covers.
func BenchmarkSummaryAt(b *testing.B) {
	for _, n := range []int{10, 100, 300, 1000} {
		for _, part := range []string{"answer", "draw"} {
			b.Run(fmt.Sprintf("N=%d/%s", n, part), func(b *testing.B) {
				rig := newTeamRig(b, n, n)
				db, e := rig.open(b, true)
				defer db.Close()
				ctx := context.Background()
				submit := func(i int) {
					t := rig.targets[i%n]
					if _, err := e.SubmitAnswer(ctx, cadence.AnswerInput{OccurrenceID: t.occurrence, PersonID: t.person, Responses: rig.resp, Via: "bench"}); err != nil {
						b.Fatal(err)
					}
				}
				for i := range n {
					submit(i)
				}
				occ := rig.targets[0].occurrence
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if part == "answer" {
						submit(i)
						continue
					}
					b.StopTimer()
					submit(i)
					b.StartTimer()
					if err := db.Update(ctx, func(tx cadence.Tx) error { return e.RenderSummary(tx, occ, nil, rig.clock.Now()) }); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
