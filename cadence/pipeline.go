package cadence

import (
	"context"
	"fmt"
	"slices"
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
// all its conversations. Only the pass's own goroutine touches a lane
// before it starts; once started, only the lane's goroutine reads it.
type lane struct {
	key, platform string
	msgs          []*Message
	urgent        bool // holds a message someone is waiting for (urgent)
	started       bool
	dropped       bool // replaced by a listing with nothing to do now
}

// urgent: a message a person or a channel is waiting for right now (a
// receipt, a notice, the summary, an edit), as against the bulk of a
// fan-out (prompts, reminders, digests), which may wait a slot.
func urgent(m *Message) bool {
	switch m.Kind {
	case KindPrompt, KindReminder, KindDigest:
		return !m.Ref.IsZero()
	}
	return true
}

// before orders lanes waiting for a slot: urgent ones first, then the
// oldest head first, so a retry of an earlier fan-out goes before the
// rest of a new one and a receipt does not queue behind 1,500 prompts.
func (l *lane) before(o *lane) bool {
	if l.urgent != o.urgent {
		return l.urgent
	}
	a, b := l.msgs[0], o.msgs[0]
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return l.key < o.key
}

// live is what a pass in Run listens to while lanes are in flight: the
// engine's wake-ups and the poll ticker (retries falling due). RunOnce
// passes none: its pass lists once, so tests and `simulate` stay
// deterministic.
type live struct {
	wake <-chan struct{}
	tick <-chan time.Time
}

// relistGap is the least time between two listings of a live pass: a
// burst of wake-ups (one per answer) is one listing.
const relistGap = 50 * time.Millisecond

// pipeline is one pass with several conversations served at once.
type pipeline struct {
	d    *Dispatcher
	ctx  context.Context
	live *live
	now  time.Time // RunOnce's pass: one instant throughout

	mu       sync.Mutex // guards sent, progress, err, recheck
	sent     int
	progress bool
	err      error
	// recheck: a lane left a message undelivered (a retry, a thread
	// parent not there yet) or queued a notice, or the last listing was
	// cut at its limit: the next poll lists again.
	recheck bool

	// nextAt is the earliest instant something listed but not yet due
	// falls due (a retry, an edit held back): a poll from then on lists
	// again. Between those, only a wake-up does: new work comes with one.
	nextAt time.Time

	// The pass's goroutine only:
	active  map[string]*lane // by key: waiting for a slot or running
	waiting []*lane
	running map[string]int // lanes in flight per platform
	done    chan *lane
}

// pipelined is pass with several conversations served at once. Each lane
// is worked through in order by one goroutine with the same rules as the
// serial pass (a first delivery waits behind an earlier undelivered one
// to the same recipient; updates in place do not wait); a count per
// platform keeps the adapter's in-flight bound, and a slot that frees
// goes to the first waiting lane (lane.before).
//
// A live pass (Run) lists again while lanes are in flight, when woken or
// at each poll: a conversation with no lane in flight gets a lane for
// what is due now (a receipt, a summary edit, a retry falling due); one
// whose lane is still waiting for a slot has its messages replaced by the
// fresh listing; one whose lane runs is left to a later listing, since
// its listing may predate the lane's last write.
func (d *Dispatcher) pipelined(ctx context.Context, due []*Message, now time.Time, lv *live) (sent int, progress bool, err error) {
	p := &pipeline{d: d, ctx: ctx, live: lv, now: now,
		active: map[string]*lane{}, running: map[string]int{}, done: make(chan *lane)}
	p.merge(due, now)
	p.loop()
	if p.err != nil {
		return p.sent, false, p.err
	}
	if err := ctx.Err(); err != nil {
		return p.sent, false, err
	}
	return p.sent, p.progress, nil
}

// loop starts lanes as slots free and, in a live pass, lists again; it
// returns when no lane waits or runs. After a store error or ctx's end
// it starts nothing more and waits for the lanes in flight.
func (p *pipeline) loop() {
	var wake <-chan struct{}
	var tick <-chan time.Time
	if p.live != nil {
		wake, tick = p.live.wake, p.live.tick
	}
	ctxDone := p.ctx.Done()
	var gap *time.Timer
	var gapC <-chan time.Time
	defer func() {
		if gap != nil {
			gap.Stop()
		}
	}()
	var last time.Time // real time of the last listing, for relistGap
	relist := func() {
		last = time.Now()
		p.relist()
	}
	for {
		if p.stopped() {
			p.waiting = nil
		} else {
			p.start()
		}
		if len(p.waiting) == 0 && p.inFlight() == 0 {
			return
		}
		select {
		case l := <-p.done:
			p.running[l.platform]--
			delete(p.active, l.key)
		case <-ctxDone:
			ctxDone = nil
		case <-wake:
			if since := time.Since(last); since < relistGap {
				if gap == nil {
					gap = time.NewTimer(relistGap - since)
					gapC = gap.C
				}
				continue
			}
			relist()
		case <-gapC:
			gap, gapC = nil, nil
			relist()
		case <-tick:
			if p.timedWork() {
				relist()
			}
		}
	}
}

// timedWork: the poll should list again (see recheck and nextAt).
func (p *pipeline) timedWork() bool {
	p.mu.Lock()
	again := p.recheck
	p.mu.Unlock()
	return again || (!p.nextAt.IsZero() && !p.d.clock.Now().Before(p.nextAt))
}

func (p *pipeline) stopped() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err != nil || p.ctx.Err() != nil
}

func (p *pipeline) inFlight() int {
	n := 0
	for _, r := range p.running {
		n += r
	}
	return n
}

func (p *pipeline) fail(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
}

// clock is the instant a lane judges a message by: the pass's in RunOnce,
// the clock's in a live pass, which may run for minutes.
func (p *pipeline) clock() time.Time {
	if p.live == nil {
		return p.now
	}
	return p.d.clock.Now().UTC()
}

// relist draws dirty summaries and lists the outbox again, as a pass
// does at its start. The limit grows with what the pass already holds,
// so work queued behind a large fan-out is found.
func (p *pipeline) relist() {
	if p.stopped() {
		return
	}
	now := p.d.clock.Now().UTC()
	if err := p.d.renderDirty(p.ctx, now); err != nil {
		p.fail(err)
		return
	}
	held := 0
	for _, l := range p.active {
		held += len(l.msgs)
	}
	p.mu.Lock()
	p.recheck = false // a lane that leaves work from here on sets it again
	p.mu.Unlock()
	limit := held + p.d.batch
	var due []*Message
	err := p.d.store.View(p.ctx, func(tx Tx) error {
		var err error
		due, err = tx.Due(farFuture, limit)
		return err
	})
	if err != nil {
		p.fail(fmt.Errorf("dispatch: list due messages: %w", err))
		return
	}
	if len(due) >= limit {
		p.mu.Lock()
		p.recheck = true
		p.mu.Unlock()
	}
	// Judged at the end of the listing, not its start: whatever fell due
	// meanwhile goes now.
	p.merge(due, p.d.clock.Now().UTC())
}

// merge sorts listed messages into lanes (see pipelined) and notes when
// the first of those not yet due falls due.
func (p *pipeline) merge(due []*Message, now time.Time) {
	var order []string
	groups := map[string][]*Message{}
	p.nextAt = time.Time{}
	for _, at := range p.d.heldSummary {
		p.nextAt = earliestAfter(p.nextAt, at, now)
	}
	for _, m := range due {
		p.nextAt = earliestAfter(p.nextAt, m.NextAttemptAt, now)
		if p.d.editEvery > 0 && !m.Ref.IsZero() && !m.UpdatedAt.IsZero() {
			p.nextAt = earliestAfter(p.nextAt, m.UpdatedAt.Add(p.d.editEvery), now)
		}
		key := m.Platform
		if p.d.concurrency(m.Platform) > 1 {
			key += "|" + m.To.String()
		}
		if groups[key] == nil {
			order = append(order, key)
		}
		groups[key] = append(groups[key], m)
	}
	for _, key := range order {
		msgs := groups[key]
		l := p.active[key]
		if l != nil && l.started {
			continue
		}
		if !p.d.actionable(msgs, now) {
			if l != nil {
				l.dropped = true
				delete(p.active, key)
			}
			continue
		}
		if l == nil {
			l = &lane{key: key, platform: msgs[0].Platform}
			p.active[key] = l
			p.waiting = append(p.waiting, l)
		}
		l.msgs, l.urgent = msgs, slices.ContainsFunc(msgs, urgent)
	}
}

// earliestAfter is the earlier of next and at, counting at only if it
// is after now; zero next is none yet.
func earliestAfter(next, at, now time.Time) time.Time {
	if !at.After(now) || (!next.IsZero() && !at.Before(next)) {
		return next
	}
	return at
}

// actionable: a lane of msgs would try at least one of them now.
func (d *Dispatcher) actionable(msgs []*Message, now time.Time) bool {
	blocked := map[string]bool{}
	for _, m := range msgs {
		rk := m.Platform + "|" + m.To.String()
		first := m.Ref.IsZero()
		if m.NextAttemptAt.After(now) || (first && blocked[rk]) || d.editTooSoon(m, now) {
			if first {
				blocked[rk] = true
			}
			continue
		}
		return true
	}
	return false
}

// start gives each free slot to the first waiting lane of its platform.
func (p *pipeline) start() {
	p.waiting = slices.DeleteFunc(p.waiting, func(l *lane) bool { return l.dropped })
	for {
		best := -1
		for i, l := range p.waiting {
			if p.running[l.platform] >= p.d.concurrency(l.platform) {
				continue
			}
			if best < 0 || l.before(p.waiting[best]) {
				best = i
			}
		}
		if best < 0 {
			return
		}
		l := p.waiting[best]
		p.waiting = slices.Delete(p.waiting, best, best+1)
		l.started = true
		p.running[l.platform]++
		ctx := p.ctx
		if p.d.concurrency(l.platform) > 1 {
			ctx = context.WithValue(ctx, batchedKey{}, true)
		}
		go func() {
			p.run(ctx, l)
			p.done <- l
		}()
	}
}

// run works through one lane.
func (p *pipeline) run(ctx context.Context, l *lane) {
	blocked := map[string]bool{}
	for _, m := range l.msgs {
		if ctx.Err() != nil || p.stopped() {
			return
		}
		now := p.clock()
		rk := m.Platform + "|" + m.To.String()
		first := m.Ref.IsZero()
		if m.NextAttemptAt.After(now) || (first && blocked[rk]) || p.d.editTooSoon(m, now) {
			if first {
				blocked[rk] = true
			}
			continue
		}
		mctx := ctx
		if urgent(m) { // the adapter lets it take the next turn too
			mctx = WithUrgent(ctx)
		}
		res, err := p.d.deliver(mctx, m, now)
		if err != nil {
			p.fail(err)
			return
		}
		p.mu.Lock()
		switch res {
		case delivered:
			p.sent++
			p.progress = true
		case failed: // settled; the lead's notice is new work
			p.progress, p.recheck = true, true
		case waiting:
			p.recheck = true
		}
		p.mu.Unlock()
		if res == waiting && first {
			blocked[rk] = true
		}
	}
}

// concurrency is how many sends may be in flight to platform at once.
func (d *Dispatcher) concurrency(platform string) int {
	c, ok := d.chats[platform].(ConcurrentChat)
	if !ok || d.inFlight <= 1 {
		return 1
	}
	return max(1, min(d.inFlight, c.MaxInFlight()))
}
