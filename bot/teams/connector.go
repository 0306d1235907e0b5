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

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
)

// connector calls the Bot Connector REST API of one service URL at a time.
type connector struct {
	client *http.Client
	tokens *tokenSource
	clock  cadence.Clock
	log    zerolog.Logger
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

// send posts an activity to a conversation (SendToConversation), or as a
// reply when replyTo is set (ReplyToActivity). The connector documents 200,
// 201 and 202 as success; a 202 may come without a body, and then the
// message arrived but its id is unknown: "" with no error.
func (c *connector) send(ctx context.Context, serviceURL, conv, replyTo string, a *Activity) (string, error) {
	path, op := activitiesPath(conv), "post a message"
	if replyTo != "" {
		path, op = path+"/"+url.PathEscape(replyTo), "reply in a thread"
	}
	var rr resourceResponse
	if err := c.do(ctx, op, http.MethodPost, serviceURL, path, a, &rr); err != nil {
		return "", err
	}
	return rr.ID, nil
}

// update replaces an activity in place (UpdateActivity).
func (c *connector) update(ctx context.Context, serviceURL, conv, id string, a *Activity) error {
	a.ID = id
	return c.do(ctx, "update a message", http.MethodPut, serviceURL, activitiesPath(conv)+"/"+url.PathEscape(id), a, nil)
}

// remove deletes an activity (surplus parts of a summary that shrank).
func (c *connector) remove(ctx context.Context, serviceURL, conv, id string) error {
	return c.do(ctx, "delete a message", http.MethodDelete, serviceURL, activitiesPath(conv)+"/"+url.PathEscape(id), nil, nil)
}

// createConversation opens (or finds: Teams returns the existing one) the
// 1:1 chat between the bot and a user.
func (c *connector) createConversation(ctx context.Context, serviceURL string, p conversationParams) (string, error) {
	var rr resourceResponse
	if err := c.do(ctx, "open a 1:1 chat", http.MethodPost, serviceURL, "/v3/conversations", p, &rr); err != nil {
		return "", err
	}
	if rr.ID == "" {
		// Accepted without saying which chat: asking again returns the
		// same one, with its id.
		return "", &cadence.SendError{Retryable: true, Code: "no_conversation_id", Err: errors.New("the Teams connector accepted opening the 1:1 chat but did not say which one; trying again")}
	}
	return rr.ID, nil
}

// do sends one authenticated JSON request and classifies failures as
// cadence.SendError. op says in words what the request does: errors are
// shown to leads, so they name the operation and Teams' answer, and the
// URL goes to the log only.
func (c *connector) do(ctx context.Context, op, method, serviceURL, path string, in, out any) error {
	token, err := c.tokens.get(ctx)
	if err != nil {
		return err
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return &cadence.SendError{Code: "bad_activity", Err: fmt.Errorf("could not encode the request to %s: %w", op, err)}
		}
		body = bytes.NewReader(b)
	}
	u := strings.TrimSuffix(serviceURL, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return &cadence.SendError{Code: "bad_request", Err: fmt.Errorf("could not build the request to %s: %w", op, err)}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		c.log.Debug().Err(err).Str("method", method).Str("url", u).Msg("teams: connector unreachable")
		return &cadence.SendError{Retryable: true, Code: "unreachable", Err: fmt.Errorf("could not reach Teams to %s; trying again", op)}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		if out != nil && len(bytes.TrimSpace(raw)) > 0 {
			if err := json.Unmarshal(raw, out); err != nil {
				c.log.Warn().Err(err).Str("method", method).Str("url", u).Msg("teams: connector reply is not JSON")
				return &cadence.SendError{Retryable: false, Code: "bad_response", Err: fmt.Errorf("the Teams connector accepted the request to %s but its answer was unreadable", op)}
			}
		}
		return nil
	}
	if resp.StatusCode == http.StatusUnauthorized {
		c.tokens.invalidate()
	}
	c.log.Debug().Str("method", method).Str("url", u).Int("status", resp.StatusCode).Bytes("body", firstBytes(raw, 512)).Msg("teams: connector refused")
	return classify(op, resp.StatusCode, resp.Header, raw, c.clock.Now())
}

func firstBytes(b []byte, n int) []byte { return b[:min(len(b), n)] }

// classify maps a connector failure to a SendError. Teams documents 429
// (throttled), 412 (precondition failed, a transient conflict), 502 and
// 504 as retryable, and asks bots to honour Retry-After; other 5xx are
// retried too. 401 is retried once the token is renewed. The rest (400,
// 403 the bot was removed or blocked, 404 no such conversation) are
// permanent.
func classify(op string, status int, h http.Header, body []byte, now time.Time) *cadence.SendError {
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
	err := &statusError{op: op, status: status, code: eb.Error.Code, msg: firstLine(eb.Error.Message)}
	// A 4xx is Teams refusing the call: nothing was posted. After a 5xx
	// the outcome is unknown.
	se := &cadence.SendError{Code: code, Err: err, RetryAfter: retryAfter(h, now), NotSent: status < 500}
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

// statusError is a connector reply that was not 2xx, in words: what the
// bot tried and what Teams answered (the URL is only logged).
type statusError struct {
	op        string
	status    int
	code, msg string
}

func (e *statusError) Error() string {
	s := "Teams refused to " + e.op
	if e.msg != "" {
		s += ": " + e.msg
	}
	s += fmt.Sprintf(" (HTTP %d", e.status)
	if e.code != "" {
		s += " " + e.code
	}
	return s + ")"
}

// httpStatus is the connector status behind err, or 0.
func httpStatus(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	return 0
}
