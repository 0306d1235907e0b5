package slack

import (
	"context"
	"errors"

	"github.com/cadencebot/cadencebot/cadence"
)

// call runs one Web API call under the rate limiter and classifies its
// error. channel is the per-channel bucket, or "".
func (a *Adapter) call(ctx context.Context, method, channel string, fn func() error) error {
	if err := a.limit.take(ctx, method, channel); err != nil {
		return err
	}
	if err := fn(); err != nil {
		return a.fail(method, channel, err)
	}
	return nil
}

// fail classifies err and, for a 429, stops the method's buckets for the
// Retry-After Slack asked for.
func (a *Adapter) fail(method, channel string, err error) error {
	err = classify(method, err)
	var se *cadence.SendError
	if errors.As(err, &se) && se.Code == "ratelimited" && se.RetryAfter > 0 {
		a.limit.penalize(method, channel, se.RetryAfter)
		a.log.Warn().Str("method", method).Dur("retry_after", se.RetryAfter).Msg("slack rate limit hit")
	}
	return err
}

// codeOf returns the Code of a *cadence.SendError, or "".
func codeOf(err error) string {
	var se *cadence.SendError
	if errors.As(err, &se) {
		return se.Code
	}
	return ""
}
