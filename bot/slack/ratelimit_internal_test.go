package slack

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

func testLimiter(maxWait time.Duration) (*limiter, *cadence.ManualClock, *[]time.Duration) {
	clock := cadence.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	var slept []time.Duration
	l := newLimiter(DefaultLimits(), clock, func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		clock.Advance(d)
		return nil
	}, maxWait)
	return l, clock, &slept
}

func TestLimiterPerChannelBurstThenOnePerSecond(t *testing.T) {
	l, clock, slept := testLimiter(time.Minute)
	ctx := context.Background()
	start := clock.Now()
	for i := 0; i < 10; i++ {
		require.NoError(t, l.take(ctx, "chat.postMessage", "C1"))
	}
	// Burst of 3, then one per second: 7 more take 7 s.
	assert.Equal(t, 7*time.Second, clock.Now().Sub(start).Round(time.Millisecond))
	assert.Len(t, *slept, 7)
	// Another channel is not held back by C1.
	before := clock.Now()
	require.NoError(t, l.take(ctx, "chat.postMessage", "C2"))
	assert.Equal(t, before, clock.Now())
}

func TestLimiterWorkspaceLimitAcrossChannels(t *testing.T) {
	l, clock, _ := testLimiter(time.Hour)
	ctx := context.Background()
	start := clock.Now()
	for i := 0; i < 330; i++ { // 330 DMs: burst 30, then 300/min
		require.NoError(t, l.take(ctx, "chat.postMessage", "D"+itoa(i)))
	}
	assert.Equal(t, time.Minute, clock.Now().Sub(start).Round(time.Millisecond))
}

func TestLimiterLongWaitReturnsRetryableError(t *testing.T) {
	l, clock, _ := testLimiter(2 * time.Second)
	ctx := context.Background()
	for i := 0; i < 5; i++ { // chat.update: burst 5
		require.NoError(t, l.take(ctx, "chat.update", ""))
	}
	before := clock.Now()
	err := l.take(ctx, "chat.update", "") // next token in 1.2 s: wait
	require.NoError(t, err)
	assert.Equal(t, 1200*time.Millisecond, clock.Now().Sub(before))

	l.penalize("chat.update", "", 30*time.Second)
	err = l.take(ctx, "chat.update", "")
	var se *cadence.SendError
	require.True(t, errors.As(err, &se))
	assert.True(t, se.Retryable)
	assert.Equal(t, "ratelimited", se.Code)
	assert.Equal(t, 30*time.Second, se.RetryAfter, "Slack's Retry-After holds the method back")
}

func TestLimiterUnlimitedMethodNeverWaits(t *testing.T) {
	l, clock, _ := testLimiter(time.Second)
	before := clock.Now()
	for i := 0; i < 1000; i++ {
		require.NoError(t, l.take(context.Background(), "auth.test", ""))
	}
	assert.Equal(t, before, clock.Now())
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// TestLimiterResumesAtSlackRateAfterRetryAfter: 8 × 429 with Retry-After
// 2 s cost 16 s, then the published rates apply again at once (the
// limiter used to halve its rate per 429 and stay slow for many minutes).
func TestLimiterResumesAtSlackRateAfterRetryAfter(t *testing.T) {
	l, clock, _ := testLimiter(time.Hour)
	ctx := context.Background()
	start := clock.Now()
	for i := 0; i < 8; i++ { // each retry is answered 429 again
		require.NoError(t, l.take(ctx, "chat.postMessage", "D1"))
		l.penalize("chat.postMessage", "D1", 2*time.Second)
	}
	require.NoError(t, l.take(ctx, "chat.postMessage", "D1"))
	assert.Equal(t, 16*time.Second, clock.Now().Sub(start), "exactly the Retry-After")

	// The workspace bucket kept its unspent burst (30 − 9 calls) and
	// refills at 300/min again: 30 more DMs take 9 × 0.2 s.
	before := clock.Now()
	for i := 0; i < 30; i++ {
		require.NoError(t, l.take(ctx, "chat.postMessage", "D"+itoa(100+i)))
	}
	assert.Equal(t, 1800*time.Millisecond, clock.Now().Sub(before).Round(time.Millisecond))
}

// TestLimiterSleeperHonoursA429ThatArrivesMeanwhile: a caller already
// waiting for its slot when a 429 comes in waits for the Retry-After too,
// instead of calling into the blocked window.
func TestLimiterSleeperHonoursA429ThatArrivesMeanwhile(t *testing.T) {
	clock := cadence.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	var l *limiter
	var blockedAt time.Time
	l = newLimiter(DefaultLimits(), clock, func(_ context.Context, d time.Duration) error {
		if blockedAt.IsZero() {
			// Another call gets a 429 while this one sleeps.
			blockedAt = clock.Now()
			l.penalize("chat.postMessage", "C1", 5*time.Second)
		}
		clock.Advance(d)
		return nil
	}, time.Hour)
	ctx := context.Background()
	for i := 0; i < 3; i++ { // C1's burst
		require.NoError(t, l.take(ctx, "chat.postMessage", "C1"))
	}
	require.NoError(t, l.take(ctx, "chat.postMessage", "C1"))
	assert.Equal(t, 5*time.Second, clock.Now().Sub(blockedAt))
	// The workspace bucket was blocked as well (Slack does not say which
	// limit answered) but keeps its burst: the next DM goes at once.
	before := clock.Now()
	require.NoError(t, l.take(ctx, "chat.postMessage", "D1"))
	assert.Equal(t, before, clock.Now())
}
