package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// fatalAuthCodes end Socket Mode: retrying cannot help.
var fatalAuthCodes = map[string]bool{"invalid_auth": true, "account_inactive": true, "not_authed": true, "token_revoked": true, "not_allowed_token_type": true}

// startSocketMode connects to Slack over a websocket and serves envelopes
// until ctx ends, reconnecting whenever the connection ends (runSocket).
// It returns at the first answer: connected, or the first attempt failed
// (then it keeps trying in the background), or with an error if Slack
// refuses the app token; at the latest after startTimeout, so scheduling
// and readiness never wait long for Socket Mode.
func (a *Adapter) startSocketMode(ctx context.Context) error {
	hc := *a.opts.httpClient
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = &openGate{next: next, clock: a.clock, a: a}
	api := slack.New(a.cfg.BotToken,
		slack.OptionAPIURL(a.cfg.APIURL),
		slack.OptionHTTPClient(&hc),
		slack.OptionAppLevelToken(a.cfg.AppToken),
	)
	smc := socketmode.New(api, socketmode.OptionPingInterval(a.opts.pingInterval))
	a.sock.mu.Lock()
	a.sock.failed = make(chan struct{})
	failed := a.sock.failed
	a.sock.mu.Unlock()
	fatal := make(chan error, 1)
	a.loops.Add(2)
	go func() { defer a.loops.Done(); fatal <- a.runSocket(ctx, smc) }()
	go func() { defer a.loops.Done(); a.serveSocket(ctx, smc) }()

	timer := time.NewTimer(a.opts.startTimeout)
	defer timer.Stop()
	select {
	case <-a.connected:
		return nil
	case err := <-fatal:
		return err
	case <-failed:
		a.log.Warn().Msg("socket mode not connected yet; still trying in the background")
		return nil
	case <-timer.C:
		a.log.Warn().Dur("waited", a.opts.startTimeout).Msg("socket mode not connected yet; still trying in the background")
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// runSocket keeps Socket Mode running. slack-go's RunContext reconnects
// by itself after a disconnect, but backs off to 5 minutes when a
// connection attempt fails; so the first failure (a ConnectionError
// event) ends its run and this loop waits instead: reconnectDelay, or
// longer when Slack's Retry-After or the apps.connections.open window
// asks for it. It returns when ctx ends, or with an error when Slack
// refuses the app token.
func (a *Adapter) runSocket(ctx context.Context, smc *socketmode.Client) error {
	attempt := 0
	for {
		run, cancel := context.WithCancel(ctx)
		a.sock.mu.Lock()
		a.sock.cancel = cancel
		a.sock.mu.Unlock()
		err := smc.RunContext(run)
		cancel()
		a.sock.mu.Lock()
		a.sock.up = false
		hint := a.sock.hint
		a.sock.hint = 0
		if a.sock.reset {
			attempt, a.sock.reset = 0, false
		}
		a.sock.mu.Unlock()
		if ctx.Err() != nil {
			return nil
		}
		// RunContext always returns an error: the dial that failed, or why
		// the connection ended.
		if !errors.Is(err, context.Canceled) {
			if fatalAuthCodes[err.Error()] || fatalAuthCodes[errorCode(err)] {
				err = refused("slack refused %s (%v): check the app-level token and that Socket Mode is enabled", EnvAppToken, err)
				a.log.Error().Err(err).Msg("socket mode stopped")
				return err
			}
			var sc slack.StatusCodeError
			if errors.As(err, &sc) && sc.Code == 404 {
				err = refused("slack refused %s (HTTP 404 from apps.connections.open): is Socket Mode enabled for the app?", EnvAppToken)
				a.log.Error().Err(err).Msg("socket mode stopped")
				return err
			}
		}
		wait := max(reconnectDelay(attempt), hint)
		attempt++
		a.log.Info().Int("attempt", attempt).Dur("retry_in", wait).Msg("socket mode reconnecting")
		if a.opts.sleep(ctx, wait) != nil {
			return nil
		}
	}
}

// connectionFailed ends slack-go's run after a failed connection
// attempt, keeping any wait Slack (429) or the open gate asked for.
func (a *Adapter) connectionFailed(ev *slack.ConnectionErrorEvent) {
	var hint time.Duration
	var rl *slack.RateLimitedError
	var gated errOpenThrottled
	switch {
	case ev == nil:
	case errors.As(ev.ErrorObj, &rl):
		hint = rl.RetryAfter
	case errors.As(ev.ErrorObj, &gated):
		hint = gated.wait
	}
	a.sock.mu.Lock()
	defer a.sock.mu.Unlock()
	a.sock.up = false
	a.sock.hint = max(a.sock.hint, hint)
	if a.sock.cancel != nil {
		a.sock.cancel()
	}
	if a.sock.failed != nil {
		a.sock.failOnce.Do(func() { close(a.sock.failed) })
	}
}

func (a *Adapter) setSocketUp(up bool) {
	a.sock.mu.Lock()
	defer a.sock.mu.Unlock()
	a.sock.up = up
	if up {
		a.sock.reset = true
	}
}

// serveSocket reads slack-go's event stream. Envelopes are acked at once
// (Slack redelivers after 3 s without an ack) and handled in the
// background, except view submissions and slash commands, whose ack
// carries our answer.
func (a *Adapter) serveSocket(ctx context.Context, smc *socketmode.Client) {
	for {
		select {
		case <-ctx.Done():
			return
		case evt := <-smc.Events:
			a.onSocketEvent(ctx, smc, evt)
		}
	}
}

func (a *Adapter) onSocketEvent(ctx context.Context, smc *socketmode.Client, evt socketmode.Event) {
	log := a.log.With().Str("transport", "socket").Logger()
	switch evt.Type {
	case socketmode.EventTypeConnected:
		n := 0
		if ce, ok := evt.Data.(*socketmode.ConnectedEvent); ok {
			n = ce.ConnectionCount
		}
		log.Info().Int("connection", n).Msg("socket mode connected")
		a.setSocketUp(true)
		a.connOnce.Do(func() { close(a.connected) })
	case socketmode.EventTypeConnecting:
		a.setSocketUp(false)
	case socketmode.EventTypeConnectionError:
		ce, _ := evt.Data.(*slack.ConnectionErrorEvent)
		if ce != nil {
			log.Warn().Err(ce.ErrorObj).Msg("socket mode connection failed")
		} else {
			log.Warn().Interface("error", evt.Data).Msg("socket mode connection failed")
		}
		a.connectionFailed(ce)
	case socketmode.EventTypeDisconnect:
		reason := ""
		if evt.Request != nil {
			reason = evt.Request.Reason
		}
		log.Info().Str("reason", reason).Msg("slack asked to reconnect")
	case socketmode.EventTypeInvalidAuth:
		log.Error().Msg("slack refused the app-level token")
	case socketmode.EventTypeErrorBadMessage:
		a.ackBadMessage(ctx, smc, evt)
	case socketmode.EventTypeIncomingError:
		log.Warn().Interface("error", evt.Data).Msg("socket mode read error")
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if ok {
			// Registered before the ack (background never blocks), so
			// whoever has seen the ack and then calls Wait waits for this
			// handler too, instead of racing its WaitGroup.Add.
			a.background(func(ctx context.Context) { a.processEvent(ctx, ev) })
		}
		a.ack(ctx, smc, evt.Request, nil)
		if ok && evt.Request.RetryAttempt > 0 {
			log.Debug().Int("retry_attempt", evt.Request.RetryAttempt).Str("retry_reason", evt.Request.RetryReason).Msg("redelivered envelope")
		}
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			a.ack(ctx, smc, evt.Request, nil)
			return
		}
		if interactionIsSync(&cb) {
			req := evt.Request
			a.background(func(ctx context.Context) {
				resp := a.handleViewSubmission(ctx, &cb)
				if resp == nil {
					a.ack(ctx, smc, req, nil)
					return
				}
				a.ack(ctx, smc, req, resp)
			})
			return
		}
		a.ack(ctx, smc, evt.Request, nil)
		if cb.Type == slack.InteractionTypeBlockActions {
			a.background(func(ctx context.Context) { a.handleBlockActions(ctx, &cb) })
		}
		if isShortcut(&cb) {
			a.background(func(ctx context.Context) { a.handleShortcut(ctx, &cb) })
		}
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			a.ack(ctx, smc, evt.Request, nil)
			return
		}
		req := evt.Request
		a.background(func(ctx context.Context) { a.ack(ctx, smc, req, a.handleCommand(ctx, cmd)) })
	}
}

// processEvent handles an Events API callback once, however many times
// Slack delivers it.
func (a *Adapter) processEvent(ctx context.Context, ev slackevents.EventsAPIEvent) {
	id := ""
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		id = cb.EventID
	}
	ok, err := a.claimEvent(ctx, id)
	if err != nil {
		a.log.Error().Err(err).Str("event_id", id).Msg("checking the event id failed")
	}
	if !ok {
		a.log.Debug().Str("event_id", id).Msg("duplicate delivery dropped")
		return
	}
	err = a.handleEvent(ctx, ev)
	if err != nil {
		a.log.Error().Err(err).Str("event_id", id).Str("type", ev.InnerEvent.Type).Msg("handling a slack event failed")
	}
	a.doneEvent(ctx, id, err == nil)
}

func (a *Adapter) ack(ctx context.Context, smc *socketmode.Client, req *socketmode.Request, payload any) {
	if req == nil || req.EnvelopeID == "" {
		return
	}
	if err := smc.AckCtx(ctx, req.EnvelopeID, payload); err != nil {
		a.log.Warn().Err(err).Str("envelope_id", req.EnvelopeID).Msg("ack failed")
	}
}

// ackBadMessage acks an envelope slack-go could not parse, so Slack does
// not redeliver a payload we will never understand.
func (a *Adapter) ackBadMessage(ctx context.Context, smc *socketmode.Client, evt socketmode.Event) {
	bad, _ := evt.Data.(*socketmode.ErrorBadMessage)
	if bad == nil {
		return
	}
	var env struct {
		EnvelopeID string `json:"envelope_id"`
		Type       string `json:"type"`
	}
	_ = json.Unmarshal(bad.Message, &env)
	a.log.Warn().Err(bad.Cause).Str("envelope_id", env.EnvelopeID).Str("type", env.Type).Msg("malformed socket mode payload dropped")
	if env.EnvelopeID != "" {
		a.ack(ctx, smc, &socketmode.Request{EnvelopeID: env.EnvelopeID}, nil)
	}
}
