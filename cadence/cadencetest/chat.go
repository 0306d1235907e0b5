package cadencetest

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/cadencebot/cadencebot/cadence"
)

// Delivered is one message as the fake platform holds it.
type Delivered struct {
	Ref     cadence.Ref
	Thread  cadence.Ref
	Message *cadence.Message // as last sent or updated
	Updates int              // how many times it was updated in place
}

// Chat is a fake cadence.Chat that records what it is asked to deliver.
// Hooks let a test make the platform refuse a message, or accept it and
// lose the reply (the crash window between "sending" and "sent").
// It does not implement cadence.Reconciler; ReconcilingChat does.
type Chat struct {
	PlatformName string

	// BeforeSend, if set, runs before delivery; an error means the
	// platform did not get the message.
	BeforeSend func(m *cadence.Message) error
	// AfterSend, if set, runs after delivery; an error means the platform
	// has the message but the caller never learns its Ref.
	AfterSend func(m *cadence.Message) error
	// BeforeUpdate, if set, runs before an in-place update.
	BeforeUpdate func(ref cadence.Ref, m *cadence.Message) error

	mu        sync.Mutex
	seq       int
	delivered []*Delivered
	sends     int
}

var _ cadence.Chat = (*Chat)(nil)

// NewChat returns a fake chat for the named platform ("local" if empty).
func NewChat(platform string) *Chat {
	if platform == "" {
		platform = "local"
	}
	return &Chat{PlatformName: platform}
}

func (c *Chat) Platform() string { return c.PlatformName }

func (c *Chat) Send(ctx context.Context, m *cadence.Message, thread cadence.Ref) (cadence.Ref, error) {
	if err := ctx.Err(); err != nil {
		return cadence.Ref{}, err
	}
	if c.BeforeSend != nil {
		if err := c.BeforeSend(m); err != nil {
			return cadence.Ref{}, err
		}
	}
	c.mu.Lock()
	c.seq++
	c.sends++
	ch := m.To.Channel
	if ch == "" {
		ch = "D-" + m.To.Person
	}
	ref := cadence.Ref{Channel: ch, ID: strconv.Itoa(c.seq)}
	c.delivered = append(c.delivered, &Delivered{Ref: ref, Thread: thread, Message: plain(m)})
	c.mu.Unlock()
	if c.AfterSend != nil {
		if err := c.AfterSend(m); err != nil {
			return cadence.Ref{}, err
		}
	}
	return ref, nil
}

func (c *Chat) Update(ctx context.Context, ref cadence.Ref, m *cadence.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.BeforeUpdate != nil {
		if err := c.BeforeUpdate(ref, m); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range c.delivered {
		if d.Ref == ref {
			d.Message = plain(m)
			d.Updates++
			return nil
		}
	}
	return &cadence.SendError{Code: "message_not_found", Err: fmt.Errorf("no message %v on %s", ref, c.PlatformName)}
}

// Delivered returns copies of every delivered message, in delivery order.
func (c *Chat) Delivered() []Delivered {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Delivered, len(c.delivered))
	for i, d := range c.delivered {
		out[i] = Delivered{Ref: d.Ref, Thread: d.Thread, Message: d.Message.Clone(), Updates: d.Updates}
	}
	return out
}

// ByKey returns every delivery of the message with the given key (more than
// one means it was double-posted).
func (c *Chat) ByKey(key string) []Delivered {
	var out []Delivered
	for _, d := range c.Delivered() {
		if d.Message.Key == key {
			out = append(out, d)
		}
	}
	return out
}

// To returns what was delivered to r, in order.
func (c *Chat) To(r cadence.Recipient) []Delivered {
	var out []Delivered
	for _, d := range c.Delivered() {
		if d.Message.To == r {
			out = append(out, d)
		}
	}
	return out
}

// Kinds counts deliveries by message kind.
func (c *Chat) Kinds() map[cadence.MessageKind]int {
	out := map[cadence.MessageKind]int{}
	for _, d := range c.Delivered() {
		out[d.Message.Kind]++
	}
	return out
}

// Duplicates lists keys delivered more than once.
func (c *Chat) Duplicates() []string {
	seen := map[string]int{}
	var dup []string
	for _, d := range c.Delivered() {
		seen[d.Message.Key]++
		if seen[d.Message.Key] == 2 {
			dup = append(dup, d.Message.Key)
		}
	}
	return dup
}

// Sends is the number of successful Send calls.
func (c *Chat) Sends() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sends
}

// ReconcilingChat is a fake Chat that also implements cadence.Reconciler
// by finding an earlier delivery with the same key, as real adapters do by
// tagging each message with its key.
type ReconcilingChat struct {
	*Chat
	// LookupErr, if set, runs before a lookup; an error means the
	// platform refused to search.
	LookupErr func() error
	lookups   int
}

var _ cadence.Reconciler = (*ReconcilingChat)(nil)

// NewReconcilingChat returns a reconciling fake for the named platform.
func NewReconcilingChat(platform string) *ReconcilingChat {
	return &ReconcilingChat{Chat: NewChat(platform)}
}

func (c *ReconcilingChat) Lookup(ctx context.Context, m *cadence.Message, thread cadence.Ref) (cadence.Ref, bool, error) {
	if err := ctx.Err(); err != nil {
		return cadence.Ref{}, false, err
	}
	if c.LookupErr != nil {
		if err := c.LookupErr(); err != nil {
			return cadence.Ref{}, false, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lookups++
	for _, d := range c.delivered {
		if d.Message.Key == m.Key {
			return d.Ref, true, nil
		}
	}
	return cadence.Ref{}, false, nil
}

// Lookups is the number of Lookup calls.
func (c *ReconcilingChat) Lookups() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lookups
}

// plain is the copy the fake platform keeps: what a reader of a platform
// without mentions sees (references written as their fallback words).
func plain(m *cadence.Message) *cadence.Message {
	c := m.Clone()
	c.Body = c.Body.Plain()
	return c
}
