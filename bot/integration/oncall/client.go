// Package oncall reads who is on call now from PagerDuty (REST API v2,
// GET /oncalls) or Opsgenie (GET /v2/schedules/{id}/on-calls), for the
// rotations with a [rotations.import] table. Poller asks each on a timer
// and hands the answer, or the failure, to cadence, which keeps the last
// known on-call through outages.
package oncall

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence/ops"
)

// Provider reads the current on-call of one schedule.
type Provider interface {
	OnCall(ctx context.Context, schedule string, now time.Time) ([]ops.ImportedShift, error)
}

// APIError is a refused call: the HTTP status and the provider's message.
type APIError struct {
	Provider string
	Status   int
	Message  string
	// RetryAfter is what a 429 or 503 asked for (0: not said).
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	msg := e.Message
	switch e.Status {
	case http.StatusUnauthorized:
		msg = "the token was refused (401): check the variable named in token_env"
	case http.StatusForbidden:
		msg = "the token may not read this schedule (403)"
	case http.StatusNotFound:
		msg = "no such schedule (404): check schedule_id"
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s answered %d: %s", ops.ProviderName(e.Provider), e.Status, msg)
}

// Temporary: the provider or the path to it failed, or asked us to slow
// down; a 4xx other than 429 will not get better by trying again.
func (e *APIError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// retrier calls an API with retries where the outside system was at
// fault: 429 (waiting what Retry-After says), 5xx and network errors,
// with exponential backoff, at most Attempts calls.
type retrier struct {
	HTTP     *http.Client
	Attempts int           // default 4
	Backoff  time.Duration // first wait; default 1 s, doubled each time
	// MaxWait bounds one wait, whatever Retry-After says; default 1 min.
	MaxWait time.Duration
	// Sleep waits (tests record the waits instead); default a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (r *retrier) setSleep(f func(context.Context, time.Duration) error) { r.Sleep = f }

func (r *retrier) sleep(ctx context.Context, d time.Duration) error {
	if r.Sleep != nil {
		return r.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// do sends the request built by mk (again on each attempt) and returns
// the body of a 2xx answer. errorMessage extracts the provider's message
// from an error body.
func (r *retrier) do(ctx context.Context, provider string, mk func() (*http.Request, error), errorMessage func([]byte) string) ([]byte, error) {
	attempts := r.Attempts
	if attempts <= 0 {
		attempts = 4
	}
	wait := r.Backoff
	if wait <= 0 {
		wait = time.Second
	}
	maxWait := r.MaxWait
	if maxWait <= 0 {
		maxWait = time.Minute
	}
	hc := r.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	var last error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			d := wait << (i - 1)
			var ae *APIError
			if errors.As(last, &ae) && ae.RetryAfter > 0 {
				d = ae.RetryAfter
			}
			if err := r.sleep(ctx, min(d, maxWait)); err != nil {
				return nil, fmt.Errorf("%w (giving up: %v)", last, err)
			}
		}
		req, err := mk()
		if err != nil {
			return nil, err
		}
		body, err := r.once(hc, req, provider, errorMessage)
		if err == nil {
			return body, nil
		}
		last = err
		var ae *APIError
		if errors.As(err, &ae) && !ae.Temporary() {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w (after %d attempts)", last, attempts)
}

func (r *retrier) once(hc *http.Client, req *http.Request, provider string, errorMessage func([]byte) string) ([]byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		// The URL is ours (no secret in it); the token is in a header.
		return nil, fmt.Errorf("%s unreachable: %w", ops.ProviderName(provider), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", ops.ProviderName(provider), err)
	}
	if resp.StatusCode/100 == 2 {
		return body, nil
	}
	ae := &APIError{Provider: provider, Status: resp.StatusCode, Message: errorMessage(body)}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && s >= 0 {
			ae.RetryAfter = time.Duration(s) * time.Second
		} else if t, err := http.ParseTime(ra); err == nil {
			ae.RetryAfter = max(time.Until(t), 0)
		}
	}
	return nil, ae
}

// clip keeps a provider's message short in logs and chat.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
