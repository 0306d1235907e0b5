package slack

import "github.com/cadencebot/cadencebot/cadence"

var _ cadence.ConcurrentChat = (*Adapter)(nil)

// maxInFlight bounds concurrent Web API sends. The limiter paces them to
// Slack's buckets; several in flight hide the round trip (at 300 ms, one
// call at a time reaches 3.3 messages/s against the 5/s chat.postMessage
// allows). Sixteen leave room for commits and scheduling delays
// (BenchmarkFanOutRoundTrip: 1.04× the minimum at 300 ms, against 1.07–1.11×
// with eight) and keep the limiter's reservations (16 × 0.2 s) well under
// maxWait.
const maxInFlight = 16

// MaxInFlight implements cadence.ConcurrentChat: the adapter's state is
// behind mutexes and its limiter is shared by all callers.
func (a *Adapter) MaxInFlight() int { return maxInFlight }
