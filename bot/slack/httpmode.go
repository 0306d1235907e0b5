package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

const (
	// replayWindow is how old a signed request may be (Slack's advice).
	replayWindow = 5 * time.Minute
	// maxBody bounds what we read from Slack; real payloads are far
	// smaller.
	maxBody = 1 << 20
)

// HTTPHandler serves HTTP mode: Slack's Events API (…/events),
// interactivity (…/interactivity) and slash commands (…/commands). Mount
// it under a prefix such as "/slack/". Every request must carry a valid
// signature made with the signing secret within the last five minutes.
func (a *Adapter) HTTPHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := a.verify(r)
		if err != nil {
			a.log.Warn().Err(err).Str("path", r.URL.Path).Str("remote", r.RemoteAddr).Msg("slack request refused")
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if !strings.HasSuffix(r.URL.Path, "/events") {
			fresh, err := a.claimSignature(r.Context(), r)
			if err != nil {
				a.log.Error().Err(err).Str("path", r.URL.Path).Msg("recording a slack request's signature failed")
				http.Error(w, "could not record the request; try again", http.StatusServiceUnavailable)
				return
			}
			if !fresh {
				a.log.Warn().Str("path", r.URL.Path).Str("remote", r.RemoteAddr).Msg("replayed slack request refused")
				http.Error(w, errReplayed.Error(), http.StatusConflict)
				return
			}
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/events"):
			a.serveEvents(w, r, body)
		case strings.HasSuffix(r.URL.Path, "/interactivity"):
			a.serveInteractivity(w, r, body)
		case strings.HasSuffix(r.URL.Path, "/commands"):
			a.serveCommand(w, r, body)
		default:
			http.NotFound(w, r)
		}
	})
}

var (
	errUnsigned  = errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp")
	errStale     = errors.New("request timestamp outside the 5-minute window (replayed or clock skew)")
	errSignature = errors.New("signature does not match")
)

// verify checks Slack's request signature (v0 = HMAC-SHA256 of
// "v0:timestamp:body") against the signing secret, and the timestamp
// against the injected clock, and returns the body.
func (a *Adapter) verify(r *http.Request) ([]byte, error) {
	if a.cfg.SigningSecret == "" {
		return nil, fmt.Errorf("HTTP mode is off: %s is not set", EnvSigningSecret)
	}
	sig, ts := r.Header.Get("X-Slack-Signature"), r.Header.Get("X-Slack-Request-Timestamp")
	if sig == "" || ts == "" {
		return nil, errUnsigned
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("X-Slack-Request-Timestamp %q is not a unix time", ts)
	}
	if d := a.clock.Now().Sub(time.Unix(sec, 0)); d > replayWindow || d < -replayWindow {
		return nil, errStale
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	mac := hmac.New(sha256.New, []byte(a.cfg.SigningSecret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	want := "v0=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return nil, errSignature
	}
	return body, nil
}

func (a *Adapter) badRequest(w http.ResponseWriter, r *http.Request, err error) {
	a.log.Warn().Err(err).Str("path", r.URL.Path).Msg("malformed slack payload")
	http.Error(w, "malformed payload", http.StatusBadRequest)
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		a.badRequest(w, r, err)
		return
	}
	switch ev.Type {
	case slackevents.URLVerification:
		ch, _ := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if ch == nil {
			a.badRequest(w, r, errors.New("url_verification without a challenge"))
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, ch.Challenge)
		return
	case slackevents.CallbackEvent:
		if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
			a.log.Debug().Str("retry_num", n).Str("retry_reason", r.Header.Get("X-Slack-Retry-Reason")).Msg("redelivered event")
		}
		// Answer within Slack's 3 s; the work runs after.
		a.background(func(ctx context.Context) { a.processEvent(ctx, ev) })
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveInteractivity(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		a.badRequest(w, r, fmt.Errorf("want a form with a payload field: %v", err))
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		a.badRequest(w, r, fmt.Errorf("payload: %w", err))
		return
	}
	if interactionIsSync(&cb) {
		resp := a.handleViewSubmission(r.Context(), &cb)
		if resp == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		writeJSON(w, resp)
		return
	}
	if cb.Type == slack.InteractionTypeBlockActions {
		a.background(func(ctx context.Context) { a.handleBlockActions(ctx, &cb) })
	}
	if isShortcut(&cb) {
		a.background(func(ctx context.Context) { a.handleShortcut(ctx, &cb) })
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	// slack.SlashCommandParse reads the form from the request; give it
	// the body we already verified.
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	cmd, err := slack.SlashCommandParse(req)
	if err != nil || cmd.UserID == "" {
		a.badRequest(w, r, fmt.Errorf("slash command: user_id missing or bad form: %v", err))
		return
	}
	msg := a.handleCommand(r.Context(), cmd)
	if msg == nil { // a modal opened: nothing to say in the channel
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, msg)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
