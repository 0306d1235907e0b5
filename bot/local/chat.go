package local

import (
	"context"
	"sync"

	"github.com/cadencebot/cadencebot/cadence"
)

// Platform is the name outbox messages for the local chat carry.
const Platform = "local"

// Chat is the local platform's cadence.Chat. Delivering a message means
// giving it a Ref and waking the pages that wait for news; the outbox
// message itself is what the pages show.
type Chat struct {
	mu      sync.Mutex
	version uint64
	changed chan struct{} // closed and replaced on every change
}

var (
	_ cadence.Chat       = (*Chat)(nil)
	_ cadence.Reconciler = (*Chat)(nil)
)

// NewChat returns a local chat. Pass it to the engine as its Chat and to
// NewServer with WithChat so pages refresh when messages arrive.
func NewChat() *Chat { return &Chat{changed: make(chan struct{})} }

func (c *Chat) Platform() string { return Platform }

// Room is where a recipient's messages live: "#channel" or "@person".
func Room(to cadence.Recipient) string { return to.String() }

// Send delivers m: its ref is its room and its key.
func (c *Chat) Send(ctx context.Context, m *cadence.Message, _ cadence.Ref) (cadence.Ref, error) {
	if err := ctx.Err(); err != nil {
		return cadence.Ref{}, err
	}
	c.notify()
	return refOf(m), nil
}

// Update accepts a new revision of a delivered message. The store already
// holds its content; the ref must be the one Send returned.
func (c *Chat) Update(ctx context.Context, ref cadence.Ref, m *cadence.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ref != refOf(m) {
		return &cadence.SendError{Code: "message_not_found", Err: errRefMismatch{ref, m.Key}}
	}
	c.notify()
	return nil
}

// Lookup reports a message left in "sending" by a crash as delivered:
// for the local chat the store's copy is the delivery, so sending it again
// would change nothing.
func (c *Chat) Lookup(_ context.Context, m *cadence.Message, _ cadence.Ref) (cadence.Ref, bool, error) {
	return refOf(m), true, nil
}

func refOf(m *cadence.Message) cadence.Ref {
	return cadence.Ref{Channel: Room(m.To), ID: m.Key}
}

type errRefMismatch struct {
	ref cadence.Ref
	key string
}

func (e errRefMismatch) Error() string {
	return "local chat: ref " + e.ref.Channel + "/" + e.ref.ID + " is not message " + e.key
}

// Version counts deliveries; pages poll it to know when to reload.
func (c *Chat) Version() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// Wait returns once the version is past v, or when ctx ends; it returns
// the version it saw last.
func (c *Chat) Wait(ctx context.Context, v uint64) uint64 {
	for {
		c.mu.Lock()
		cur, ch := c.version, c.changed
		c.mu.Unlock()
		if cur != v {
			return cur
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return cur
		}
	}
}

func (c *Chat) notify() {
	c.mu.Lock()
	c.version++
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}
