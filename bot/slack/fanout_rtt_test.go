package slack_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// slowTransport adds a round trip to every Web API call, in the scaled
// clock's time: Slack is ~150–300 ms away from most bots.
type slowTransport struct {
	rtt   time.Duration
	clock *scaledClock
}

func (s slowTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := s.clock.Sleep(r.Context(), s.rtt); err != nil {
		return nil, err
	}
	return http.DefaultTransport.RoundTrip(r)
}

// newBoltFanOut is newFanOut on the bbolt store (fsync on every commit,
// as in production) with a round trip injected into every call, and a
// dispatcher keeping up to inFlight sends in flight.
func newBoltFanOut(tb testing.TB, n int, clock *scaledClock, rtt time.Duration, inFlight int) *fanOut {
	fake := newFake(tb, clock)
	fake.SetLimit("chat.postMessage", slacktest.Limit{PerMinute: 300, Burst: 30})
	fake.SetChannelLimit("chat.postMessage", slacktest.Limit{PerMinute: 60, Burst: 3})
	db, err := store.Open(filepath.Join(tb.TempDir(), "fanout.db"), store.Options{})
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = db.Close() })
	return fanOutOn(tb, n, clock, rtt, inFlight, fake, db)
}

// fanOutOn queues n DM prompts (one person each, due now) in db and
// returns a dispatcher sending them through the adapter to fake, every
// call delayed by rtt, up to inFlight at once: the part of a fan-out rig
// that does not depend on the store.
func fanOutOn(tb testing.TB, n int, clock *scaledClock, rtt time.Duration, inFlight int, fake *slacktest.Server, db cadence.Store) *fanOut {
	var people []*cadence.Person
	for i := range n {
		uid := fmt.Sprintf("U1%07d", i)
		fake.AddUser(slacktest.User{ID: uid, Name: uid, TZ: "UTC"})
		people = append(people, &cadence.Person{ID: fmt.Sprintf("p%04d", i), Location: time.UTC, Handles: cadence.Handles{SlackID: uid}})
	}
	svc := newService(tb, clock)
	svc.roster = cadence.NewRoster(people)
	now := clock.Now()
	require.NoError(tb, db.Update(context.Background(), func(tx cadence.Tx) error {
		for i, p := range people {
			m := prompt("occ/standup/prompt/"+p.ID, p.ID, occOpen)
			m.CreatedAt, m.Revision, m.State, m.NextAttemptAt = now.Add(time.Duration(i)), 1, cadence.StatePending, now
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	}))
	cfg := slack.Config{BotToken: botToken, SigningSecret: secret, APIURL: fake.URL, Mode: slack.ModeHTTP}
	client := &http.Client{Transport: slowTransport{rtt: rtt, clock: clock}, Timeout: 30 * time.Second}
	a, err := slack.New(cfg, svc, db, clock, zerolog.Nop(), slack.WithSleeper(clock.Sleep), slack.WithHTTPClient(client))
	require.NoError(tb, err)
	require.NoError(tb, a.Start(context.Background()))
	d := cadence.NewDispatcher(db, clock, map[string]cadence.Chat{"slack": a}, zerolog.Nop(), nil, cadence.WithInFlight(inFlight))
	return &fanOut{fake: fake, d: d, clock: clock, n: n, chat: a, db: db}
}

// BenchmarkFanOutRoundTrip delivers 2,000 DM prompts through the real
// dispatcher, the adapter and the bbolt store to the fake, which enforces
// Slack's published limits, with a round trip of 0, 150 and 300 ms on
// every call. Time runs `scale`× faster than the wall clock for both
// sides (fsync does not: it costs scale× more in Slack time here, which
// only makes the figures conservative). min_s is the least Slack's limits
// allow, (2000 − burst) / rate; ratio is sim_s / min_s. in_flight=1 is the
// serial dispatcher, 16 what `run` uses.
//
//	go test ./bot/slack -run '^$' -bench FanOutRoundTrip -benchtime 1x
func BenchmarkFanOutRoundTrip(b *testing.B) {
	benchFanOut(b, 2000, []int{1, 8, 16}, newBoltFanOut)
}

// benchFanOut delivers n DM prompts through the rig made by newRig, for
// each dispatcher width in inFlights and a round trip of 0, 150 and 300
// ms, checks each was delivered exactly once, and reports the Slack time
// it took against the least Slack's limits allow.
func benchFanOut(b *testing.B, n int, inFlights []int, newRig func(testing.TB, int, *scaledClock, time.Duration, int) *fanOut) {
	const scale = 10
	limit := slacktest.Limit{PerMinute: 300, Burst: 30}
	for _, inFlight := range inFlights {
		for _, rtt := range []time.Duration{0, 150 * time.Millisecond, 300 * time.Millisecond} {
			b.Run(fmt.Sprintf("in_flight=%d/rtt=%dms", inFlight, rtt.Milliseconds()), func(b *testing.B) {
				for range b.N {
					b.StopTimer()
					clock := newScaledClock(t0, scale)
					f := newRig(b, n, clock, rtt, inFlight)
					b.StartTimer()
					took := f.run(b, 100*time.Millisecond)
					b.StopTimer()
					got := f.delivered(b)
					if len(got) != n {
						b.Fatalf("delivered %d of %d", len(got), n)
					}
					for k, v := range got {
						if v != 1 {
							b.Fatalf("%s delivered %d times", k, v)
						}
					}
					min := minimum(n, limit)
					b.ReportMetric(took.Seconds(), "sim_s")
					b.ReportMetric(min.Seconds(), "min_s")
					b.ReportMetric(took.Seconds()/min.Seconds(), "ratio")
					b.ReportMetric(float64(n)/took.Seconds(), "sends/s")
					b.ReportMetric(float64(f.fake.RateLimited("chat.postMessage")), "429s")
				}
			})
		}
	}
}
