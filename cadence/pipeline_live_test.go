package cadence_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// gatedChat is a platform whose every send waits for the test to let it
// through (Slack's rate limit, one token at a time): the test decides
// when each send completes, so what goes out next is decided by the
// dispatcher alone, not by timing.
type gatedChat struct {
	max      int
	gate     chan struct{}
	arrivals chan string // keys of sends (and "lookup "+key) as they arrive

	mu   sync.Mutex
	sent map[string]int
}

func newGatedChat(max int) *gatedChat {
	return &gatedChat{max: max, gate: make(chan struct{}), arrivals: make(chan string, 4096), sent: map[string]int{}}
}

func (c *gatedChat) Platform() string { return "slack" }
func (c *gatedChat) MaxInFlight() int { return c.max }

func (c *gatedChat) Send(ctx context.Context, m *cadence.Message, _ cadence.Ref) (cadence.Ref, error) {
	c.arrivals <- m.Key
	select {
	case <-c.gate:
	case <-ctx.Done():
		return cadence.Ref{}, &cadence.SendError{Retryable: true, NotSent: true, Code: "canceled", Err: ctx.Err()}
	}
	c.mu.Lock()
	c.sent[m.Key]++
	c.mu.Unlock()
	return cadence.Ref{Channel: "D" + m.To.Person, ID: m.Key}, nil
}

func (c *gatedChat) Update(context.Context, cadence.Ref, *cadence.Message) error { return nil }

// Lookup is the in-doubt check of a message a killed leader had in
// flight: not on the platform.
func (c *gatedChat) Lookup(_ context.Context, m *cadence.Message, _ cadence.Ref) (cadence.Ref, bool, error) {
	c.arrivals <- "lookup " + m.Key
	return cadence.Ref{}, false, nil
}

func (c *gatedChat) sends() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.sent {
		out[k] = v
	}
	return out
}

// listingStore tells the test when the dispatcher has listed the outbox
// in a transaction that began after a given moment, so the test knows a
// listing saw what it queued (or the time it set).
type listingStore struct {
	cadence.Store
	begun atomic.Int64 // transactions begun
	mu    sync.Mutex
	done  int64 // the latest begun of a finished transaction that listed
}

func (s *listingStore) View(ctx context.Context, fn func(cadence.Tx) error) error {
	seq := s.begun.Add(1)
	listed := false
	err := s.Store.View(ctx, func(tx cadence.Tx) error { return fn(listingTx{tx, &listed}) })
	if listed {
		s.mu.Lock()
		s.done = max(s.done, seq)
		s.mu.Unlock()
	}
	return err
}

// listedSince reports whether a listing begun after mark has finished.
func (s *listingStore) listedSince(mark int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done > mark
}

type listingTx struct {
	cadence.Tx
	listed *bool
}

func (t listingTx) Due(now time.Time, limit int) ([]*cadence.Message, error) {
	*t.listed = true
	return t.Tx.Due(now, limit)
}

// TestLivePassPicksUpNewWork: during a 500-prompt fan-out paced by the
// platform, a receipt queued after the pass began goes out on the next
// free slot, ahead of the remaining prompts, and a retry whose time comes
// mid-pass (a new leader's in-doubt lookup of a message the killed leader
// had in flight) is tried mid-pass; every message goes out once, each
// conversation in order. Before the live pass, both waited for the whole
// fan-out.
func TestLivePassPicksUpNewWork(t *testing.T) {
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clock := cadence.NewManualClock(start)
	st := &listingStore{Store: cadencetest.NewStore()}
	chat := newGatedChat(4)
	const n = 500
	msg := func(key, to string, kind cadence.MessageKind, created time.Time) *cadence.Message {
		return &cadence.Message{Key: key, Kind: kind, Platform: "slack", To: cadence.Recipient{Person: to},
			Body: cadence.Body{Text: "hi"}, CreatedAt: created, Revision: 1, State: cadence.StatePending, NextAttemptAt: created}
	}
	enqueue := func(ms ...*cadence.Message) {
		require.NoError(t, st.Update(context.Background(), func(tx cadence.Tx) error {
			for _, m := range ms {
				if _, err := tx.Enqueue(m); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	var fanOut []*cadence.Message
	for i := range n { // queued in one tick, all due at once
		m := msg(fmt.Sprintf("prompt/p%03d", i), fmt.Sprintf("p%03d", i), cadence.KindPrompt, start.Add(time.Duration(i)*time.Microsecond))
		m.NextAttemptAt = start
		fanOut = append(fanOut, m)
	}
	// Yesterday's reminder, in flight when the last leader was killed;
	// its in-doubt lookup failed and is due again 10.6 s into the pass.
	inDoubt := msg("reminder/old", "old", cadence.KindReminder, start.Add(-time.Hour))
	inDoubt.State, inDoubt.Attempts, inDoubt.NextAttemptAt = cadence.StateSending, 1, start.Add(10600*time.Millisecond)
	enqueue(append(fanOut, inDoubt)...)

	d := cadence.NewDispatcher(st, clock, map[string]cadence.Chat{"slack": chat}, zerolog.Nop(), nil,
		cadence.WithInFlight(16), cadence.WithPollInterval(5*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	wake := make(chan struct{}, 1)
	ran := make(chan error, 1)
	go func() { ran <- d.Run(ctx, wake) }()
	t.Cleanup(func() {
		cancel()
		<-ran
	})

	arrival := func() string {
		t.Helper()
		select {
		case k := <-chat.arrivals:
			return k
		case <-time.After(20 * time.Second):
			require.FailNow(t, "no send arrived")
			return ""
		}
	}
	// listedAfter waits until a listing begun after this call has
	// finished. A dispatcher that does not list mid-pass is caught by
	// what it sends next.
	listedAfter := func(what string) {
		t.Helper()
		mark := st.begun.Load()
		deadline := time.Now().Add(10 * time.Second)
		for !st.listedSince(mark) {
			if time.Now().After(deadline) {
				t.Logf("no listing mid-pass after %s", what)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	var order []string
	// step lets one send complete and returns the next to arrive.
	step := func() string {
		t.Helper()
		chat.gate <- struct{}{}
		k := arrival()
		order = append(order, k)
		return k
	}

	for range 4 { // the adapter's bound, all waiting for the platform
		order = append(order, arrival())
	}
	for range 10 {
		step()
	}
	require.NotContains(t, order, "reminder/old", "not due yet")

	// p000 and p400 answer (p400 in the dashboard, before its prompt
	// went out). Their lanes take the next free slots, ahead of the
	// remaining prompts: p400's first, its head being older, and p400's
	// receipt after its prompt, in the same lane.
	clock.Set(start.Add(time.Second))
	enqueue(msg("receipt/p000", "p000", cadence.KindReceipt, clock.Now()), msg("receipt/p400", "p400", cadence.KindReceipt, clock.Now()))
	wake <- struct{}{}
	listedAfter("woken")
	require.Equal(t, "prompt/p400", step(), "the urgent lanes take the next free slot, ahead of %d prompts", n-len(order)+1)
	if k := step(); k != "receipt/p000" {
		// The slot went on to p400's receipt; the next one frees.
		require.Equal(t, "receipt/p400", k)
		require.Equal(t, "receipt/p000", step())
	}
	receiptAt := len(order)

	// The in-doubt reminder falls due; only the poll tells the dispatcher.
	clock.Set(start.Add(11 * time.Second))
	listedAfter("poll")
	k := step()
	if k == "receipt/p400" { // p400's lane went on: the next slot frees
		k = step()
	}
	require.Equal(t, "lookup reminder/old", k, "the retry that fell due is tried on the next free slot")
	require.Equal(t, "reminder/old", arrival(), "not found: sent")
	retryAt := len(order)

	// The rest of the fan-out.
	deadline := time.After(60 * time.Second)
	for len(chat.sends()) < n+3 {
		select {
		case chat.gate <- struct{}{}:
		case k := <-chat.arrivals:
			order = append(order, k)
		case <-time.After(10 * time.Millisecond): // the last send is being counted
		case <-deadline:
			require.FailNow(t, "the fan-out stalled", "%d of %d sent", len(chat.sends()), n+3)
		}
	}
	sends := chat.sends()
	require.Len(t, sends, n+3)
	for k, c := range sends {
		assert.Equal(t, 1, c, "%s sent once", k)
	}
	assert.Less(t, receiptAt, 20, "receipt among the first sends of %d", n+3)
	assert.Less(t, retryAt, 25, "retry among the first sends of %d", n+3)
	for _, p := range []string{"p000", "p400"} {
		assert.Less(t, indexOf(order, "prompt/"+p), indexOf(order, "receipt/"+p), "%s's prompt before its receipt", p)
	}
	assert.Less(t, indexOf(order, "receipt/p400"), 30, "p400's receipt among the first sends")
	t.Logf("receipt was send %d, the in-doubt retry %d, of %d", receiptAt, retryAt, n+3)
}

func indexOf(s []string, k string) int {
	for i, v := range s {
		if v == k {
			return i
		}
	}
	return -1
}
