package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// BenchmarkDispatch500 is the store's share of a fan-out: 500 DM prompts
// through the real dispatcher on PostgreSQL as the leader runs it (every
// claim and every "sent" fenced by the term's epoch), to a chat that
// answers at once, so nothing but the store limits it. sends/s is wall
// time; queries/send counts every statement sent to the server (BEGIN
// and COMMIT included), round-trips/send the times it waited for it. Slack allows about 5 DMs a second per workspace
// (chat.postMessage, 300 a minute after a burst): the store must stay far
// above that, and bot/slack's BenchmarkFanOutPostgres shows the fan-out
// against the limits themselves.
//
//	go test ./store/postgres -run '^$' -bench Dispatch500 -benchtime 3x
func BenchmarkDispatch500(b *testing.B) {
	const n = 500
	for _, inFlight := range []int{1, 16} {
		b.Run(fmt.Sprintf("in_flight=%d", inFlight), func(b *testing.B) {
			var elapsed time.Duration
			var queries, trips int64
			for range b.N {
				b.StopTimer()
				count := &countingTracer{}
				db, err := postgres.OpenTraced(context.Background(), pgtest.URL(b), count)
				if err != nil {
					b.Fatal(err)
				}
				ctx := leaderContext(b, db)
				now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
				if err := db.Update(context.Background(), func(tx cadence.Tx) error {
					for i := range n {
						p := fmt.Sprintf("p%04d", i)
						m := &cadence.Message{Key: "occ/standup/prompt/" + p, Platform: "slack", Kind: cadence.KindPrompt,
							To: cadence.Recipient{Person: p}, Body: cadence.Body{Title: "Standup", Text: "What did you do yesterday?"},
							CreatedAt: now.Add(time.Duration(i)), NextAttemptAt: now, Revision: 1, State: cadence.StatePending}
						if _, err := tx.Enqueue(m); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				chat := concurrentChat{cadencetest.NewChat("slack")}
				d := cadence.NewDispatcher(db, cadence.NewManualClock(now), map[string]cadence.Chat{"slack": chat}, zerolog.Nop(), nil,
					cadence.WithInFlight(inFlight))
				count.n.Store(0)
				count.trips.Store(0)
				start := time.Now()
				b.StartTimer()
				sent, err := d.RunOnce(ctx)
				b.StopTimer()
				elapsed += time.Since(start)
				queries += count.n.Load()
				trips += count.trips.Load()
				if err != nil {
					b.Fatal(err)
				}
				if sent != n || chat.Sends() != n {
					b.Fatalf("sent %d (platform got %d), want %d each", sent, chat.Sends(), n)
				}
				_ = db.Close()
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "sends/s")
			b.ReportMetric(float64(queries)/float64(n*b.N), "queries/send")
			b.ReportMetric(float64(trips)/float64(n*b.N), "round-trips/send")
		})
	}
}

// concurrentChat lets the dispatcher keep sends in flight, as Slack's
// adapter does.
type concurrentChat struct{ *cadencetest.Chat }

func (concurrentChat) MaxInFlight() int { return 16 }

// countingTracer counts what is sent to the server: statements, and
// round trips (a statement on its own, or a pipelined batch).
type countingTracer struct{ n, trips atomic.Int64 }

func (c *countingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	c.trips.Add(1)
	return ctx
}

func (c *countingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *countingTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	c.n.Add(int64(len(d.Batch.QueuedQueries)))
	c.trips.Add(1)
	return ctx
}

func (c *countingTracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *countingTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// leaderContext wins the lease on db and returns a context carrying the
// term, as the leader's dispatcher runs.
func leaderContext(b *testing.B, db *postgres.DB) context.Context {
	b.Helper()
	el := db.NewElector(postgres.ElectorConfig{Holder: "bench", TTL: 30 * time.Second, Logger: zerolog.Nop()})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); el.Run(ctx) }()
	b.Cleanup(func() { stop(); <-done })
	cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	term, err := el.Campaign(cctx)
	if err != nil {
		b.Fatal(err)
	}
	return cadence.WithTerm(context.Background(), term.Epoch)
}
