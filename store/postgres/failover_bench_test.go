package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// BenchmarkFailover measures takeover: the leader's connections are
// terminated (it stays up, not campaigning, like a replica cut off), and
// the time until the follower holds the lease is reported against the
// TTL. The floor is the lease's remaining life at the cut, at most one
// TTL since the last renewal: nobody may lead before it expires.
// `go test -bench Failover -benchtime 5x ./store/postgres/`.
func BenchmarkFailover(b *testing.B) {
	for _, ttl := range []time.Duration{time.Second, 2 * time.Second, 5 * time.Second} {
		b.Run(fmt.Sprintf("ttl=%s", ttl), func(b *testing.B) {
			dbURL := pgtest.URL(b)
			var total, worst time.Duration
			b.StopTimer()
			for i := range b.N {
				a := startReplicaTB(b, dbURL, fmt.Sprintf("a%d", i), ttl)
				campaign(b, a, 10*time.Second)
				f := startReplicaTB(b, dbURL, fmt.Sprintf("f%d", i), ttl)
				won := make(chan struct{})
				go func() {
					if _, err := f.el.Campaign(context.Background()); err == nil {
						close(won)
					}
				}()
				time.Sleep(ttl / 2) // some point of a renewal period
				cut := time.Now()
				terminate(b, dbURL, a.name)
				a.shutdown() // its resign fails: the connection is gone
				select {
				case <-won:
				case <-time.After(5 * ttl):
					b.Fatalf("no takeover within 5× the TTL")
				}
				d := time.Since(cut)
				total += d
				worst = max(worst, d)
				f.shutdown()
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/takeover")
			b.ReportMetric(float64(worst.Milliseconds()), "ms-worst")
			b.ReportMetric(float64(total)/float64(b.N)/float64(ttl), "takeover/ttl")
		})
	}
}
