package slack_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
)

// DM channels of the fake workspace (the fake names them D + user ID).
const (
	dmAna      = "D0ANA0001"
	dmStranger = "D0STRANGE"
	uStranger  = "U0STRANGE"
)

const mention = "<@" + slacktest.BotUser + ">"

// appMention is an app_mention event on Slack's recorded sample.
func appMention(t testing.TB, eventID, user, channel, threadTS, ts, text string) map[string]any {
	return sample(t, "AppMentionPayload.json", map[string]any{
		"type": "event_callback", "event_id": eventID, "event_time": 1764491400, "team_id": slacktest.TeamID,
		"api_app_id": slacktest.AppID, "event.user": user, "event.channel": channel, "event.text": text,
		"event.ts": ts, "event.event_ts": ts, "event.thread_ts": threadTS, "event.team": slacktest.TeamID,
	})
}

// withEvent sets fields of a payload's inner event (bot_id, subtype…).
func withEvent(p map[string]any, set map[string]any) map[string]any {
	ev := p["event"].(map[string]any)
	for k, v := range set {
		ev[k] = v
	}
	return p
}

func typedEnv(t *testing.T, opts ...envOption) *env {
	e := newEnv(t, opts...)
	e.fake.AddUser(slacktest.User{ID: uStranger, Name: "stranger"})
	e.fake.AddChannel(slacktest.Channel{ID: dmAna, IM: true, User: uAna, BotMember: true, Private: true})
	e.fake.AddChannel(slacktest.Channel{ID: dmStranger, IM: true, User: uStranger, BotMember: true, Private: true})
	e.start()
	return e
}

// botReplies returns the bot's messages in channel posted after ts, in
// the given thread ("" for the top level).
func (e *env) botReplies(channel, thread, after string) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range e.fake.Messages(channel) {
		if m.BotID == slacktest.BotID && m.ThreadTS == thread && m.TS > after {
			out = append(out, m)
		}
	}
	return out
}

// waitReply waits for the bot's reply to the message ts and returns it.
func (e *env) waitReply(channel, thread, after string) slacktest.Message {
	e.t.Helper()
	eventually(e.t, "the reply in "+channel+" after "+after, func() bool { return len(e.botReplies(channel, thread, after)) > 0 })
	return e.botReplies(channel, thread, after)[0]
}

// handled reports whether the adapter finished with an event: handled
// event IDs are recorded for dedupe once their handler returned.
func (e *env) handled(eventID string) bool {
	found := false
	err := e.store.View(context.Background(), func(tx cadence.Tx) error {
		_, err := tx.Get("slack.events", eventID)
		found = err == nil
		if errors.Is(err, cadence.ErrNotFound) {
			return nil
		}
		return err
	})
	require.NoError(e.t, err)
	return found
}

func TestMentionIsAnsweredInItsThread(t *testing.T) {
	e := typedEnv(t)
	tests := []struct {
		name, user, text string
		inThread         bool
		want             []string
	}{
		{"status in the zone of the Slack profile", uBo, mention + " status", false,
			[]string{"Your cadence", "Daily standup — closes Mon 30 Nov 13:30 CET"}},
		{"lead pauses", uLea, "<@" + slacktest.BotUser + "|cadencebot> pause standup", false, []string{"Paused Daily standup"}},
		{"specialist is refused", uAna, mention + " pause standup", false, []string{"only leads and admins can pause"}},
		{"mention inside a thread", uAna, mention + "\nhelp", true, []string{"cadencebot commands", "skip RITUAL [reason]"}},
		{"unknown word gets the help", uAna, mention + " dance", false, []string{`I don't know the command "dance"`, "status"}},
		{"not on the roster", uStranger, mention + " status", false, []string{"not on the cadencebot roster"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := ""
			if tt.inThread {
				parent = e.fake.PostAsUser(cOther, uLea, "", "release train for Thursday")
			}
			ts := e.fake.PostAsUser(cOther, tt.user, parent, tt.text)
			e.ack(e.fake.Send("events_api", appMention(t, "Ev0MENT"+itoa(i), tt.user, cOther, parent, ts, tt.text)))
			thread := ts
			if tt.inThread {
				thread = parent
			}
			reply := e.waitReply(cOther, thread, ts)
			for _, w := range tt.want {
				assert.Contains(t, reply.Text, w)
			}
			assert.Empty(t, reply.Metadata, "a reply is not an outbox message")
			assert.Empty(t, e.botReplies(cOther, "", ts), "nothing at the channel's top level")
		})
	}
	assert.Empty(t, e.fake.Ephemerals())
}

func TestDirectMessageIsACommand(t *testing.T) {
	e := typedEnv(t)

	// A plain DM: the reply comes in the DM, not in a thread.
	ts := e.fake.PostAsUser(dmAna, uAna, "", "help")
	e.ack(e.fake.Send("events_api", messageEvent(t, "Ev0DM1", uAna, dmAna, "", ts, "help")))
	help := e.waitReply(dmAna, "", ts)
	assert.Contains(t, help.Text, "cadencebot commands")
	assert.Contains(t, help.Text, "ooo FROM TO [note]")
	assert.NotEmpty(t, help.Blocks)

	// A reply in the thread of that help (not a prompt) is a command too,
	// answered in that thread.
	ts = e.fake.PostAsUser(dmAna, uAna, help.TS, "status")
	e.ack(e.fake.Send("events_api", messageEvent(t, "Ev0DM2", uAna, dmAna, help.TS, ts, "status")))
	assert.Contains(t, e.waitReply(dmAna, help.TS, ts).Text, "Daily standup — closes Mon 30 Nov 14:30 EET")

	// Typing the mention in the DM: Slack sends message.im and app_mention;
	// one reply, to the command without the mention.
	text := mention + " pause standup"
	ts = e.fake.PostAsUser(dmAna, uAna, "", text)
	e.ack(e.fake.Send("events_api", appMention(t, "Ev0DM3", uAna, dmAna, "", ts, text)))
	e.ack(e.fake.Send("events_api", messageEvent(t, "Ev0DM4", uAna, dmAna, "", ts, text)))
	assert.Contains(t, e.waitReply(dmAna, "", ts).Text, "only leads and admins can pause")
	eventually(t, "both events handled", func() bool { return e.handled("Ev0DM3") && e.handled("Ev0DM4") })
	var replies int
	for _, m := range e.fake.Messages(dmAna) {
		if m.BotID == slacktest.BotID && m.TS > ts {
			replies++
		}
	}
	assert.Equal(t, 1, replies, "one reply, at the top level or in a thread")

	// Someone not on the roster is told so.
	ts = e.fake.PostAsUser(dmStranger, uStranger, "", "status")
	e.ack(e.fake.Send("events_api", messageEvent(t, "Ev0DM5", uStranger, dmStranger, "", ts, "status")))
	assert.Contains(t, e.waitReply(dmStranger, "", ts).Text, "not on the cadencebot roster")
	assert.Empty(t, e.fake.Ephemerals())
}

func TestThreadReplyToPromptIsStillAnAnswer(t *testing.T) {
	e := typedEnv(t)
	p := prompt("occ/oneq/prompt/ana", "ana", occOne)
	p.RitualID = "oneq"
	ref, err := e.a.Send(e.ctx(), p, cadence.Ref{})
	require.NoError(t, err)
	require.Equal(t, dmAna, ref.Channel)

	ts := e.fake.PostAsUser(ref.Channel, uAna, ref.ID, "status")
	e.ack(e.fake.Send("events_api", messageEvent(t, "Ev0ANS1", uAna, ref.Channel, ref.ID, ts, "status")))
	eventually(t, "the event handled", func() bool { return e.handled("Ev0ANS1") })
	got := e.svc.answer(occOne, "ana")
	require.NotNil(t, got, "a reply to a prompt is an answer, whatever it says")
	assert.Equal(t, "status", got.Text("releases"))
	assert.Equal(t, "slack-thread", got.Via)
	assert.Empty(t, e.botReplies(ref.Channel, ref.ID, ""), "and is not run as a command")
}

func TestRedeliveredMentionIsAnsweredOnce(t *testing.T) {
	e := typedEnv(t)
	text := mention + " status"
	ts := e.fake.PostAsUser(cOther, uAna, "", text)
	env := e.fake.Send("events_api", appMention(t, "Ev0MENTR", uAna, cOther, "", ts, text))
	e.ack(env)
	e.waitReply(cOther, ts, ts)

	// The ack was late for Slack: the same envelope, retry_attempt 1.
	e.fake.Redeliver(env)
	e.ack(env)
	eventually(t, "the redelivery dropped", func() bool {
		return containsAll(e.logs.String(), `"retry_attempt":1`, `"event_id":"Ev0MENTR","message":"duplicate delivery dropped"`)
	})
	assert.Len(t, e.botReplies(cOther, ts, ts), 1)
	assert.Equal(t, 1, e.fake.Calls("chat.postMessage"))
}

func TestMentionOverHTTPModeIsAnsweredOnceDespiteRetries(t *testing.T) {
	e, base := httpEnv(t)
	e.fake.AddChannel(slacktest.Channel{ID: dmAna, IM: true, User: uAna, BotMember: true, Private: true})
	text := mention + " status"
	ts := e.fake.PostAsUser(cOther, uBo, "", text)
	body := jsonString(t, appMention(t, "Ev0HTTPM", uBo, cOther, "", ts, text))
	for i := range 2 {
		h := map[string]string{}
		if i > 0 {
			h = map[string]string{"X-Slack-Retry-Num": fmt.Sprint(i), "X-Slack-Retry-Reason": "http_timeout"}
		}
		code, _ := do(t, base, signedReq{path: "events", body: body, at: e.clock.Now(), headers: h})
		require.Equal(t, 200, code)
	}
	assert.Contains(t, e.waitReply(cOther, ts, ts).Text, "13:30 CET")

	dm := e.fake.PostAsUser(dmAna, uAna, "", "help")
	code, _ := do(t, base, signedReq{path: "events", at: e.clock.Now(),
		body: jsonString(t, messageEvent(t, "Ev0HTTPD", uAna, dmAna, "", dm, "help"))})
	require.Equal(t, 200, code)
	assert.Contains(t, e.waitReply(dmAna, "", dm).Text, "cadencebot commands")
	eventually(t, "the retry dropped", func() bool {
		return containsAll(e.logs.String(), `"event_id":"Ev0HTTPM","message":"duplicate delivery dropped"`)
	})
	assert.Len(t, e.botReplies(cOther, ts, ts), 1)
}

func TestMessagesFromBotsAreIgnored(t *testing.T) {
	e := typedEnv(t)
	ts := e.fake.PostAsUser(dmAna, uAna, "", "x")
	events := []struct {
		id      string
		payload map[string]any
	}{
		{"Ev0BOT1", withEvent(messageEvent(t, "Ev0BOT1", "", dmAna, "", ts, "status"),
			map[string]any{"subtype": "bot_message", "bot_id": "B0OTHER01"})},
		{"Ev0BOT2", withEvent(messageEvent(t, "Ev0BOT2", "U0OTHERBOT", dmAna, "", ts, "help"),
			map[string]any{"bot_id": "B0OTHER01"})},
		// Our own replies come back as message.im events.
		{"Ev0BOT3", withEvent(messageEvent(t, "Ev0BOT3", slacktest.BotUser, dmAna, "", ts, "cadencebot commands"),
			map[string]any{"bot_id": slacktest.BotID})},
		{"Ev0BOT4", withEvent(messageEvent(t, "Ev0BOT4", uAna, dmAna, "", ts, "status"),
			map[string]any{"subtype": "message_changed"})},
		{"Ev0BOT5", withEvent(appMention(t, "Ev0BOT5", "U0OTHERBOT", cOther, "", ts, mention+" status"),
			map[string]any{"bot_id": "B0OTHER01"})},
		{"Ev0BOT6", withEvent(messageEvent(t, "Ev0BOT6", uAna, cOther, "", ts, "status"),
			map[string]any{"channel_type": "channel"})},
	}
	for _, ev := range events {
		e.ack(e.fake.Send("events_api", ev.payload))
	}
	for _, ev := range events {
		eventually(t, ev.id+" handled", func() bool { return e.handled(ev.id) })
	}
	assert.Zero(t, e.fake.Calls("chat.postMessage"))
	assert.Zero(t, e.fake.Calls("chat.postEphemeral"))
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
