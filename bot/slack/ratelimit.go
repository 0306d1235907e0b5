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
			"views.update":          tier4,
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
	lim    Limit
	tokens float64   // tokens at last; negative: reserved ahead of time
	last   time.Time // after a 429, in the future: nothing goes out before
	gen    int       // bumped by every 429: it voids earlier reservations
	// queued: reservations of ordinary calls still waiting for their
	// turn. cut counts the urgent calls that took the turn at the head of
	// them: each moves every queued reservation back by one token.
	queued int
	cut    int
}

func (b *bucket) perSecond() float64 { return b.lim.PerMinute / 60 }

// wait returns how long a caller must wait for one token at now; an
// urgent one waits as if no ordinary call were queued.
func (b *bucket) wait(now time.Time, urgent bool) time.Duration {
	b.refill(now)
	d := max(0, b.last.Sub(now))
	tokens := b.tokens
	if urgent {
		tokens += float64(b.queued)
	}
	if tokens < 1 {
		d += time.Duration((1 - tokens) / b.perSecond() * float64(time.Second))
	}
	return d
}

// interval is the time one token takes to refill.
func (b *bucket) interval() time.Duration {
	return time.Duration(float64(time.Second) / b.perSecond())
}

func (b *bucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.tokens, b.last = float64(b.lim.Burst), now
		return
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = math.Min(float64(b.lim.Burst), b.tokens+el.Seconds()*b.perSecond())
		b.last = now
	}
}

// block records a 429: nothing goes out before until. The bucket does not
// refill meanwhile and keeps what it had left (at least the one call that
// retries), then runs at the published rate again: Slack's Retry-After is
// the whole penalty. (It used to halve its rate per 429 and crawl back,
// which turned 16 s of Retry-After into half an hour.)
func (b *bucket) block(now, until time.Time) {
	b.refill(now)
	if !until.After(b.last) {
		return // already blocked as long
	}
	b.last, b.tokens = until, math.Max(b.tokens, 1)
	b.gen++
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
// maxWait takes nothing and returns a retryable *cadence.SendError that
// says nothing was sent, with the wait as its RetryAfter. A 429 that
// arrives while the caller sleeps voids its reservation: it queues again
// behind the Retry-After instead of calling into the blocked window.
//
// A call the dispatcher marks urgent (cadence.Urgent: a receipt, a
// notice, a summary edit) takes the turn at the head of the queued
// ordinary calls (a fan-out's prompts, up to 16 of them 0.2 s apart),
// and each of those goes one token later: the bucket's rate holds.
func (l *limiter) take(ctx context.Context, method, channel string) error {
	urgent := cadence.Urgent(ctx)
	for {
		l.mu.Lock()
		now := l.clock.Now()
		bs := l.bucketsFor(method, channel)
		var d time.Duration
		for _, b := range bs {
			d = max(d, b.wait(now, urgent))
		}
		if l.maxWait > 0 && d > l.maxWait {
			l.mu.Unlock()
			return &cadence.SendError{Retryable: true, NotSent: true, RetryAfter: d, Code: "ratelimited",
				Err: errRateLimitedLocally{method: method, wait: d}}
		}
		gens := make([]int, len(bs))
		cuts := make([]int, len(bs))
		for i, b := range bs {
			b.tokens--
			gens[i] = b.gen
			if urgent && b.queued > 0 {
				b.cut++
			}
			if !urgent && d > 0 {
				b.queued++
			}
			cuts[i] = b.cut
		}
		l.mu.Unlock()
		if d <= 0 {
			return nil
		}
		err := l.sleep(ctx, d)
		for err == nil {
			if l.voided(bs, gens) {
				break // queue again
			}
			var extra time.Duration
			if !urgent {
				extra = l.cutsSince(bs, cuts)
			}
			if extra <= 0 {
				if !urgent {
					l.dequeue(bs)
				}
				return nil
			}
			err = l.sleep(ctx, extra)
		}
		if !urgent {
			l.dequeue(bs)
		}
		if err != nil {
			return &cadence.SendError{Retryable: true, NotSent: true, Code: "canceled", Err: err}
		}
	}
}

// cutsSince is how much later a queued reservation goes: one token for
// each urgent call that took the turn ahead of it since cuts were read
// (which it updates).
func (l *limiter) cutsSince(bs []*bucket, cuts []int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var d time.Duration
	for i, b := range bs {
		d = max(d, time.Duration(b.cut-cuts[i])*b.interval())
		cuts[i] = b.cut
	}
	return d
}

// dequeue ends a queued reservation's wait.
func (l *limiter) dequeue(bs []*bucket) {
	l.mu.Lock()
	for _, b := range bs {
		b.queued--
	}
	l.mu.Unlock()
}

// voided reports whether a 429 reset any of bs since gens were read, and
// gives the reservation back to the buckets it did not reset.
func (l *limiter) voided(bs []*bucket, gens []int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	void := false
	for i, b := range bs {
		void = void || b.gen != gens[i]
	}
	if void {
		for i, b := range bs {
			if b.gen == gens[i] {
				b.tokens++
			}
		}
	}
	return void
}

// penalize records a 429: nothing is sent on method (in channel, when it
// is limited per channel) before retryAfter has passed.
func (l *limiter) penalize(method, channel string, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	for _, b := range l.bucketsFor(method, channel) {
		b.block(now, now.Add(retryAfter))
	}
}

type errRateLimitedLocally struct {
	method string
	wait   time.Duration
}

func (e errRateLimitedLocally) Error() string {
	return e.method + ": rate limit reached, next slot in " + e.wait.Round(time.Millisecond).String()
}
