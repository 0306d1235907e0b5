package sim

import (
	"context"
	"sync"

	"github.com/cadencebot/cadencebot/cadence"
)

// recorder is the simulated chat: every platform delivers instantly and
// the simulation reads what was delivered to decide who answers.
type recorder struct {
	mu   sync.Mutex
	sent []*cadence.Message
}

func (r *recorder) drain() []*cadence.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sent
	r.sent = nil
	return out
}

type platformChat struct {
	*recorder
	name string
}

func (c *platformChat) Platform() string { return c.name }

func (c *platformChat) Send(_ context.Context, m *cadence.Message, _ cadence.Ref) (cadence.Ref, error) {
	c.mu.Lock()
	c.sent = append(c.sent, m)
	c.mu.Unlock()
	return cadence.Ref{Channel: m.To.String(), ID: m.Key}, nil
}

func (c *platformChat) Update(context.Context, cadence.Ref, *cadence.Message) error { return nil }
