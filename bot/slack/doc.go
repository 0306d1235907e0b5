// Package slack makes cadencebot a Slack app. It implements cadence.Chat
// and cadence.Reconciler on top of github.com/slack-go/slack: Block Kit
// rendering of the engine's messages, a rate limiter that matches Slack's
// published limits, and the inbound side (Socket Mode by default, or the
// Events API, interactivity and slash-command endpoints over HTTP) that
// turns clicks, modals, threaded replies, /cadence, @mentions and DMs
// into cadence.Service calls.
//
// Slack types never leave this package: the engine sees messages, refs and
// SendErrors only.
package slack
