package cadence

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Chat is what the engine needs of a chat platform: deliver a message and
// update one in place. Adapters (bot/slack, bot/teams, bot/local) render
// the platform-neutral Body in their own format.
type Chat interface {
	// Platform names the adapter: "slack", "teams", "local".
	Platform() string
	// Send delivers m and returns the platform's reference. thread is the
	// reference of the message to reply under, or zero.
	Send(ctx context.Context, m *Message, thread Ref) (Ref, error)
	// Update replaces the content of a delivered message.
	Update(ctx context.Context, ref Ref, m *Message) error
}

// Reconciler is an optional Chat ability: find a message that may have
// been delivered before a crash (state "sending"), so it is not sent twice.
// Adapters tag each message with its Key to make this possible.
type Reconciler interface {
	Lookup(ctx context.Context, m *Message, thread Ref) (Ref, bool, error)
}

// SendError classifies a delivery failure. Adapters return it; the
// dispatcher retries Retryable ones after RetryAfter (or its own backoff)
// and marks the others failed.
type SendError struct {
	Retryable  bool
	RetryAfter time.Duration
	// NotSent says the platform certainly did not post the message: it
	// refused the call (429, an explicit error) or the call was never
	// made. The retry then posts without looking the message up first,
	// and a NotSent error with a RetryAfter is a wait the platform asked
	// for, not a failed attempt: it does not grow the backoff. Leave it
	// false when the outcome is unknown (timeout, reset, 5xx).
	NotSent bool
	Code    string // platform error code: "ratelimited", "channel_not_found"
	Err     error
}

func (e *SendError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("%s: %v", e.Code, e.Err)
	}
	return e.Err.Error()
}

func (e *SendError) Unwrap() error { return e.Err }

// IsRetryable reports whether err (or anything it wraps) is a retryable
// SendError. Unknown errors (network) are retryable.
func IsRetryable(err error) (bool, time.Duration) {
	var se *SendError
	if errors.As(err, &se) {
		return se.Retryable, se.RetryAfter
	}
	return true, 0
}

// notSent reports whether err says the platform certainly did not post.
func notSent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.NotSent
}
