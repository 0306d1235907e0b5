package cadencetest

import (
	"sync/atomic"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// ConcurrentChat is a ReconcilingChat that declares itself safe for
// concurrent sends (cadence.ConcurrentChat) and records how many sends
// were in flight at once. Each send holds for Delay, so overlaps show.
type ConcurrentChat struct {
	*ReconcilingChat
	Max   int
	Delay time.Duration
	// Before, if set, runs in each send after the delay, like
	// Chat.BeforeSend (which this fake uses itself).
	Before func(m *cadence.Message) error

	now, peak atomic.Int32
}

var _ cadence.ConcurrentChat = (*ConcurrentChat)(nil)

// NewConcurrentChat returns a fake that takes up to max sends at once.
func NewConcurrentChat(platform string, max int, delay time.Duration) *ConcurrentChat {
	c := &ConcurrentChat{ReconcilingChat: NewReconcilingChat(platform), Max: max, Delay: delay}
	c.Chat.BeforeSend = func(m *cadence.Message) error {
		n := c.now.Add(1)
		for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
		}
		time.Sleep(c.Delay)
		c.now.Add(-1)
		if c.Before != nil {
			return c.Before(m)
		}
		return nil
	}
	return c
}

func (c *ConcurrentChat) MaxInFlight() int { return c.Max }

// Peak is the most sends that were in flight at once.
func (c *ConcurrentChat) Peak() int { return int(c.peak.Load()) }
