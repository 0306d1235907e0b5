package slack

import (
	"context"
	"regexp"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/cadencebot/cadencebot/bot"
)

// Commands typed to the bot rather than through /cadence: "@cadencebot
// status" in a channel, or "status" in the bot's DM. They run the same
// grammar as the slash command; the reply is a plain message (no trigger
// here to open a modal, no response_url to answer ephemerally).

// onMention answers an app_mention in the thread of the mentioning
// message (or in the thread it was said in).
func (a *Adapter) onMention(ctx context.Context, ev *slackevents.AppMentionEvent) error {
	if ev.BotID != "" || ev.User == "" || ev.User == a.botUserID() {
		return nil // bots talking to bots loop
	}
	if isDM(ev.Channel) {
		return nil // the DM's message.im event carries the same text
	}
	thread := ev.ThreadTimeStamp
	if thread == "" {
		thread = ev.TimeStamp
	}
	a.runTyped(ctx, "mention", ev.User, ev.Channel, thread, ev.Text)
	return nil
}

// onDirectMessage handles a person's message in the bot's DM: a reply in
// the thread of a prompt is an answer (threadReply); anything else is a
// command, answered where it was said.
func (a *Adapter) onDirectMessage(ctx context.Context, ev *slackevents.MessageEvent) error {
	// subtype covers bot_message, edits, deletions, joins and file shares;
	// our own posts come back as message.im too.
	if ev.ChannelType != "im" || ev.SubType != "" || ev.BotID != "" || ev.User == "" || ev.User == a.botUserID() {
		return nil
	}
	thread := ""
	if ev.ThreadTimeStamp != "" && ev.ThreadTimeStamp != ev.TimeStamp {
		rec, ok, err := a.promptOf(ctx, ev.Channel, ev.ThreadTimeStamp)
		if err != nil {
			return err
		}
		if ok {
			return a.threadReply(ctx, ev, rec)
		}
		thread = ev.ThreadTimeStamp
	}
	a.runTyped(ctx, "dm", ev.User, ev.Channel, thread, ev.Text)
	return nil
}

// runTyped runs a typed command for a Slack user and posts the reply in
// channel (in thread when set). The command has run once it gets here, so
// a failed reply is logged rather than returned: a redelivery must not run
// it again.
func (a *Adapter) runTyped(ctx context.Context, via, user, channel, thread, text string) {
	log := a.log.With().Str("via", via).Str("slack_user", user).Str("channel", channel).Logger()
	text = commandText(text, a.botUserID())
	msg := &slack.Msg{Text: notOnRoster}
	if a.personFor(user) == nil {
		bot.AuditStranger(ctx, a.svc, Platform, user, via)
	}
	if person := a.personFor(user); person != nil {
		log = log.With().Str("person", person.ID).Logger()
		reply, err := bot.Run(ctx, a.svc, person, text, a.clock.Now())
		if err != nil {
			log.Error().Err(err).Str("command", text).Msg("typed command failed")
		}
		msg = replyMessage(reply)
	}
	if err := a.postReply(ctx, channel, thread, msg); err != nil {
		log.Warn().Err(err).Msg("reply to a typed command failed")
		return
	}
	log.Debug().Msg("typed command answered")
}

// postReply posts a command reply. Like ephemeral replies it answers what
// someone just did and is not a record, so it skips the outbox; it still
// takes the rate limiter's tokens.
func (a *Adapter) postReply(ctx context.Context, channel, thread string, msg *slack.Msg) error {
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false)}
	if len(msg.Blocks.BlockSet) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(msg.Blocks.BlockSet...))
	}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	return a.call(ctx, "chat.postMessage", channel, func() error {
		_, _, err := a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
}

// mentionRE matches a user mention as Slack writes it in message text:
// <@U0123> or <@U0123|name>.
var mentionRE = regexp.MustCompile(`<@([A-Z0-9]+)(\|[^>]*)?>`)

// slackUnescape undoes the three escapes Slack applies to message text.
var slackUnescape = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// commandText removes the bot's own mentions from a message and undoes
// Slack's escaping. Other people's mentions stay as <@U…>: the grammar
// resolves them through the roster (followup reassign FU-7 @bo).
func commandText(text, botUser string) string {
	text = mentionRE.ReplaceAllStringFunc(text, func(m string) string {
		if sub := mentionRE.FindStringSubmatch(m); botUser != "" && sub[1] == botUser {
			return " "
		}
		return m
	})
	return strings.TrimSpace(slackUnescape.Replace(text))
}
