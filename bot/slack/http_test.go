package slack_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// httpEnv serves the adapter's HTTP mode on a real server under /slack/.
func httpEnv(t *testing.T) (*env, string) {
	e := newEnv(t, httpMode)
	e.start()
	mux := http.NewServeMux()
	mux.Handle("/slack/", e.a.HTTPHandler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return e, srv.URL + "/slack/"
}

func sign(key string, ts int64, body string) string {
	mac := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(mac, "v0:%d:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

type signedReq struct {
	path, body, contentType string
	key                     string
	at                      time.Time
	headers                 map[string]string
	unsigned                bool
}

func do(t *testing.T, base string, r signedReq) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+r.path, strings.NewReader(r.body))
	require.NoError(t, err)
	if r.contentType == "" {
		r.contentType = "application/json"
	}
	req.Header.Set("Content-Type", r.contentType)
	if !r.unsigned {
		if r.key == "" {
			r.key = secret
		}
		req.Header.Set("X-Slack-Request-Timestamp", fmt.Sprint(r.at.Unix()))
		req.Header.Set("X-Slack-Signature", sign(r.key, r.at.Unix(), r.body))
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func jsonString(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func form(t testing.TB, payload any) string {
	return url.Values{"payload": {jsonString(t, payload)}}.Encode()
}

func TestHTTPModeRejectsForgedAndReplayedRequests(t *testing.T) {
	e, base := httpEnv(t)
	body := jsonString(t, homeOpened(t, "Ev0HTTP1", uAna))
	now := e.clock.Now()
	tests := []struct {
		name string
		req  signedReq
		code int
		want string
	}{
		{"unsigned", signedReq{path: "events", body: body, unsigned: true}, 401, "missing X-Slack-Signature"},
		{"forged with another secret", signedReq{path: "events", body: body, key: "not-the-secret", at: now}, 401, "signature does not match"},
		{"body changed after signing", signedReq{path: "events", body: body, at: now,
			headers: map[string]string{"X-Slack-Signature": sign(secret, now.Unix(), body+" ")}}, 401, "signature does not match"},
		{"replayed after 6 minutes", signedReq{path: "events", body: body, at: now.Add(-6 * time.Minute)}, 401, "outside the 5-minute window"},
		{"from the future", signedReq{path: "events", body: body, at: now.Add(6 * time.Minute)}, 401, "outside the 5-minute window"},
		{"timestamp not a number", signedReq{path: "events", body: body, at: now,
			headers: map[string]string{"X-Slack-Request-Timestamp": "yesterday"}}, 401, "not a unix time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, resp := do(t, base, tt.req)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, resp, tt.want)
		})
	}
	e.a.Wait()
	assert.Zero(t, e.fake.Calls("views.publish"), "nothing refused was acted on")

	// Within the window it is accepted (4 minutes old).
	code, _ := do(t, base, signedReq{path: "events", body: body, at: now.Add(-4 * time.Minute)})
	assert.Equal(t, 200, code)
	eventually(t, "the home tab", func() bool { return e.fake.Calls("views.publish") == 1 })
}

func TestHTTPModeMalformedPayloadsGet400(t *testing.T) {
	e, base := httpEnv(t)
	now := e.clock.Now()
	tests := []struct {
		name string
		req  signedReq
	}{
		{"events: not JSON", signedReq{path: "events", body: "{{{"}},
		{"events: wrong shape", signedReq{path: "events", body: `{"type":"event_callback","event":"nope"}`}},
		{"interactivity: no payload", signedReq{path: "interactivity", body: "foo=bar", contentType: "application/x-www-form-urlencoded"}},
		{"interactivity: payload not JSON", signedReq{path: "interactivity", body: "payload=%7Bnope", contentType: "application/x-www-form-urlencoded"}},
		{"commands: no user", signedReq{path: "commands", body: "command=%2Fcadence&text=help", contentType: "application/x-www-form-urlencoded"}},
		{"commands: bad form", signedReq{path: "commands", body: "%zz", contentType: "application/x-www-form-urlencoded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.at = now
			code, _ := do(t, base, tt.req)
			assert.Equal(t, http.StatusBadRequest, code)
		})
	}
	assert.Contains(t, e.logs.String(), "malformed slack payload")
	code, _ := do(t, base, signedReq{path: "nowhere", body: "{}", at: now})
	assert.Equal(t, http.StatusNotFound, code)
}

func TestHTTPModeEventsDedupeRetriesAndAnswerChallenge(t *testing.T) {
	e, base := httpEnv(t)
	now := e.clock.Now()
	code, resp := do(t, base, signedReq{path: "events", at: now, body: `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`})
	assert.Equal(t, 200, code)
	assert.Equal(t, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", resp)

	body := jsonString(t, homeOpened(t, "Ev0HTTP2", uBo))
	for i := 0; i < 3; i++ { // the first delivery and two retries
		h := map[string]string{}
		if i > 0 {
			h = map[string]string{"X-Slack-Retry-Num": fmt.Sprint(i), "X-Slack-Retry-Reason": "http_timeout"}
		}
		code, _ := do(t, base, signedReq{path: "events", body: body, at: now, headers: h})
		assert.Equal(t, 200, code)
		e.a.Wait()
	}
	assert.Equal(t, 1, e.fake.Calls("views.publish"), "retries of one event_id are handled once")
}

func TestHTTPModeInteractivityAndCommands(t *testing.T) {
	e, base := httpEnv(t)
	now := e.clock.Now()
	sub := viewSubmission(t, uAna, occOpen, map[string]string{"yesterday": "", "today": "x"})
	code, resp := do(t, base, signedReq{path: "interactivity", body: form(t, sub), at: now, contentType: "application/x-www-form-urlencoded"})
	assert.Equal(t, 200, code)
	assert.JSONEq(t, `{"response_action":"errors","errors":{"q_yesterday":"this question needs an answer"}}`, resp)

	sub = viewSubmission(t, uAna, occOpen, map[string]string{"yesterday": "a", "today": "b"})
	code, resp = do(t, base, signedReq{path: "interactivity", body: form(t, sub), at: now, contentType: "application/x-www-form-urlencoded"})
	assert.Equal(t, 200, code)
	assert.Empty(t, resp)
	require.NotNil(t, e.svc.answer(occOpen, "ana"))

	ref, err := e.a.Send(e.ctx(), prompt("occ/standup/prompt/ana", "ana", occOpen), cadenceRef())
	require.NoError(t, err)
	click := blockAction(t, uAna, "answer", occOpen, ref.Channel, ref.ID, e.fake.NewTrigger(uAna))
	code, _ = do(t, base, signedReq{path: "interactivity", body: form(t, click), at: now, contentType: "application/x-www-form-urlencoded"})
	assert.Equal(t, 200, code)
	eventually(t, "the modal", func() bool { return len(e.fake.OpenedViews()) == 1 })

	cmd := url.Values{}
	for k, v := range slashCommand(t, uLea, "resume standup") {
		cmd.Set(k, fmt.Sprint(v))
	}
	code, resp = do(t, base, signedReq{path: "commands", body: cmd.Encode(), at: now, contentType: "application/x-www-form-urlencoded"})
	assert.Equal(t, 200, code)
	assert.Contains(t, resp, "Resumed Daily standup")
	assert.Contains(t, resp, `"response_type":"ephemeral"`)
}
