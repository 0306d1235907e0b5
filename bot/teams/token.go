package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// tokenMargin renews the bot's token this long before it expires, so a
// request never leaves with a token that dies in flight.
const tokenMargin = 5 * time.Minute

// tokenSource gets the bot's own access token with the OAuth 2.0 client
// credentials grant against the tenant's token endpoint, and caches it.
type tokenSource struct {
	cfg    Config
	client *http.Client
	clock  cadence.Clock

	mu      sync.Mutex
	token   string
	expires time.Time
}

// get returns a cached token, or fetches a new one. Errors are
// SendErrors: a refused credential is a configuration problem that no
// retry fixes quickly, but messages must not be lost over it, so it is
// retryable with a long pause.
func (ts *tokenSource) get(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := ts.clock.Now()
	if ts.token != "" && now.Before(ts.expires.Add(-tokenMargin)) {
		return ts.token, nil
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {ts.cfg.AppID},
		"client_secret": {ts.cfg.AppPassword},
		"scope":         {ts.cfg.TokenScope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", &cadence.SendError{Code: "auth_failed", Err: fmt.Errorf("token request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := ts.client.Do(req)
	if err != nil {
		return "", &cadence.SendError{Retryable: true, Code: "auth_unreachable", Err: fmt.Errorf("token endpoint %s: %w", ts.cfg.TokenURL, err)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &tr)
	if resp.StatusCode != http.StatusOK || tr.AccessToken == "" {
		// The description from Entra ID names the problem (AADSTS7000215:
		// invalid client secret, ...) and never contains the secret.
		err := fmt.Errorf("token endpoint %s refused the bot's credentials (status %d, %s: %s); check %s and %s",
			ts.cfg.TokenURL, resp.StatusCode, tr.Error, firstLine(tr.Description), EnvAppID, EnvAppPassword)
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return "", &cadence.SendError{Retryable: true, RetryAfter: retryAfter(resp.Header, now), Code: "auth_unavailable", Err: err}
		}
		return "", &cadence.SendError{Retryable: true, RetryAfter: time.Minute, Code: "auth_failed", Err: err}
	}
	if tr.ExpiresIn <= 0 {
		tr.ExpiresIn = 3600
	}
	ts.token, ts.expires = tr.AccessToken, now.Add(time.Duration(tr.ExpiresIn)*time.Second)
	return ts.token, nil
}

// invalidate drops the cached token after the connector refused it.
func (ts *tokenSource) invalidate() {
	ts.mu.Lock()
	ts.token = ""
	ts.mu.Unlock()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
