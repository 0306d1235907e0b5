package cadence

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Dispatcher delivers the outbox. For each due message it:
//
//  1. records StateSending (and counts the attempt) before calling the
//     platform, so a crash in the middle is visible on restart;
//  2. sends, then records the platform's Ref, SentRevision and StateSent;
//  3. for a message with a Ref whose Revision grew (a summary), updates
//     it in place instead of posting again.
//
// A message found in StateSending was possibly delivered by an earlier run
// that crashed (or whose reply was lost). If the platform's Chat is a
// Reconciler, the dispatcher looks the message up by key and records the
// Ref it finds instead of posting again: exactly once. If it is not, the
// message is sent again: at-least-once on such platforms.
//
// Threaded messages wait until their parent has a Ref. Messages to the same
// recipient go out in the order they were queued: a new message waits while
// an earlier one to the same recipient is still undelivered. Retryable
// errors are retried after max(RetryAfter, exponential backoff); permanent
// ones mark the message failed and tell the ritual's lead.
type Dispatcher struct {
	store  Store
	clock  Clock
	chats  map[string]Chat
	log    zerolog.Logger
	obs    Observer
	leadOf func(ritualID string) string
	dir    Directory // names in failure notices; optional
	render Renderer  // draws dirty summaries before sending (summary.go); optional

	batch     int
	inFlight  int           // most sends at once, over all conversations (pipeline.go)
	editEvery time.Duration // least time between two edits of a message (coalesce.go)
	heldMu    sync.Mutex
	held      time.Time // HeldUntil: the earliest edit the last RunOnce held back
	// heldSummary: dirty summaries whose edit is held back, and until
	// when (renderDirty; one goroutine draws them).
	heldSummary map[string]time.Time
	poll        time.Duration
	backoffBase time.Duration
	backoffMax  time.Duration
	giveUp      time.Duration
}

// DispatcherOption configures a Dispatcher.
type DispatcherOption func(*Dispatcher)

// WithLeads tells the dispatcher whom to notify when a ritual's message is
// refused for good (Engine.LeadOf).
func WithLeads(leadOf func(ritualID string) string) DispatcherOption {
	return func(d *Dispatcher) { d.leadOf = leadOf }
}

// WithBackoff sets the first retry delay and its cap (default 2s, 10m).
func WithBackoff(base, max time.Duration) DispatcherOption {
	return func(d *Dispatcher) { d.backoffBase, d.backoffMax = base, max }
}

// WithGiveUp sets how long a message may keep failing with retryable
// errors before it is given up like a permanent failure (default 24h): a
// prompt for a window that closed long ago is noise, and an outbox that
// never drains hides an outage. Zero retries forever.
func WithGiveUp(d time.Duration) DispatcherOption {
	return func(disp *Dispatcher) { disp.giveUp = d }
}

// WithPollInterval sets how often Run looks for due retries when nothing
// wakes it (default 1s).
func WithPollInterval(p time.Duration) DispatcherOption {
	return func(d *Dispatcher) { d.poll = p }
}

// NewDispatcher returns a dispatcher delivering through chats, keyed by
// platform name ("slack", "teams", "local").
func NewDispatcher(store Store, clock Clock, chats map[string]Chat, logger zerolog.Logger, obs Observer, opts ...DispatcherOption) *Dispatcher {
	if clock == nil {
		clock = SystemClock{}
	}
	if obs == nil {
		obs = NopObserver{}
	}
	d := &Dispatcher{
		store: store, clock: clock, chats: chats, log: logger, obs: obs,
		batch: 500, inFlight: 1, poll: time.Second, backoffBase: 2 * time.Second, backoffMax: 10 * time.Minute,
		giveUp: 24 * time.Hour,
	}
	for _, o := range opts {
		o(d)
	}
	return d
}

// farFuture lists every pending message from Due, including those waiting
// for a retry, which still hold back later messages to their recipient.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// RunOnce delivers what is due now and returns how many messages reached
// the platform (first deliveries and updates). It goes round again while
// it makes progress, so a summary waiting for its agenda, or a notice
// about a failure, goes out in the same call. Platform errors are recorded
// on the messages; the returned error is a store failure.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	return d.runOnce(ctx, nil)
}

// runOnce is RunOnce; a live pass (Run) also picks up work that falls
// due while its lanes are in flight (pipeline.go).
func (d *Dispatcher) runOnce(ctx context.Context, lv *live) (int, error) {
	d.heldMu.Lock()
	d.held = time.Time{}
	d.heldMu.Unlock()
	sent := 0
	for i := 0; i < 100; i++ {
		n, progress, err := d.pass(ctx, lv)
		sent += n
		if err != nil || !progress {
			return sent, err
		}
	}
	return sent, nil
}

// outcome of one delivery attempt.
type outcome int

const (
	waiting   outcome = iota // not sent: retry later, or its thread parent is not there yet
	delivered                // the platform has the latest revision
	failed                   // refused for good
)

// pass handles one batch. progress reports whether any message changed
// state for good (delivered or failed), which may unblock others.
func (d *Dispatcher) pass(ctx context.Context, lv *live) (sent int, progress bool, err error) {
	now := d.clock.Now().UTC()
	if err := d.renderDirty(ctx, now); err != nil {
		return 0, false, err
	}
	var due []*Message
	err = d.store.View(ctx, func(tx Tx) error {
		due, err = tx.Due(farFuture, d.batch)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("dispatch: list due messages: %w", err)
	}
	if d.inFlight > 1 {
		return d.pipelined(ctx, due, now, lv)
	}
	blocked := map[string]bool{}
	for _, m := range due {
		if err := ctx.Err(); err != nil {
			return sent, false, err
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
		if err != nil {
			return sent, false, err
		}
		switch res {
		case delivered:
			sent++
			progress = true
		case failed:
			progress = true
		case waiting:
			if first {
				blocked[rk] = true
			}
		}
	}
	return sent, progress, nil
}

// Run delivers until ctx is done: at once, whenever wake fires (the engine
// queued something), and every poll interval for retries. The interval is
// real time; tests and `simulate` call RunOnce instead. With several
// sends in flight (WithInFlight), wake-ups and the poll also reach a pass
// still in flight: a receipt or a retry falling due during a long
// fan-out goes out within it instead of after it (pipeline.go).
func (d *Dispatcher) Run(ctx context.Context, wake <-chan struct{}) error {
	t := time.NewTicker(d.poll)
	defer t.Stop()
	lv := &live{wake: wake, tick: t.C}
	for {
		if _, err := d.runOnce(ctx, lv); err != nil && ctx.Err() == nil {
			d.log.Error().Err(err).Msg("dispatch failed")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-t.C:
		}
	}
}

// deliver sends or updates one message; the error is a store failure only.
func (d *Dispatcher) deliver(ctx context.Context, m *Message, now time.Time) (outcome, error) {
	if m.Ref.IsZero() {
		if dropped, err := d.freshen(ctx, m, now); dropped || err != nil {
			return failed, err // failed: settled for good, which unblocks the recipient's next message
		}
	}
	log := d.log.With().Str("key", m.Key).Str("platform", m.Platform).Str("to", m.To.String()).Logger()
	chat := d.chats[m.Platform]
	if chat == nil {
		return d.fail(ctx, m, now, &SendError{Code: "no_adapter", Err: fmt.Errorf("no chat adapter for platform %q", m.Platform)})
	}
	var thread Ref
	if m.Thread != "" {
		var parent *Message
		err := d.store.View(ctx, func(tx Tx) error {
			var err error
			parent, err = tx.Message(m.Thread)
			return err
		})
		switch {
		case errors.Is(err, ErrNotFound):
			return d.fail(ctx, m, now, &SendError{Code: "no_thread", Err: fmt.Errorf("thread parent %s does not exist", m.Thread)})
		case err != nil:
			return waiting, fmt.Errorf("dispatch %s: read thread parent: %w", m.Key, err)
		case parent.Ref.IsZero() && parent.State == StateFailed:
			return d.fail(ctx, m, now, &SendError{Code: "thread_failed", Err: fmt.Errorf("thread parent %s could not be delivered", m.Thread)})
		case parent.Ref.IsZero():
			return waiting, nil // wait for the parent
		}
		thread = parent.Ref
	}

	if !m.Ref.IsZero() {
		return d.update(ctx, chat, m, now, log)
	}

	if m.State == StateSending {
		if rc, ok := chat.(Reconciler); ok {
			ref, found, err := rc.Lookup(ctx, m, thread)
			if err != nil {
				// The lookup failed, not the message: it stays in doubt.
				return d.fail(ctx, m, now, inDoubt(err))
			}
			if found {
				log.Info().Str("ref", ref.ID).Msg("reconciled: delivered before a restart, not sending again")
				// We cannot know which revision arrived; if there may be a
				// newer one, force an update in place.
				rev := m.Revision
				if rev > 1 {
					rev = 0
				}
				return delivered, d.recordSent(ctx, m, ref, rev, now)
			}
		} else {
			log.Warn().Msg("resending a message that may have been delivered: the platform cannot look it up")
		}
	}

	fresh, err := d.markSending(ctx, m.Key)
	if err != nil || fresh == nil {
		return waiting, err
	}
	ref, err := chat.Send(ctx, fresh, thread)
	if err != nil {
		return d.fail(context.WithoutCancel(ctx), fresh, now, err)
	}
	if err := d.recordSent(context.WithoutCancel(ctx), fresh, ref, fresh.Revision, now); err != nil {
		return waiting, err
	}
	d.obs.MessageSent(m.Platform, m.Kind)
	if m.Kind == KindPrompt {
		d.obs.PromptSent(m.RitualID, m.Platform)
	}
	log.Debug().Str("ref", ref.ID).Msg("sent")
	return delivered, nil
}

func (d *Dispatcher) update(ctx context.Context, chat Chat, m *Message, now time.Time, log zerolog.Logger) (outcome, error) {
	if updErr := chat.Update(ctx, m.Ref, m); updErr != nil {
		if retry, _ := IsRetryable(updErr); retry {
			return d.fail(context.WithoutCancel(ctx), m, now, updErr)
		}
		// The message is on the platform, only this revision could not be
		// applied (deleted by someone, say). Keep it sent; note the error.
		d.obs.SendError(m.Platform, errorCode(updErr))
		log.Warn().Err(updErr).Msg("update refused; keeping the delivered version")
		return failed, d.write(context.WithoutCancel(ctx), func(tx Tx) error {
			x, err := tx.Message(m.Key)
			if err != nil {
				return err
			}
			x.SentRevision, x.State, x.LastError, x.FailingSince = m.Revision, StateSent, updErr.Error(), time.Time{}
			if x.Revision > x.SentRevision {
				x.State = StatePending
			}
			if err := tx.PutMessage(x); err != nil {
				return err
			}
			// The message shows an older version: the lead is told
			// instead of the update vanishing into the log.
			return d.noticeLead(tx, x, errorCode(updErr), now)
		})
	}
	if err := d.recordSent(context.WithoutCancel(ctx), m, m.Ref, m.Revision, now); err != nil {
		return waiting, err
	}
	d.obs.MessageSent(m.Platform, m.Kind)
	log.Debug().Int("revision", m.Revision).Msg("updated")
	return delivered, nil
}

// markSending records the attempt before the platform sees the message and
// returns the message as stored (the engine may have revised it since it
// was listed). It returns nil if the message no longer needs sending.
func (d *Dispatcher) markSending(ctx context.Context, key string) (*Message, error) {
	var out *Message
	err := d.write(ctx, func(tx Tx) error {
		x, err := tx.Message(key)
		if err != nil {
			return err
		}
		if !x.Ref.IsZero() || (x.State != StatePending && x.State != StateSending) {
			return nil
		}
		x.State = StateSending
		x.Attempts++
		if err := tx.PutMessage(x); err != nil {
			return err
		}
		out = x
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dispatch %s: mark sending: %w", key, err)
	}
	return out, nil
}

// recordSent stores the platform's Ref. If the engine revised the message
// while it was in flight, it stays pending for an update.
func (d *Dispatcher) recordSent(ctx context.Context, m *Message, ref Ref, rev int, now time.Time) error {
	err := d.write(ctx, func(tx Tx) error {
		x, err := tx.Message(m.Key)
		if err != nil {
			return err
		}
		x.Ref, x.SentRevision, x.LastError, x.FailingSince = ref, rev, "", time.Time{}
		if x.SentAt.IsZero() {
			x.SentAt = now
		}
		x.UpdatedAt = now
		x.State = StateSent
		if x.Revision > rev {
			x.State, x.NextAttemptAt = StatePending, now
		}
		return tx.PutMessage(x)
	})
	if err != nil {
		return fmt.Errorf("dispatch %s: record sent: %w", m.Key, err)
	}
	return nil
}

// fail records a delivery error: a retry later, or a permanent failure
// with a notice to the ritual's lead.
func (d *Dispatcher) fail(ctx context.Context, m *Message, now time.Time, sendErr error) (outcome, error) {
	retry, after := IsRetryable(sendErr)
	refused := notSent(sendErr)
	code := errorCode(sendErr)
	d.obs.SendError(m.Platform, code)
	log := d.log.With().Str("key", m.Key).Str("platform", m.Platform).Str("code", code).Logger()
	retry0 := retry
	err := d.write(ctx, func(tx Tx) error {
		// Batched writes may run this twice (after a rolled-back batch):
		// start from the same decision each time.
		retry = retry0
		x, err := tx.Message(m.Key)
		if err != nil {
			return err
		}
		x.LastError = sendErr.Error()
		firstFailure := x.FailingSince.IsZero()
		if retry && firstFailure {
			x.FailingSince = now
		}
		if retry && d.giveUp > 0 && now.Sub(x.FailingSince) >= d.giveUp {
			retry = false
			x.LastError = fmt.Sprintf("gave up after %s of failed attempts: %v", FormatDuration(now.Sub(x.FailingSince)), sendErr)
			log.Error().Err(sendErr).Time("failing_since", x.FailingSince).Msg("giving up on the message")
			if !x.Ref.IsZero() {
				// Delivered before: keep the last version that arrived
				// and stop retrying this revision; a newer one tries
				// again. The lead learns the message is out of date.
				x.State = StateSent
				if err := tx.PutMessage(x); err != nil {
					return err
				}
				return d.noticeLead(tx, x, code, now)
			}
		}
		if retry {
			if refused && x.Ref.IsZero() && x.State == StateSending {
				// Certainly not on the platform: the retry posts
				// without reading the conversation first.
				x.State = StatePending
			}
			switch {
			case refused && after > 0:
				// A wait the platform (or our own rate limiter) asked
				// for is not a failed attempt: retry when it ends.
				if x.Ref.IsZero() && x.Attempts > 0 {
					x.Attempts-- // markSending counted it
				}
				x.NextAttemptAt = now.Add(after)
				log.Info().Err(sendErr).Dur("retry_in", after).Msg("rate limited; will retry")
				return tx.PutMessage(x)
			case !x.Ref.IsZero():
				// Updates in place are not counted by markSending: count
				// this run of failures here so its backoff grows from
				// the base again.
				if firstFailure {
					x.Attempts = 0
				}
				x.Attempts++
			case x.Attempts == 0:
				x.Attempts = 1 // failed before it was marked (reconcile lookup)
			}
			wait := d.backoff(x.Attempts)
			if after > wait {
				wait = after
			}
			x.NextAttemptAt = now.Add(wait)
			log.Warn().Err(sendErr).Int("attempts", x.Attempts).Dur("retry_in", wait).Msg("delivery failed; will retry")
			return tx.PutMessage(x)
		}
		x.State = StateFailed
		log.Error().Err(sendErr).Msg("delivery refused for good")
		if err := tx.PutMessage(x); err != nil {
			return err
		}
		return d.noticeLead(tx, x, code, now)
	})
	if err != nil {
		return waiting, fmt.Errorf("dispatch %s: record failure: %w", m.Key, err)
	}
	if retry {
		return waiting, nil
	}
	return failed, nil
}

// backoff is base·2^(attempts−1), capped.
func (d *Dispatcher) backoff(attempts int) time.Duration {
	w := d.backoffBase
	for i := 1; i < attempts && w < d.backoffMax; i++ {
		w *= 2
	}
	if w > d.backoffMax {
		w = d.backoffMax
	}
	return w
}

// inDoubt returns err without its NotSent mark: a failed lookup says
// nothing about whether the message itself was posted.
func inDoubt(err error) error {
	var se *SendError
	if errors.As(err, &se) && se.NotSent {
		c := *se
		c.NotSent = false
		return &c
	}
	return err
}

func errorCode(err error) string {
	var se *SendError
	if errors.As(err, &se) && se.Code != "" {
		return se.Code
	}
	return "error"
}
