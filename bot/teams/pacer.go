package teams

import (
	"sync"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Teams throttles each bot per conversation (7 per second, 8 per 2 s, 60
// per 30 s, 1,800 per hour). A bucket of 7 refilled at one token per 2 s
// stays inside all four windows.
const (
	paceBurst      = 7
	paceRate       = 0.5 // tokens per second
	backoffBase    = time.Second
	backoffCeiling = time.Minute
)

// pacer is a token bucket per conversation, plus the backoff a
// conversation is under after the connector throttled it. It reads time
// only from the injected clock.
type pacer struct {
	clock cadence.Clock
	burst float64
	rate  float64

	mu      sync.Mutex
	buckets map[string]*bucket
	calls   int
}

type bucket struct {
	tokens   float64
	last     time.Time
	blocked  time.Time // no request before this (after a 429/5xx)
	failures int       // consecutive throttled responses, for backoff
}

func newPacer(clock cadence.Clock, burst int, rate float64) *pacer {
	return &pacer{clock: clock, burst: float64(burst), rate: rate, buckets: map[string]*bucket{}}
}

// reserve takes a token for conv and returns 0, or returns how long to wait
// before one is available (taking nothing).
func (p *pacer) reserve(conv string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.Now()
	b := p.bucketLocked(conv, now)
	if now.Before(b.blocked) {
		return b.blocked.Sub(now)
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / p.rate * float64(time.Second))
}

// throttled records a throttling reply for conv and returns how long the
// conversation now waits: Retry-After when the connector gave one,
// otherwise exponential backoff from one second up to a minute.
func (p *pacer) throttled(conv string, retryAfter time.Duration) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.Now()
	b := p.bucketLocked(conv, now)
	b.failures++
	wait := retryAfter
	if wait <= 0 {
		wait = backoffBase << min(b.failures-1, 6)
		wait = min(wait, backoffCeiling)
	}
	b.blocked = now.Add(wait)
	return wait
}

// succeeded ends the backoff of conv.
func (p *pacer) succeeded(conv string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b, ok := p.buckets[conv]; ok {
		b.failures = 0
	}
}

// bucketLocked returns conv's bucket refilled up to now; it also drops
// idle full buckets now and then so the map does not grow forever.
func (p *pacer) bucketLocked(conv string, now time.Time) *bucket {
	p.calls++
	if p.calls%1024 == 0 {
		for k, b := range p.buckets {
			if b.failures == 0 && !now.Before(b.blocked) && now.Sub(b.last).Seconds()*p.rate >= p.burst {
				delete(p.buckets, k)
			}
		}
	}
	b, ok := p.buckets[conv]
	if !ok {
		b = &bucket{tokens: p.burst, last: now}
		p.buckets[conv] = b
		return b
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(p.burst, b.tokens+el.Seconds()*p.rate)
		b.last = now
	}
	return b
}
