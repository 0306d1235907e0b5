package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// connector calls the Bot Connector REST API of one service URL at a time.
type connector struct {
	client *http.Client
	tokens *tokenSource
	clock  cadence.Clock
}

// resourceResponse is what the connector returns for a created activity
// or conversation.
type resourceResponse struct {
	ID string `json:"id"`
}

// conversationParams creates a proactive 1:1 chat.
type conversationParams struct {
	Bot         *ChannelAccount  `json:"bot,omitempty"`
	Members     []ChannelAccount `json:"members"`
	IsGroup     bool             `json:"isGroup"`
	TenantID    string           `json:"tenantId,omitempty"`
	ChannelData *ChannelData     `json:"channelData,omitempty"`
}

func activitiesPath(conv string) string {
	return "/v3/conversations/" + url.PathEscape(conv) + "/activities"
}

// send posts an activity to a conversation, or as a reply when replyTo is set.
func (c *connector) send(ctx context.Context, serviceURL, conv, replyTo string, a *Activity) (string, error) {
	path := activitiesPath(conv)
	if replyTo != "" {
		path += "/" + url.PathEscape(replyTo)
	}
	var rr resourceResponse
	if err := c.do(ctx, http.MethodPost, serviceURL, path, a, &rr); err != nil {
		return "", err
	}
	if rr.ID == "" {
		// Teams always returns an id; without one the message could never
		// be updated, so say so instead of storing an empty reference.
		return "", &cadence.SendError{Retryable: false, Code: "no_activity_id", Err: errors.New("connector accepted the activity but returned no id")}
	}
	return rr.ID, nil
}

// update replaces an activity in place.
func (c *connector) update(ctx context.Context, serviceURL, conv, id string, a *Activity) error {
	a.ID = id
	return c.do(ctx, http.MethodPut, serviceURL, activitiesPath(conv)+"/"+url.PathEscape(id), a, nil)
}

// remove deletes an activity (surplus parts of a summary that shrank).
func (c *connector) remove(ctx context.Context, serviceURL, conv, id string) error {
	return c.do(ctx, http.MethodDelete, serviceURL, activitiesPath(conv)+"/"+url.PathEscape(id), nil, nil)
}

// createConversation opens (or finds: Teams returns the existing one) the
// 1:1 chat between the bot and a user.
func (c *connector) createConversation(ctx context.Context, serviceURL string, p conversationParams) (string, error) {
	var rr resourceResponse
	if err := c.do(ctx, http.MethodPost, serviceURL, "/v3/conversations", p, &rr); err != nil {
		return "", err
	}
	if rr.ID == "" {
		return "", &cadence.SendError{Code: "no_conversation_id", Err: errors.New("connector created a conversation but returned no id")}
	}
	return rr.ID, nil
}

// do sends one authenticated JSON request and classifies failures as
// cadence.SendError.
func (c *connector) do(ctx context.Context, method, serviceURL, path string, in, out any) error {
	token, err := c.tokens.get(ctx)
	if err != nil {
		return err
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return &cadence.SendError{Code: "bad_activity", Err: fmt.Errorf("encoding %s %s: %w", method, path, err)}
		}
		body = bytes.NewReader(b)
	}
	u := strings.TrimSuffix(serviceURL, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return &cadence.SendError{Code: "bad_request", Err: fmt.Errorf("%s %s: %w", method, u, err)}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return &cadence.SendError{Retryable: true, Code: "unreachable", Err: fmt.Errorf("%s %s: %w", method, u, err)}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		if out != nil && len(bytes.TrimSpace(raw)) > 0 {
			if err := json.Unmarshal(raw, out); err != nil {
				return &cadence.SendError{Retryable: false, Code: "bad_response", Err: fmt.Errorf("%s %s: reply is not JSON: %w", method, u, err)}
			}
		}
		return nil
	}
	if resp.StatusCode == http.StatusUnauthorized {
		c.tokens.invalidate()
	}
	return classify(method, u, resp.StatusCode, resp.Header, raw, c.clock.Now())
}

// classify maps a connector failure to a SendError. Teams documents 429
// (throttled), 412 (precondition failed, a transient conflict), 502 and
// 504 as retryable, and asks bots to honour Retry-After; other 5xx are
// retried too. 401 is retried once the token is renewed. The rest (400,
// 403 the bot was removed or blocked, 404 no such conversation) are
// permanent.
func classify(method, u string, status int, h http.Header, body []byte, now time.Time) *cadence.SendError {
	var eb struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &eb)
	code := eb.Error.Code
	if code == "" {
		code = strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	}
	err := &statusError{method: method, url: u, status: status, msg: firstLine(eb.Error.Message)}
	se := &cadence.SendError{Code: code, Err: err, RetryAfter: retryAfter(h, now)}
	switch {
	case status == http.StatusTooManyRequests:
		se.Retryable, se.Code = true, "ratelimited"
	case status == http.StatusPreconditionFailed, status == http.StatusUnauthorized, status >= 500:
		se.Retryable = true
	}
	return se
}

// retryAfter reads Retry-After in seconds or as an HTTP date; zero when
// absent or unreadable (the caller's backoff applies).
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// statusError is a connector reply that was not 2xx.
type statusError struct {
	method, url string
	status      int
	msg         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.method, e.url, e.status, e.msg)
}

// httpStatus is the connector status behind err, or 0.
func httpStatus(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	return 0
}
