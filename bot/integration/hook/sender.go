package hook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// Target is one integration's webhook.
type Target struct {
	URL    string
	Secret []byte
}

// Sender delivers release events as the outbox's ops.PlatformWebhook:
// the message is persisted before it is sent, retried with backoff while
// the receiver fails, and its key is the delivery id, so a receiver that
// sees one twice (a reply lost on the way back) can drop the copy.
type Sender struct {
	Targets map[string]Target // by integration id
	HTTP    *http.Client
	Now     func() time.Time
}

var _ cadence.Chat = (*Sender)(nil)

// Platform is ops.PlatformWebhook.
func (*Sender) Platform() string { return ops.PlatformWebhook }

// Send posts the event to the recipient integration's webhook.
func (s *Sender) Send(ctx context.Context, m *cadence.Message, _ cadence.Ref) (cadence.Ref, error) {
	t, ok := s.Targets[m.To.Channel]
	if !ok {
		return cadence.Ref{}, &cadence.SendError{Code: "no_webhook", NotSent: true,
			Err: fmt.Errorf("integration %q has no webhook_url any more", m.To.Channel)}
	}
	body := []byte(m.Body.Text)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return cadence.Ref{}, &cadence.SendError{Code: "bad_url", NotSent: true, Err: err}
	}
	ts := s.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cadencebot")
	req.Header.Set(HeaderEvent, m.Body.Title)
	req.Header.Set(HeaderDelivery, m.Key)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(t.Secret, ts, body))
	hc := s.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return cadence.Ref{}, &cadence.SendError{Retryable: true, Code: "unreachable", Err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch code := resp.StatusCode; {
	case code/100 == 2:
		return cadence.Ref{Channel: m.To.Channel, ID: m.Key}, nil
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500:
		var after time.Duration
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			after = time.Duration(secs) * time.Second
		}
		return cadence.Ref{}, &cadence.SendError{Retryable: true, RetryAfter: after, NotSent: code == http.StatusTooManyRequests,
			Code: strconv.Itoa(code), Err: fmt.Errorf("webhook of %s answered %s", m.To.Channel, resp.Status)}
	default:
		return cadence.Ref{}, &cadence.SendError{NotSent: true, Code: strconv.Itoa(code),
			Err: fmt.Errorf("webhook of %s refused the event: %s", m.To.Channel, resp.Status)}
	}
}

// Update is never needed: events are not revised. It sends again.
func (s *Sender) Update(ctx context.Context, _ cadence.Ref, m *cadence.Message) error {
	_, err := s.Send(ctx, m, cadence.Ref{})
	return err
}
