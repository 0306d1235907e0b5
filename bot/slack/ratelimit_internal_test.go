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

func TestLimiterSlowsDownAfter429AndRecovers(t *testing.T) {
	l, _, _ := testLimiter(time.Hour)
	ctx := context.Background()
	require.NoError(t, l.take(ctx, "users.info", ""))
	b := l.buckets["users.info"]
	nominal := b.nominal()
	l.penalize("users.info", "", time.Second)
	assert.InDelta(t, nominal/2, b.perSecond(), 1e-9)
	assert.Equal(t, 1.0, b.capacity(), "no bursts while Slack pushes back")
	l.penalize("users.info", "", time.Second)
	assert.InDelta(t, nominal/4, b.perSecond(), 1e-9)
	for i := 0; i < 100; i++ {
		l.succeed("users.info", "")
	}
	assert.Equal(t, nominal, b.perSecond(), "successes bring the published rate back")
	assert.Equal(t, float64(b.lim.Burst), b.capacity())
}
