package slack_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
)

// BenchmarkReceiptDuringFanOut is BenchmarkFanOutRoundTrip (2,000 DM
// prompts, bbolt, the adapter, Slack's limits, 16 in flight) run as `run`
// runs the dispatcher (Dispatcher.Run, woken by the engine, polling every
// second), while people answer: every 20 s of Slack time one person whose
// prompt arrived gets a receipt, queued and the dispatcher woken as the
// engine does. receipt_p50_s and receipt_max_s are from the queueing of a
// receipt to Slack posting it; floor_s is the least any message can take
// then: one round trip plus one token of chat.postMessage (0.2 s at
// 300/min), which every send needs while the fan-out uses the bucket
// whole. ratio is the fan-out's total (prompts and receipts) against the
// least Slack's limits allow for them, as in BenchmarkFanOutRoundTrip.
//
//	go test ./bot/slack -run '^$' -bench ReceiptDuringFanOut -benchtime 1x
func BenchmarkReceiptDuringFanOut(b *testing.B) {
	const n, scale, every = 2000, 10, 20 * time.Second
	limit := slacktest.Limit{PerMinute: 300, Burst: 30}
	token := time.Duration(float64(time.Minute) / limit.PerMinute)
	for _, rtt := range []time.Duration{0, 150 * time.Millisecond, 300 * time.Millisecond} {
		b.Run(fmt.Sprintf("rtt=%dms", rtt.Milliseconds()), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				clock := newScaledClock(t0, scale)
				f := newBoltFanOut(b, n, clock, rtt, 16)
				d := cadence.NewDispatcher(f.db, clock, map[string]cadence.Chat{"slack": f.chat}, zerolog.Nop(), nil,
					cadence.WithInFlight(16), cadence.WithPollInterval(time.Second/scale))
				ctx, cancel := context.WithCancel(context.Background())
				wake := make(chan struct{}, 1)
				ran := make(chan error, 1)
				b.StartTimer()
				start := clock.Now()
				go func() { ran <- d.Run(ctx, wake) }()

				queued := map[string]time.Time{} // receipt key → when it was queued
				next := start.Add(every / 2)
				var end time.Time // when the last prompt was posted
				for end.IsZero() {
					require.NoError(b, clock.Sleep(context.Background(), 100*time.Millisecond))
					got := posted(b, f.fake)
					prompts := 0
					for k, at := range got {
						if strings.HasPrefix(k, "occ/") {
							prompts++
							end = later(end, at)
						}
					}
					if prompts < n {
						end = time.Time{}
					}
					if now := clock.Now(); end.IsZero() && !now.Before(next) {
						next = next.Add(every)
						// The next person whose prompt arrived answers.
						p := fmt.Sprintf("p%04d", len(queued))
						if _, ok := got["occ/standup/prompt/"+p]; ok {
							queued["receipt/"+p] = enqueueReceipt(b, f.db, p, now)
							select {
							case wake <- struct{}{}:
							default:
							}
						}
					}
				}
				// The last receipts, queued near the end.
				var lat []time.Duration
				for len(lat) < len(queued) {
					require.NoError(b, clock.Sleep(context.Background(), 100*time.Millisecond))
					got := posted(b, f.fake)
					lat = lat[:0]
					for k, at := range queued {
						if p, ok := got[k]; ok {
							lat = append(lat, p.Sub(at))
						}
					}
					require.Less(b, clock.Now().Sub(end), time.Minute, "receipts not delivered")
				}
				b.StopTimer()
				cancel()
				require.NoError(b, <-ran)

				got := f.delivered(b)
				require.Len(b, got, n+len(queued))
				for k, v := range got {
					require.Equal(b, 1, v, "%s delivered once", k)
				}
				slices.Sort(lat)
				floor := rtt + token
				min := minimum(n+len(queued), limit)
				took := end.Sub(start)
				b.ReportMetric(float64(len(lat)), "receipts")
				b.ReportMetric(lat[len(lat)/2].Seconds(), "receipt_p50_s")
				b.ReportMetric(lat[len(lat)-1].Seconds(), "receipt_max_s")
				b.ReportMetric(floor.Seconds(), "floor_s")
				b.ReportMetric(lat[len(lat)/2].Seconds()/floor.Seconds(), "p50/floor")
				b.ReportMetric(took.Seconds(), "sim_s")
				b.ReportMetric(min.Seconds(), "min_s")
				b.ReportMetric(took.Seconds()/min.Seconds(), "ratio")
			}
		})
	}
}

// enqueueReceipt queues the receipt of person's answer, as the engine
// does when it stores one, and returns when.
func enqueueReceipt(tb testing.TB, db cadence.Store, person string, now time.Time) time.Time {
	m := &cadence.Message{Key: "receipt/" + person, Kind: cadence.KindReceipt, Platform: "slack",
		To: cadence.Recipient{Person: person}, RitualID: "standup", OccurrenceID: occOpen,
		Body:      cadence.Body{Text: "Thanks, your standup answer is saved. You can edit it until 13:30."},
		CreatedAt: now, Revision: 1, State: cadence.StatePending, NextAttemptAt: now}
	require.NoError(tb, db.Update(context.Background(), func(tx cadence.Tx) error {
		_, err := tx.Enqueue(m)
		return err
	}))
	return now
}

// posted maps the key of each message in the fake workspace to when
// Slack posted it (its ts, from the fake's clock).
func posted(tb testing.TB, fake *slacktest.Server) map[string]time.Time {
	out := map[string]time.Time{}
	for _, m := range fake.AllMessages() {
		k, _ := metadataKey(tb, m)
		sec, frac, _ := strings.Cut(m.TS, ".")
		s, err := strconv.ParseInt(sec, 10, 64)
		require.NoError(tb, err)
		us, err := strconv.ParseInt(frac, 10, 64)
		require.NoError(tb, err)
		out[k] = time.Unix(s, us*1000).UTC()
	}
	return out
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
