package slack

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// fatalAuthCodes end Socket Mode: retrying cannot help.
var fatalAuthCodes = map[string]bool{"invalid_auth": true, "account_inactive": true, "not_authed": true, "token_revoked": true, "not_allowed_token_type": true}

// startSocketMode connects to Slack over a websocket and serves envelopes
// until ctx ends. slack-go reconnects on disconnect (refresh, warning)
// and on network failures. It returns once the first connection is up,
// with an error if Slack refuses the app token, or after startTimeout
// (then it keeps trying in the background).
func (a *Adapter) startSocketMode(ctx context.Context) error {
	api := slack.New(a.cfg.BotToken,
		slack.OptionAPIURL(a.cfg.APIURL),
		slack.OptionHTTPClient(a.opts.httpClient),
		slack.OptionAppLevelToken(a.cfg.AppToken),
	)
	smc := socketmode.New(api, socketmode.OptionPingInterval(a.opts.pingInterval))
	fatal := make(chan error, 1)
	go func() { fatal <- a.runSocket(ctx, smc) }()
	go a.serveSocket(ctx, smc)

	timer := time.NewTimer(a.opts.startTimeout)
	defer timer.Stop()
	select {
	case <-a.connected:
		return nil
	case err := <-fatal:
		return err
	case <-timer.C:
		a.log.Warn().Dur("waited", a.opts.startTimeout).Msg("socket mode not connected yet; still trying in the background")
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// runSocket keeps Socket Mode running. slack-go's RunContext returns only
// when ctx ends or Slack refuses the token.
func (a *Adapter) runSocket(ctx context.Context, smc *socketmode.Client) error {
	for {
		err := smc.RunContext(ctx)
		if ctx.Err() != nil {
			return nil
		}
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
		a.log.Warn().Err(err).Msg("socket mode stopped; restarting")
		if RealSleep(ctx, time.Second) != nil {
			return nil
		}
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
		a.connOnce.Do(func() { close(a.connected) })
	case socketmode.EventTypeConnectionError:
		log.Warn().Interface("error", evt.Data).Msg("socket mode connection failed; retrying")
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
		a.ack(ctx, smc, evt.Request, nil)
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return
		}
		if evt.Request.RetryAttempt > 0 {
			log.Debug().Int("retry_attempt", evt.Request.RetryAttempt).Str("retry_reason", evt.Request.RetryReason).Msg("redelivered envelope")
		}
		a.background(func(ctx context.Context) { a.processEvent(ctx, ev) })
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
