package cadence

import (
	"context"
	"sync"
	"time"
)

// ConcurrentChat is an optional Chat ability: the adapter may be called
// from several goroutines at once and paces its own calls (Slack's
// per-method and per-channel buckets). MaxInFlight bounds the calls the
// dispatcher makes to it at the same time.
type ConcurrentChat interface {
	MaxInFlight() int
}

// BatchUpdater is an optional Store ability: many small concurrent write
// transactions share one commit (bbolt's Batch). fn may run twice, so it
// must be idempotent; the call returns after the commit.
type BatchUpdater interface {
	UpdateBatch(ctx context.Context, fn func(Tx) error) error
}

// WithInFlight lets the dispatcher keep up to n sends in flight at once
// (default 1: one at a time). Only adapters that are ConcurrentChat get
// more than one, up to their own MaxInFlight; the others are served one
// message at a time as before. Order is kept per conversation: a
// conversation's messages go out one after the other, in queue order.
// With a BatchUpdater store the dispatcher's writes share commits.
func WithInFlight(n int) DispatcherOption {
	return func(d *Dispatcher) { d.inFlight = max(1, n) }
}

// write runs a dispatcher transaction, in a shared commit when it serves
// one of several conversations in flight: "sending" is still durable
// before the platform is called, since UpdateBatch returns only once its
// batch has committed. A lone sender writes at once: a batch waits a few
// milliseconds for company, which would only add latency.
func (d *Dispatcher) write(ctx context.Context, fn func(Tx) error) error {
	if b, ok := d.store.(BatchUpdater); ok && ctx.Value(batchedKey{}) != nil {
		return b.UpdateBatch(ctx, fn)
	}
	return d.store.Update(ctx, fn)
}

// batchedKey marks the context of a lane that runs beside others.
type batchedKey struct{}

// lane is the due messages of one conversation (platform and recipient)
// in queue order, or, for an adapter that takes one call at a time, of
// all its conversations.
type lane struct {
	platform string
	msgs     []*Message
}

// pipelined is pass with several conversations served at once. Each lane
// is worked through in order by one goroutine with the same rules as the
// serial pass (a first delivery waits behind an earlier undelivered one
// to the same recipient; updates in place do not wait); a semaphore per
// platform keeps the adapter's in-flight bound.
func (d *Dispatcher) pipelined(ctx context.Context, due []*Message, now time.Time) (sent int, progress bool, err error) {
	var lanes []*lane
	byKey := map[string]*lane{}
	for _, m := range due {
		key := m.Platform
		if d.concurrency(m.Platform) > 1 {
			key += "|" + m.To.String()
		}
		l := byKey[key]
		if l == nil {
			l = &lane{platform: m.Platform}
			byKey[key] = l
			lanes = append(lanes, l)
		}
		l.msgs = append(l.msgs, m)
	}
	slots := map[string]chan struct{}{}
	for _, l := range lanes {
		if slots[l.platform] == nil {
			slots[l.platform] = make(chan struct{}, d.concurrency(l.platform))
		}
	}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	stopped := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	for _, l := range lanes {
		slot := slots[l.platform]
		select {
		case slot <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil || stopped() {
			break
		}
		lctx := ctx
		if cap(slot) > 1 {
			lctx = context.WithValue(ctx, batchedKey{}, true)
		}
		wg.Add(1)
		go func() {
			ctx := lctx
			defer wg.Done()
			defer func() { <-slot }()
			blocked := map[string]bool{}
			for _, m := range l.msgs {
				if ctx.Err() != nil || stopped() {
					return
				}
				rk := m.Platform + "|" + m.To.String()
				first := m.Ref.IsZero()
				if m.NextAttemptAt.After(now) || (first && blocked[rk]) || d.editTooSoon(m, now) {
					if first {
						blocked[rk] = true
					}
					continue
				}
				res, err := d.deliver(ctx, m, now)
				mu.Lock()
				switch {
				case err != nil && firstErr == nil:
					firstErr = err
				case res == delivered:
					sent++
					progress = true
				case res == failed:
					progress = true
				}
				mu.Unlock()
				if err != nil {
					return
				}
				if res == waiting && first {
					blocked[rk] = true
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return sent, false, firstErr
	}
	if err := ctx.Err(); err != nil {
		return sent, false, err
	}
	return sent, progress, nil
}

// concurrency is how many sends may be in flight to platform at once.
func (d *Dispatcher) concurrency(platform string) int {
	c, ok := d.chats[platform].(ConcurrentChat)
	if !ok || d.inFlight <= 1 {
		return 1
	}
	return max(1, min(d.inFlight, c.MaxInFlight()))
}
