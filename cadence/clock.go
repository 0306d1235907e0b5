package cadence

import (
	"sync"
	"time"
)

// Clock is the only source of "now" in the domain. The daemon uses
// SystemClock; tests and `cadencebot simulate` use a ManualClock so weeks
// run in milliseconds through the same code.
type Clock interface {
	Now() time.Time
}

// SystemClock reads the wall clock. It is the one place in cadence that may
// call time.Now.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

// ManualClock is a settable clock, safe for concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t (backwards too: tests of clock skew need it).
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}
