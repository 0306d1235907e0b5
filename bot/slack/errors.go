package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/cadence"
)

// retryableCodes are Slack error codes that mean "try again later".
var retryableCodes = map[string]bool{
	"ratelimited":         true,
	"rate_limited":        true,
	"fatal_error":         true,
	"internal_error":      true,
	"service_unavailable": true,
	"request_timeout":     true,
	"team_added_to_org":   true, // transient while a workspace migrates
}

// maybeApplied are error codes after which Slack's docs say "it's
// possible some aspect of the operation succeeded": the outcome is
// unknown, as after a timeout or a 5xx.
var maybeApplied = map[string]bool{"fatal_error": true, "internal_error": true}

// errorCode returns Slack's error code ("channel_not_found") or "".
func errorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// classify turns an error from a Web API call into a *cadence.SendError:
// 429 and 5xx, network failures and Slack's transient codes are
// retryable; everything else (channel_not_found, invalid_blocks, …) is
// permanent and carries Slack's code. A 429 and an explicit error code
// mean Slack did nothing (NotSent); a timeout, a reset, a 5xx or a body
// that is not Slack's leave the outcome unknown. A nil error stays nil.
func classify(method string, err error) error {
	if err == nil {
		return nil
	}
	var sendErr *cadence.SendError
	if errors.As(err, &sendErr) {
		return err
	}
	wrap := func(retryable bool, code string) *cadence.SendError {
		return &cadence.SendError{Retryable: retryable, Code: code, Err: fmt.Errorf("slack %s: %w", method, err)}
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		e := wrap(true, "ratelimited")
		e.RetryAfter, e.NotSent = rl.RetryAfter, true
		return e
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return wrap(sc.Retryable(), fmt.Sprintf("http_%d", sc.Code))
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		e := wrap(retryableCodes[se.Err], se.Err)
		e.NotSent = !maybeApplied[se.Err]
		// invalid_blocks explains itself in response_metadata.messages
		// ("[ERROR] must be less than 3001 characters [json-pointer:…]").
		if msgs := se.ResponseMetadata.Messages; len(msgs) > 0 {
			e.Err = fmt.Errorf("slack %s: %w (%s)", method, err, strings.Join(msgs, "; "))
		}
		return e
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return wrap(true, "timeout")
	}
	var ne net.Error
	var ue *url.Error
	if errors.As(err, &ne) || errors.As(err, &ue) {
		return wrap(true, "network")
	}
	// A body that is not Slack's JSON (a proxy's HTML page): transient.
	return wrap(true, "bad_response")
}

// inDoubt returns err without its NotSent mark, for a failure that comes
// after the message itself was posted.
func inDoubt(err error) error {
	var se *cadence.SendError
	if errors.As(err, &se) && se.NotSent {
		c := *se
		c.NotSent = false
		return &c
	}
	return err
}
