package slack

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/cadence"
)

// lookupPages bounds the history scanned for one message: 5 pages of 200
// cover far more than the minutes between a send and a crash.
const (
	lookupPages    = 5
	lookupPageSize = 200
)

// unreadable are the answers of conversations.history and .replies that
// mean "you cannot read here", not "try again".
var unreadable = map[string]bool{"not_in_channel": true, "missing_scope": true, "channel_not_found": true}

// Lookup implements cadence.Reconciler: it searches the conversation the
// message would be in, from shortly before it was created, for a message
// whose metadata carries its key. The dispatcher calls it for messages
// left "sending" by a crash, so nothing is posted twice.
func (a *Adapter) Lookup(ctx context.Context, m *cadence.Message, thread cadence.Ref) (cadence.Ref, bool, error) {
	channel := thread.Channel
	switch {
	case !thread.IsZero():
	case m.To.Person != "":
		u, err := a.userFor(ctx, m.To.Person)
		if err != nil {
			return cadence.Ref{}, false, err
		}
		if channel, err = a.dmChannel(ctx, u); err != nil {
			return cadence.Ref{}, false, err
		}
	default:
		var err error
		if channel, err = a.channelID(ctx, m.To.Channel); err != nil {
			return cadence.Ref{}, false, err
		}
	}
	oldest := ""
	if !m.CreatedAt.IsZero() {
		t := m.CreatedAt.Add(-a.opts.lookupWindow)
		oldest = fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
	}
	cursor := ""
	for page := 0; page < lookupPages; page++ {
		var msgs []slack.Message
		var err error
		if thread.IsZero() {
			msgs, cursor, err = a.history(ctx, channel, oldest, cursor)
		} else {
			msgs, cursor, err = a.replies(ctx, channel, thread.ID, oldest, cursor)
		}
		if unreadable[codeOf(err)] {
			// The bot cannot read this conversation (not a member yet,
			// no history scope). Without membership the earlier attempt
			// most likely could not post either; a rare duplicate (with
			// chat:write.public) beats a lost agenda. "Not found" lets the
			// normal join-then-post path run.
			a.log.Warn().Str("key", m.Key).Str("channel", channel).Str("code", codeOf(err)).
				Msg("cannot read the conversation to look the message up; sending it")
			return cadence.Ref{}, false, nil
		}
		if err != nil {
			return cadence.Ref{}, false, err
		}
		for _, msg := range msgs {
			if isPart(msg.Metadata, m.Key, 1) {
				ref := cadence.Ref{Channel: channel, ID: msg.Timestamp}
				if m.Kind == cadence.KindPrompt || m.Kind == cadence.KindReminder {
					a.rememberPrompt(ctx, ref, m)
				}
				if err := a.shareImage(ctx, m, channel); err != nil {
					return cadence.Ref{}, false, err
				}
				return ref, true, nil
			}
		}
		if cursor == "" {
			break
		}
	}
	return cadence.Ref{}, false, nil
}

func (a *Adapter) history(ctx context.Context, channel, oldest, cursor string) ([]slack.Message, string, error) {
	var resp *slack.GetConversationHistoryResponse
	err := a.call(ctx, "conversations.history", "", func() (err error) {
		resp, err = a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: channel, Oldest: oldest, Cursor: cursor, Limit: lookupPageSize, IncludeAllMetadata: true,
		})
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return resp.Messages, resp.ResponseMetaData.NextCursor, nil
}

func (a *Adapter) replies(ctx context.Context, channel, ts, oldest, cursor string) ([]slack.Message, string, error) {
	var msgs []slack.Message
	var next string
	err := a.call(ctx, "conversations.replies", "", func() (err error) {
		msgs, _, next, err = a.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: ts, Oldest: oldest, Cursor: cursor, Limit: lookupPageSize, IncludeAllMetadata: true,
		})
		return err
	})
	return msgs, next, err
}

// isPart reports whether metadata tags part `part` of the message key.
// Messages from before parts were numbered count as part 1.
func isPart(md slack.SlackMetadata, key string, part int) bool {
	if md.EventType != metadataEventType || md.EventPayload["key"] != key {
		return false
	}
	switch p := md.EventPayload["part"].(type) {
	case nil:
		return part == 1
	case float64:
		return int(p) == part
	}
	return false
}
