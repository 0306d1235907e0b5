package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/cadencebot/cadencebot/bot/slack"
)

// Retry delays of startSlack while Slack cannot be reached.
const (
	slackStartFirstRetry = time.Second
	slackStartMaxRetry   = 30 * time.Second
)

// startSlack connects to Slack, and while Slack cannot be reached keeps
// trying (1 s doubling to 30 s, with jitter) instead of stopping the bot:
// the local chat, dashboard, API and scheduler run meanwhile and Slack's
// messages wait in the outbox. Only a refusal (a bad token, Socket Mode
// off for the app) ends the bot, since no retry can fix it.
func (a *App) startSlack(ctx context.Context) error {
	wait := slackStartFirstRetry
	for {
		err := a.slack.Start(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			return nil
		case errors.Is(err, slack.ErrRefused):
			a.health.down(slack.Platform, err)
			return err
		}
		a.health.down(slack.Platform, err)
		// ±25% so many bots restarted together do not retry in step.
		d := wait - wait/4 + rand.N(wait/2+1)
		a.log.Warn().Err(err).Dur("retry_in", d).Msg("slack cannot be reached; the bot runs on and queues slack messages, and keeps trying")
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(2*wait, slackStartMaxRetry)
	}
}
