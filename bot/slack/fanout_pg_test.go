package slack_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// TestMain stops the PostgreSQL cluster the PG fan-out started, if any.
func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// newPGFanOut is newBoltFanOut on PostgreSQL, dispatched as the leader
// does it: under a term won from the lease, so every claim and every
// "sent" is fenced by its epoch.
func newPGFanOut(tb testing.TB, n int, clock *scaledClock, rtt time.Duration, inFlight int) *fanOut {
	fake := newFake(tb, clock)
	fake.SetLimit("chat.postMessage", slacktest.Limit{PerMinute: 300, Burst: 30})
	fake.SetChannelLimit("chat.postMessage", slacktest.Limit{PerMinute: 60, Burst: 3})
	db, err := postgres.Open(context.Background(), pgtest.URL(tb))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = db.Close() })
	el := db.NewElector(postgres.ElectorConfig{Holder: "bench", TTL: 10 * time.Second, Logger: zerolog.Nop()})
	ectx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); el.Run(ectx) }()
	tb.Cleanup(func() { stop(); <-done })
	cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	term, err := el.Campaign(cctx)
	require.NoError(tb, err)

	f := fanOutOn(tb, n, clock, rtt, inFlight, fake, db)
	f.ctx = cadence.WithTerm(context.Background(), term.Epoch)
	return f
}

// BenchmarkFanOutPostgres is BenchmarkFanOutRoundTrip on PostgreSQL: 500
// DM prompts (a team's fan-out) through the real dispatcher, the adapter
// and the store to the fake, which enforces Slack's published limits,
// with 0, 150 and 300 ms round trip on every Slack call. The leader's
// writes are fenced by its epoch. min_s is the least Slack's limits
// allow, (500 − burst) / rate; ratio is sim_s / min_s; sends/s is in
// Slack (scaled clock) time. The throwaway cluster runs without fsync
// (pgtest); CADENCEBOT_TEST_DATABASE_URL points it at a durable one.
//
//	go test ./bot/slack -run '^$' -bench FanOutPostgres -benchtime 1x
func BenchmarkFanOutPostgres(b *testing.B) {
	benchFanOut(b, 500, []int{1, 16}, newPGFanOut)
}
