package slack

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// timers is a sleeper on a manual clock for concurrent callers: each
// sleep waits until the test moves the clock past its end, one sleeper
// at a time, and the test learns when the woken caller has settled
// (slept again or returned).
type timers struct {
	clock   *cadence.ManualClock
	mu      sync.Mutex
	waiting []timer
	settled chan struct{}
}

type timer struct {
	at   time.Time
	wake chan struct{}
}

func newTimers(clock *cadence.ManualClock) *timers {
	return &timers{clock: clock, settled: make(chan struct{}, 64)}
}

func (ts *timers) sleep(_ context.Context, d time.Duration) error {
	t := timer{at: ts.clock.Now().Add(d), wake: make(chan struct{})}
	ts.mu.Lock()
	ts.waiting = append(ts.waiting, t)
	ts.mu.Unlock()
	ts.settled <- struct{}{}
	<-t.wake
	return nil
}

// pending is the number of sleepers and when the earliest wakes.
func (ts *timers) pending() (int, time.Time) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if len(ts.waiting) == 0 {
		return 0, time.Time{}
	}
	sort.SliceStable(ts.waiting, func(i, j int) bool { return ts.waiting[i].at.Before(ts.waiting[j].at) })
	return len(ts.waiting), ts.waiting[0].at
}

// next moves the clock to the earliest sleeper's end, wakes it and waits
// until it has settled.
func (ts *timers) next(t *testing.T) {
	t.Helper()
	ts.mu.Lock()
	sort.SliceStable(ts.waiting, func(i, j int) bool { return ts.waiting[i].at.Before(ts.waiting[j].at) })
	w := ts.waiting[0]
	ts.waiting = ts.waiting[1:]
	ts.mu.Unlock()
	ts.clock.Set(w.at)
	close(w.wake)
	ts.await(t)
}

func (ts *timers) await(t *testing.T) {
	t.Helper()
	select {
	case <-ts.settled:
	case <-time.After(10 * time.Second):
		require.FailNow(t, "a caller did not settle")
	}
}

// TestLimiterUrgentTakesTheNextTurn: with four fan-out sends queued in
// chat.postMessage's bucket (0.2 s apart), a receipt marked urgent goes
// at the first of their turns and each of them one token later: the
// receipt waits one token, not five, and the bucket's rate holds.
func TestLimiterUrgentTakesTheNextTurn(t *testing.T) {
	clock := cadence.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	start := clock.Now()
	ts := newTimers(clock)
	l := newLimiter(DefaultLimits(), clock, ts.sleep, time.Minute)
	ctx := context.Background()
	for i := range 30 { // the workspace's burst
		require.NoError(t, l.take(ctx, "chat.postMessage", "D"+itoa(i)))
	}
	var mu sync.Mutex
	sentAt := map[string]time.Duration{}
	take := func(ctx context.Context, who, channel string) {
		go func() {
			assert.NoError(t, l.take(ctx, "chat.postMessage", channel))
			mu.Lock()
			sentAt[who] = clock.Now().Sub(start).Round(time.Millisecond)
			mu.Unlock()
			ts.settled <- struct{}{}
		}()
		ts.await(t) // queued
	}
	for i := range 4 {
		take(ctx, "prompt"+itoa(i), "D"+itoa(100+i))
	}
	take(cadence.WithUrgent(ctx), "receipt", "D200")
	for {
		n, _ := ts.pending()
		if n == 0 {
			break
		}
		ts.next(t)
	}
	ms := time.Millisecond
	assert.Equal(t, map[string]time.Duration{
		"receipt": 200 * ms,
		"prompt0": 400 * ms, "prompt1": 600 * ms, "prompt2": 800 * ms, "prompt3": 1000 * ms,
	}, sentAt)

	// The queue is empty again: an urgent call waits its token like any.
	before := clock.Now()
	take(cadence.WithUrgent(ctx), "receipt2", "D201")
	ts.next(t)
	assert.Equal(t, 200*ms, sentAt["receipt2"]-before.Sub(start).Round(ms))
}
