package main

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// countingCompacter counts compaction rounds and has nothing to compact.
type countingCompacter struct{ rounds atomic.Int32 }

func (c *countingCompacter) CompactOutbox(context.Context, time.Time, int) (int, bool, error) {
	c.rounds.Add(1)
	return 0, false, nil
}

// The page check and the first outbox compaction round wait afterReadyWait
// on the injected clock once the first tick has made the bot ready, so
// they take nothing from the ready reply; then they run, and the check
// is started once.
func TestAfterReadyWorkWaitsForItsDelay(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	clock := cadence.NewManualClock(monday)
	var checks, ticks atomic.Int32
	compacter := &countingCompacter{}
	a := &App{opts: appOptions{Clock: clock, TickEvery: time.Millisecond}, log: zerolog.Nop(),
		afterReady: afterReady{wait: afterReadyWait},
		startCheck: func() { checks.Add(1) },
		compactor:  newOutboxCompactor(compacter, clock, zerolog.Nop(), time.Hour),
		tick:       func(context.Context) error { ticks.Add(1); return nil },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.tickLoop(ctx, make(chan struct{})) }()
	defer func() { cancel(); <-done }()

	require.Eventually(t, a.ready.ok.Load, 5*time.Second, time.Millisecond, "ready after the first tick")
	n := ticks.Load()
	require.Eventually(t, func() bool { return ticks.Load() >= n+20 }, 5*time.Second, time.Millisecond)
	assert.Zero(t, checks.Load(), "no page check before the delay")
	assert.Zero(t, compacter.rounds.Load(), "no compaction before the delay")

	clock.Advance(afterReadyWait - time.Second)
	n = ticks.Load()
	require.Eventually(t, func() bool { return ticks.Load() >= n+20 }, 5*time.Second, time.Millisecond)
	assert.Zero(t, checks.Load(), "a second short of the delay")
	assert.Zero(t, compacter.rounds.Load(), "a second short of the delay")

	clock.Advance(time.Second)
	require.Eventually(t, func() bool { return compacter.rounds.Load() == 1 }, 5*time.Second, time.Millisecond, "the first round once the delay is up")
	n = ticks.Load()
	require.Eventually(t, func() bool { return ticks.Load() >= n+20 }, 5*time.Second, time.Millisecond)
	assert.GreaterOrEqual(t, checks.Load(), int32(1), "the page check is let go") // StartCheck is idempotent
	assert.Equal(t, int32(1), compacter.rounds.Load(), "then the compactor rests for its hour")
}

// The delay counts from the first call (the first good tick), to the
// nanosecond; no wait lets the work go at once.
func TestAfterReadyDue(t *testing.T) {
	h := afterReady{wait: afterReadyWait}
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at   time.Duration
		want bool
	}{
		{0, false},
		{afterReadyWait - time.Nanosecond, false},
		{afterReadyWait, true},
		{afterReadyWait + time.Hour, true},
	} {
		assert.Equal(t, tc.want, h.due(t0.Add(tc.at)), "at +%s", tc.at)
	}
	assert.True(t, (&afterReady{}).due(t0), "no wait: at once")
}
