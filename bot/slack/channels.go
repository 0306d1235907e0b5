package slack

import (
	"context"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/cadence"
)

// channelIDPattern matches Slack conversation IDs (public C…, private
// G… or C…, DMs D…).
var channelIDPattern = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)

// channelID resolves a ritual's channel, given as a name ("#mlops" or
// "mlops") or an ID, to an ID. Names are looked up once with
// conversations.list and cached in the store.
func (a *Adapter) channelID(ctx context.Context, channel string) (string, error) {
	name := strings.TrimPrefix(strings.TrimSpace(channel), "#")
	if channelIDPattern.MatchString(name) {
		return name, nil
	}
	if v, ok, err := a.getKV(ctx, nsChannels, name); err != nil {
		return "", err
	} else if ok {
		return string(v), nil
	}
	found := ""
	cursor := ""
	for {
		var chans []slack.Channel
		err := a.call(ctx, "conversations.list", "", func() (err error) {
			chans, cursor, err = a.api.GetConversationsContext(ctx, &slack.GetConversationsParameters{
				Cursor: cursor, ExcludeArchived: true, Limit: 1000,
				Types: []string{"public_channel", "private_channel"},
			})
			return err
		})
		if err != nil {
			return "", err
		}
		err = a.st.Update(ctx, func(tx cadence.Tx) error {
			for _, c := range chans {
				if err := tx.Put(nsChannels, c.Name, []byte(c.ID)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return "", err
		}
		for _, c := range chans {
			if c.Name == name {
				found = c.ID
			}
		}
		if found != "" || cursor == "" {
			break
		}
	}
	if found == "" {
		return "", &cadence.SendError{Code: "channel_not_found",
			Err: simpleError("no channel named #" + name + " that the bot can see (for a private channel, invite the bot first)")}
	}
	return found, nil
}

// dmChannel returns the DM channel with a user: from the cache written
// after each prompt, or from conversations.open (used only to reconcile,
// never before posting: Slack opens the DM when we post to the user id).
func (a *Adapter) dmChannel(ctx context.Context, userID string) (string, error) {
	if v, ok, err := a.getKV(ctx, nsDMs, userID); err != nil {
		return "", err
	} else if ok {
		return string(v), nil
	}
	var ch *slack.Channel
	err := a.call(ctx, "conversations.open", "", func() (err error) {
		ch, _, _, err = a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{userID}})
		return err
	})
	if err != nil {
		return "", err
	}
	a.rememberDM(ctx, userID, ch.ID)
	return ch.ID, nil
}

func (a *Adapter) rememberDM(ctx context.Context, userID, channelID string) {
	if !strings.HasPrefix(channelID, "D") {
		return
	}
	if err := a.putKV(ctx, nsDMs, userID, []byte(channelID)); err != nil {
		a.log.Warn().Err(err).Str("slack_user", userID).Msg("caching the DM channel failed")
	}
}

// join makes the bot a member of a public channel. Private channels
// refuse (method_not_supported_for_channel_type): only a member can
// invite the bot.
func (a *Adapter) join(ctx context.Context, channelID string) error {
	return a.call(ctx, "conversations.join", "", func() error {
		_, _, _, err := a.api.JoinConversationContext(ctx, channelID)
		return err
	})
}
