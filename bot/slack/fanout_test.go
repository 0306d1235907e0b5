package slack_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// clockSleeper is a clock and the sleeper that goes with it.
type clockSleeper interface {
	cadence.Clock
	Sleep(ctx context.Context, d time.Duration) error
}

// manualSleeper moves a manual clock instead of sleeping.
type manualSleeper struct{ *cadence.ManualClock }

func (m manualSleeper) Sleep(ctx context.Context, d time.Duration) error {
	m.Advance(d)
	return ctx.Err()
}

// scaledClock runs Scale times faster than the wall clock: the fake and
// the adapter both live in its time, so Slack's real limits (1/s per
// channel, Retry-After in seconds) apply unchanged, Scale times faster.
type scaledClock struct {
	base, start time.Time
	scale       float64
}

func newScaledClock(base time.Time, scale float64) *scaledClock {
	return &scaledClock{base: base, start: time.Now(), scale: scale}
}

func (c *scaledClock) Now() time.Time {
	return c.base.Add(time.Duration(float64(time.Since(c.start)) * c.scale))
}

func (c *scaledClock) Sleep(ctx context.Context, d time.Duration) error {
	return slack.RealSleep(ctx, time.Duration(float64(d)/c.scale))
}

// fanOut is a workspace of n people and an outbox of one DM prompt each,
// delivered by the real dispatcher through the adapter.
type fanOut struct {
	fake  *slacktest.Server
	store *cadencetest.Store
	d     *cadence.Dispatcher
	clock clockSleeper
	n     int
	// ctx is the dispatcher's (a leader's term on PostgreSQL); nil is
	// context.Background().
	ctx context.Context
	// chat and db are the adapter and the store the dispatcher uses
	// (fanOutOn's rigs), for a dispatcher built otherwise.
	chat cadence.Chat
	db   cadence.Store
}

func newFanOut(tb testing.TB, n int, clock clockSleeper, limit slacktest.Limit) *fanOut {
	f := &fanOut{fake: newFake(tb, clock), store: cadencetest.NewStore(), clock: clock, n: n}
	f.fake.SetLimit("chat.postMessage", limit)
	f.fake.SetChannelLimit("chat.postMessage", slacktest.Limit{PerMinute: 60, Burst: 3})
	var people []*cadence.Person
	for i := 0; i < n; i++ {
		uid := fmt.Sprintf("U1%07d", i)
		f.fake.AddUser(slacktest.User{ID: uid, Name: uid, TZ: "UTC"})
		people = append(people, &cadence.Person{ID: fmt.Sprintf("p%04d", i), Location: time.UTC, Handles: cadence.Handles{SlackID: uid}})
	}
	svc := newService(tb, clock)
	svc.roster = cadence.NewRoster(people)
	now := clock.Now()
	require.NoError(tb, f.store.Update(context.Background(), func(tx cadence.Tx) error {
		for i, p := range people {
			m := prompt("occ/standup/prompt/"+p.ID, p.ID, occOpen)
			m.CreatedAt, m.Revision, m.State, m.NextAttemptAt = now.Add(time.Duration(i)), 1, cadence.StatePending, now
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	}))
	cfg := slack.Config{BotToken: botToken, SigningSecret: secret, APIURL: f.fake.URL, Mode: slack.ModeHTTP}
	a, err := slack.New(cfg, svc, f.store, clock, zerolog.Nop(), slack.WithSleeper(clock.Sleep))
	require.NoError(tb, err)
	require.NoError(tb, a.Start(context.Background()))
	f.d = cadence.NewDispatcher(f.store, clock, map[string]cadence.Chat{"slack": a}, zerolog.Nop(), nil)
	return f
}

// run dispatches until every prompt is delivered, polling like
// Dispatcher.Run every poll of clock time, and returns the clock time it
// took.
func (f *fanOut) run(tb testing.TB, poll time.Duration) time.Duration {
	ctx := f.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	start := f.clock.Now()
	sent := 0
	for i := 0; sent < f.n; i++ {
		require.Less(tb, i, 1_000_000, "fan-out does not finish")
		n, err := f.d.RunOnce(ctx)
		require.NoError(tb, err)
		sent += n
		if sent < f.n {
			require.NoError(tb, f.clock.Sleep(context.Background(), poll))
		}
	}
	return f.clock.Now().Sub(start)
}

// delivered counts DM prompts per key in the fake workspace.
func (f *fanOut) delivered(tb testing.TB) map[string]int {
	out := map[string]int{}
	for _, m := range f.fake.AllMessages() {
		k, _ := metadataKey(tb, m)
		out[k]++
	}
	return out
}

// minimum is the least time the limit allows for n messages.
func minimum(n int, l slacktest.Limit) time.Duration {
	return time.Duration(float64(max(0, n-l.Burst)) / (l.PerMinute / 60) * float64(time.Second))
}

func TestRateLimitStormDeliversEachPromptOnce(t *testing.T) {
	clock := manualSleeper{cadence.NewManualClock(t0)}
	// Slack is stricter than the adapter believes (20/min against 300/min)
	// and opens with a storm of 429s asking for 30 s.
	limit := slacktest.Limit{PerMinute: 20, Burst: 2}
	f := newFanOut(t, 100, clock, limit)
	f.fake.FailNext("chat.postMessage", slacktest.Failure{Status: 429, RetryAfter: 30}, slacktest.Failure{Status: 429, RetryAfter: 30},
		slacktest.Failure{Status: 503}, slacktest.Failure{Error: "service_unavailable"})
	took := f.run(t, time.Second)

	got := f.delivered(t)
	require.Len(t, got, 100)
	for k, n := range got {
		require.Equal(t, 1, n, "%s delivered once", k)
	}
	limited := f.fake.RateLimited("chat.postMessage")
	min := minimum(100, limit)
	t.Logf("100 prompts in %s (minimum %s, ratio %.2f), %d 429s from the limit, %d calls", took, min, took.Seconds()/min.Seconds(), limited, f.fake.Calls("chat.postMessage"))
	require.Less(t, took.Seconds()/min.Seconds(), 1.5, "Retry-After is honoured without long idle gaps")
	// Slack's own rate is 15 times lower than the published one the
	// adapter works to: it runs into the limit about once per message
	// (each 429 answered exactly at its Retry-After), but never calls
	// inside a Retry-After window.
	require.Zero(t, f.fake.EarlyCalls("chat.postMessage"), "no call before Retry-After has passed")
	require.LessOrEqual(t, limited, 100+20, "at most about one refusal per message")
}

// BenchmarkFanOut2000 delivers 2,000 DM prompts through the real
// dispatcher and the adapter to the fake, which enforces Slack's limits
// and answers 429 with Retry-After. Time runs 100× faster than the wall
// clock for both sides (scaledClock): sim_s is Slack time, wall_s real.
// min_s is the least the fake's limit allows: (2000 − burst) / rate.
//
//	go test ./bot/slack -run '^$' -bench FanOut -benchtime 1x
func BenchmarkFanOut2000(b *testing.B) {
	const n, scale = 2000, 100
	cases := []struct {
		name  string
		limit slacktest.Limit
	}{
		// chat.postMessage as the adapter models it: 300/min, burst 30.
		{"published-limits", slacktest.Limit{PerMinute: 300, Burst: 30}},
		// A workspace where Slack allows less than the adapter expects.
		{"slack-stricter-200pm", slacktest.Limit{PerMinute: 200, Burst: 20}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				clock := newScaledClock(t0, scale)
				f := newFanOut(b, n, clock, c.limit)
				wallStart := time.Now()
				b.StartTimer()
				took := f.run(b, 100*time.Millisecond)
				b.StopTimer()
				wall := time.Since(wallStart)
				got := f.delivered(b)
				if len(got) != n {
					b.Fatalf("delivered %d of %d", len(got), n)
				}
				for k, v := range got {
					if v != 1 {
						b.Fatalf("%s delivered %d times", k, v)
					}
				}
				min := minimum(n, c.limit)
				b.ReportMetric(took.Seconds(), "sim_s")
				b.ReportMetric(min.Seconds(), "min_s")
				b.ReportMetric(took.Seconds()/min.Seconds(), "ratio")
				b.ReportMetric(float64(f.fake.RateLimited("chat.postMessage")), "429s")
				b.ReportMetric(wall.Seconds(), "wall_s")
			}
		})
	}
}

// BenchmarkFanOut429Burst is the burst: Slack opens the fan-out
// with 8 × 429 asking for 2 s each (16 s in all), then accepts at its
// published limits. ratio is the time to deliver against the least the
// limits allow plus the Retry-After time; history counts the reads of
// conversations.history (reconciliation), which a 429 never needs.
//
//	go test ./bot/slack -run '^$' -bench FanOut429Burst -benchtime 1x
func BenchmarkFanOut429Burst(b *testing.B) {
	const burst, retryAfter = 8, 2
	limit := slacktest.Limit{PerMinute: 300, Burst: 30}
	// Time runs scale× faster for both sides; a small fan-out uses a
	// lower scale, or the real latency of each HTTP call, scaled up too,
	// would dominate its figure.
	for _, c := range []struct{ n, scale int }{{16, 10}, {2000, 100}} {
		n := c.n
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				clock := newScaledClock(t0, float64(c.scale))
				f := newFanOut(b, n, clock, limit)
				for j := 0; j < burst; j++ {
					f.fake.FailNext("chat.postMessage", slacktest.Failure{Status: 429, RetryAfter: retryAfter})
				}
				b.StartTimer()
				took := f.run(b, 100*time.Millisecond)
				b.StopTimer()
				if got := f.delivered(b); len(got) != n {
					b.Fatalf("delivered %d of %d", len(got), n)
				}
				min := minimum(n, limit)
				ra := time.Duration(burst*retryAfter) * time.Second
				b.ReportMetric(took.Seconds(), "sim_s")
				b.ReportMetric(min.Seconds(), "min_s")
				b.ReportMetric(ra.Seconds(), "retry_after_s")
				b.ReportMetric(took.Seconds()/(min+ra).Seconds(), "ratio")
				b.ReportMetric(float64(f.fake.Calls("conversations.history")), "history")
			}
		})
	}
}
