package slack

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Limit is a token bucket: PerMinute tokens refill evenly, up to Burst.
type Limit struct {
	PerMinute float64
	Burst     int
}

// Limits are the buckets the adapter keeps: one per Web API method for
// the workspace, and for some methods one per channel as well.
type Limits struct {
	Method     map[string]Limit
	PerChannel map[string]Limit
}

// Slack's published tiers (requests per minute per method and workspace);
// bursts are our reading of "tolerates occasional bursts".
var (
	tier2 = Limit{PerMinute: 20, Burst: 3}
	tier3 = Limit{PerMinute: 50, Burst: 5}
	tier4 = Limit{PerMinute: 100, Burst: 10}
)

// DefaultLimits match Slack's documentation. chat.postMessage is
// "special": about one message per second per channel with short bursts,
// and "several hundred per minute" per workspace, which we take as 300.
func DefaultLimits() Limits {
	return Limits{
		Method: map[string]Limit{
			"chat.postMessage":      {PerMinute: 300, Burst: 30},
			"chat.postEphemeral":    tier4,
			"chat.update":           tier3,
			"chat.delete":           tier3,
			"conversations.history": tier3,
			"conversations.replies": tier3,
			"conversations.join":    tier3,
			"conversations.open":    tier3,
			"conversations.list":    tier2,
			"users.lookupByEmail":   tier3,
			"users.info":            tier4,
			"views.open":            tier4,
			"views.publish":         tier4,
			uploadMethod:            tier2, // three calls per chart; charts are weekly
		},
		PerChannel: map[string]Limit{
			"chat.postMessage": {PerMinute: 60, Burst: 3},
		},
	}
}

// Sleeper waits for d or until ctx is done. Tests inject one that moves a
// manual clock instead of sleeping.
type Sleeper func(ctx context.Context, d time.Duration) error

// RealSleep is the production Sleeper.
func RealSleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type bucket struct {
	lim     Limit
	rate    float64 // tokens per second now: lim's rate, lowered after 429s
	tokens  float64 // may go negative: tokens reserved ahead of time
	last    time.Time
	blocked time.Time // Slack said 429 until then
}

// Slack's real limits may be lower than the published ones (a busy
// workspace, other apps on the same token). After a 429 the bucket halves
// its rate and allows no burst; each success then raises it by 5% until it
// is back to the published limit (AIMD, as TCP does).
const (
	backoffFactor = 0.5
	recoverFactor = 1.05
	minRate       = 1.0 / 60 // one call a minute
)

// wait returns how long a caller must wait for one token at now.
func (b *bucket) wait(now time.Time) time.Duration {
	b.refill(now)
	var d time.Duration
	if b.tokens < 1 {
		d = time.Duration((1 - b.tokens) / b.perSecond() * float64(time.Second))
	}
	if until := b.blocked.Sub(now); until > d {
		d = until
	}
	return d
}

func (b *bucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.tokens, b.last = b.capacity(), now
		return
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = math.Min(b.capacity(), b.tokens+el.Seconds()*b.perSecond())
		b.last = now
	}
}

func (b *bucket) nominal() float64 { return b.lim.PerMinute / 60 }

func (b *bucket) perSecond() float64 {
	if b.rate == 0 {
		return b.nominal()
	}
	return b.rate
}

// capacity is the burst, or a single call while Slack pushes back.
func (b *bucket) capacity() float64 {
	if b.perSecond() < b.nominal() {
		return 1
	}
	return float64(b.lim.Burst)
}

// limiter keeps the buckets. Callers block for short waits and get a
// retryable SendError for long ones, so the dispatcher can move on to
// other channels instead of holding a worker.
type limiter struct {
	mu      sync.Mutex
	limits  Limits
	clock   cadence.Clock
	sleep   Sleeper
	maxWait time.Duration
	buckets map[string]*bucket
}

func newLimiter(l Limits, clock cadence.Clock, sleep Sleeper, maxWait time.Duration) *limiter {
	return &limiter{limits: l, clock: clock, sleep: sleep, maxWait: maxWait, buckets: map[string]*bucket{}}
}

func (l *limiter) bucketsFor(method, channel string) []*bucket {
	var bs []*bucket
	get := func(key string, lim Limit) {
		b := l.buckets[key]
		if b == nil {
			b = &bucket{lim: lim}
			l.buckets[key] = b
		}
		bs = append(bs, b)
	}
	if lim, ok := l.limits.Method[method]; ok {
		get(method, lim)
	}
	if lim, ok := l.limits.PerChannel[method]; ok && channel != "" {
		get(method+"#"+channel, lim)
	}
	return bs
}

// take reserves a token of method (and of channel, when the method is
// limited per channel) and sleeps until it is due. A wait longer than
// maxWait takes nothing and returns a retryable *cadence.SendError.
func (l *limiter) take(ctx context.Context, method, channel string) error {
	l.mu.Lock()
	now := l.clock.Now()
	bs := l.bucketsFor(method, channel)
	var d time.Duration
	for _, b := range bs {
		d = max(d, b.wait(now))
	}
	if l.maxWait > 0 && d > l.maxWait {
		l.mu.Unlock()
		return &cadence.SendError{Retryable: true, RetryAfter: d, Code: "ratelimited",
			Err: errRateLimitedLocally{method: method, wait: d}}
	}
	for _, b := range bs {
		b.tokens--
	}
	l.mu.Unlock()
	if d <= 0 {
		return nil
	}
	return l.sleep(ctx, d)
}

// penalize records a 429: nothing is sent on method (in channel, when it
// is limited per channel) before retryAfter has passed.
func (l *limiter) penalize(method, channel string, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	until := l.clock.Now().Add(retryAfter)
	for _, b := range l.bucketsFor(method, channel) {
		if until.After(b.blocked) {
			b.blocked = until
		}
		// Slack's window is full: start again from an empty bucket, slower.
		b.refill(l.clock.Now())
		b.tokens = math.Min(b.tokens, 0)
		b.rate = math.Max(minRate, b.perSecond()*backoffFactor)
	}
}

// succeed records a call Slack accepted: a slowed bucket speeds up again.
func (l *limiter) succeed(method, channel string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, b := range l.bucketsFor(method, channel) {
		if b.rate != 0 && b.rate < b.nominal() {
			b.refill(l.clock.Now())
			b.rate = math.Min(b.nominal(), b.rate*recoverFactor)
		}
	}
}

type errRateLimitedLocally struct {
	method string
	wait   time.Duration
}

func (e errRateLimitedLocally) Error() string {
	return e.method + ": rate limit reached, next slot in " + e.wait.Round(time.Millisecond).String()
}
