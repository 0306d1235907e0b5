package slack_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
)

// Payloads built from Slack's recorded samples (testdata/samples).

// blockAction is a click on a prompt's button. The sample's "message"
// is replaced by the prompt itself: its blanked attachment "ts": "" is
// not a number, which slack-go (json.Number) refuses, as it would a real
// payload of that shape.
func blockAction(t testing.TB, user, actionID, value, channel, ts, trigger string) map[string]any {
	return sample(t, "BlockActionPayload.json", map[string]any{
		"message": map[string]any{"type": "message", "subtype": "bot_message", "ts": ts, "text": "Time for the standup",
			"bot_id": slacktest.BotID, "user": slacktest.BotUser},
		"user":       map[string]any{"id": user, "username": "someone", "name": "someone", "team_id": slacktest.TeamID},
		"team.id":    slacktest.TeamID,
		"trigger_id": trigger,
		"container":  map[string]any{"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false},
		"channel":    map[string]any{"id": channel, "name": "directmessage"},
		"actions": []any{map[string]any{"type": "button", "action_id": actionID, "block_id": "actions_0", "value": value,
			"text": map[string]any{"type": "plain_text", "text": "Answer", "emoji": true}, "action_ts": "1764491400.000100"}},
	})
}

func viewSubmission(t testing.TB, user, occ string, answers map[string]string) map[string]any {
	values := map[string]any{}
	for q, text := range answers {
		values["q_"+q] = map[string]any{"answer": map[string]any{"type": "plain_text_input", "value": text}}
	}
	return sample(t, "ViewSubmissionPayload.json", map[string]any{
		"user":                  map[string]any{"id": user, "username": "someone", "name": "someone", "team_id": slacktest.TeamID},
		"view.type":             "modal",
		"view.callback_id":      "cadence_answer",
		"view.private_metadata": occ,
		"view.state":            map[string]any{"values": values},
	})
}

func messageEvent(t testing.TB, eventID, user, channel, threadTS, ts, text string) map[string]any {
	return sample(t, "MessagePayload.json", map[string]any{
		"type": "event_callback", "event_id": eventID, "event_time": 1764491400, "team_id": slacktest.TeamID,
		"event": map[string]any{"type": "message", "channel_type": "im", "user": user, "channel": channel,
			"text": text, "ts": ts, "thread_ts": threadTS, "event_ts": ts, "team": slacktest.TeamID},
	})
}

func homeOpened(t testing.TB, eventID, user string) map[string]any {
	return sample(t, "AppHomeOpenedPayload.json", map[string]any{
		"type": "event_callback", "event_id": eventID, "team_id": slacktest.TeamID,
		"event": map[string]any{"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home", "event_ts": "1764491400.000200"},
	})
}

func slashCommand(t testing.TB, user, text string) map[string]any {
	return sample(t, "SlashCommandPayload.json", map[string]any{
		"user_id": user, "user_name": "someone", "command": "/cadence", "text": text, "team_id": slacktest.TeamID,
		"channel_id": cOther, "trigger_id": "1.2.x", "response_url": "https://hooks.slack.com/commands/T/1/x",
	})
}

func (e *env) ack(envelope string) json.RawMessage {
	e.t.Helper()
	p, ok := e.fake.WaitAck(envelope, 5*time.Second)
	require.True(e.t, ok, "envelope %s was not acked", envelope)
	return p
}

func TestModalAnswerFlowOverSocketMode(t *testing.T) {
	e := newEnv(t)
	e.start()
	ctx := e.ctx()
	ref, err := e.a.Send(ctx, prompt("occ/standup/prompt/bo", "bo", occOpen), cadence.Ref{})
	require.NoError(t, err)

	// Bo clicks Answer: the envelope is acked empty and the modal opens.
	env := e.fake.Send("interactive", blockAction(t, uBo, cadence.ActionAnswer, occOpen, ref.Channel, ref.ID, e.fake.NewTrigger(uBo)))
	assert.Equal(t, "null", string(orNull(e.ack(env))))
	eventually(t, "the modal", func() bool { return len(e.fake.OpenedViews()) == 1 })
	var modal struct {
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
		Blocks          []struct {
			Type     string `json:"type"`
			BlockID  string `json:"block_id"`
			Optional bool   `json:"optional"`
			Element  struct {
				Multiline    bool   `json:"multiline"`
				InitialValue string `json:"initial_value"`
			} `json:"element"`
		} `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(e.fake.OpenedViews()[0].JSON, &modal))
	assert.Equal(t, "cadence_answer", modal.CallbackID)
	assert.Equal(t, occOpen, modal.PrivateMetadata)
	var inputs []string
	for _, b := range modal.Blocks {
		if b.Type == "input" {
			inputs = append(inputs, b.BlockID)
			assert.True(t, b.Element.Multiline)
		}
	}
	assert.Equal(t, []string{"q_yesterday", "q_today", "q_blockers"}, inputs)

	// A required answer left empty: the ack keeps the modal open with the
	// error next to the input.
	env = e.fake.Send("interactive", viewSubmission(t, uBo, occOpen, map[string]string{"yesterday": " ", "today": "ship the ranker"}))
	assert.JSONEq(t, `{"response_action":"errors","errors":{"q_yesterday":"this question needs an answer"}}`, string(e.ack(env)))
	assert.Nil(t, e.svc.answer(occOpen, "bo"))

	env = e.fake.Send("interactive", viewSubmission(t, uBo, occOpen, map[string]string{
		"yesterday": "retrained the ranker", "today": "ship it", "blockers": "none"}))
	assert.Equal(t, "null", string(orNull(e.ack(env))), "a valid answer closes the modal")
	got := e.svc.answer(occOpen, "bo")
	require.NotNil(t, got, "the answer is stored before the ack")
	assert.Equal(t, "slack-modal", got.Via)
	assert.Equal(t, "retrained the ranker", got.Text("yesterday"))

	// Editing: the modal comes back pre-filled.
	env = e.fake.Send("interactive", blockAction(t, uBo, cadence.ActionAnswer, occOpen, ref.Channel, ref.ID, e.fake.NewTrigger(uBo)))
	e.ack(env)
	eventually(t, "the edit modal", func() bool { return len(e.fake.OpenedViews()) == 2 })
	require.NoError(t, json.Unmarshal(e.fake.OpenedViews()[1].JSON, &modal))
	assert.Equal(t, "retrained the ranker", modal.Blocks[1].Element.InitialValue)
	assert.Equal(t, "ship it", modal.Blocks[2].Element.InitialValue)
}

func orNull(p json.RawMessage) json.RawMessage {
	if len(p) == 0 {
		return json.RawMessage("null")
	}
	return p
}

func TestSubmissionAfterCloseOrTooLong(t *testing.T) {
	e := newEnv(t)
	e.start()
	long := make([]byte, cadence.MaxAnswerLen+1)
	for i := range long {
		long[i] = 'a'
	}
	env := e.fake.Send("interactive", viewSubmission(t, uAna, occOpen, map[string]string{"yesterday": string(long), "today": "x"}))
	assert.JSONEq(t, `{"response_action":"errors","errors":{"q_yesterday":"answer is too long: 4001 characters, the limit is 4000"}}`, string(e.ack(env)))

	e.svc.occs[occOpen].Status = cadence.StatusClosed
	env = e.fake.Send("interactive", viewSubmission(t, uAna, occOpen, map[string]string{"yesterday": "a", "today": "b"}))
	assert.JSONEq(t, `{"response_action":"errors","errors":{"q_yesterday":"This ritual has closed: answers are no longer accepted."}}`, string(e.ack(env)))
}

func TestExpiredTriggerAsksToClickAgain(t *testing.T) {
	e := newEnv(t)
	e.start()
	ref, err := e.a.Send(e.ctx(), prompt("occ/standup/prompt/ana", "ana", occOpen), cadence.Ref{})
	require.NoError(t, err)
	trig := e.fake.NewTrigger(uAna)
	e.clock.Advance(4 * time.Second) // Slack's 3 s have passed
	env := e.fake.Send("interactive", blockAction(t, uAna, cadence.ActionAnswer, occOpen, ref.Channel, ref.ID, trig))
	e.ack(env)
	eventually(t, "the ephemeral", func() bool { return len(e.fake.Ephemerals()) == 1 })
	assert.Contains(t, e.fake.Ephemerals()[0].Text, "press *Answer* again")
	assert.Contains(t, e.logs.String(), "expired_trigger_id")
}

func TestDeclineAndOOOButtons(t *testing.T) {
	e := newEnv(t)
	e.start()
	ref, err := e.a.Send(e.ctx(), prompt("occ/standup/prompt/ana", "ana", occOpen), cadence.Ref{})
	require.NoError(t, err)
	for _, act := range []string{cadence.ActionDecline, cadence.ActionOOO} {
		env := e.fake.Send("interactive", blockAction(t, uAna, act, occOpen, ref.Channel, ref.ID, e.fake.NewTrigger(uAna)))
		e.ack(env)
	}
	eventually(t, "the decline", func() bool { return len(e.svc.declines()) == 1 })
	assert.Equal(t, []string{occOpen + "/ana/declined"}, e.svc.declines(), "Skip this one stays one click")
	eventually(t, "its confirmation", func() bool { return len(e.fake.Ephemerals()) == 1 })
	eventually(t, "the out-of-office form", func() bool { return len(e.fake.OpenedViews()) == 1 })
	assert.Contains(t, string(e.fake.OpenedViews()[0].JSON), `"callback_id":"cadence_ooo"`, "out of office asks for the range")
}

func TestStrangerIsToldToJoinTheRoster(t *testing.T) {
	e := newEnv(t)
	e.fake.AddUser(slacktest.User{ID: "U0STRANGE", Name: "x"})
	e.start()
	env := e.fake.Send("interactive", blockAction(t, "U0STRANGE", cadence.ActionAnswer, occOpen, cOther, "1.1", e.fake.NewTrigger("U0STRANGE")))
	e.ack(env)
	eventually(t, "the refusal", func() bool { return len(e.fake.Ephemerals()) == 1 })
	assert.Contains(t, e.fake.Ephemerals()[0].Text, "not on the cadencebot roster")
	assert.Empty(t, e.fake.OpenedViews())
}

func TestThreadReplyAnswersSingleQuestionRitualOnceDespiteRedelivery(t *testing.T) {
	e := newEnv(t)
	e.start()
	ctx := e.ctx()
	p := prompt("occ/oneq/prompt/ana", "ana", occOne)
	p.RitualID = "oneq"
	ref, err := e.a.Send(ctx, p, cadence.Ref{})
	require.NoError(t, err)

	ts := e.fake.PostAsUser(ref.Channel, uAna, ref.ID, "model v12 of the ranker, canary first")
	env := e.fake.Send("events_api", messageEvent(t, "Ev0ANA1", uAna, ref.Channel, ref.ID, ts, "model v12 of the ranker, canary first"))
	e.ack(env)
	eventually(t, "the answer", func() bool { return e.svc.answer(occOne, "ana") != nil })
	got := e.svc.answer(occOne, "ana")
	assert.Equal(t, "slack-thread", got.Via)
	assert.Equal(t, "model v12 of the ranker, canary first", got.Text("releases"))

	// Slack redelivers (the ack was late): retry_attempt 1, same event_id.
	e.fake.Redeliver(env)
	e.ack(env)
	e.a.Wait()
	assert.Zero(t, e.svc.answer(occOne, "ana").Edits, "a redelivered event is handled once")
	// The redelivery is logged by the socket loop after its ack, beside
	// the handler Wait waits for.
	eventually(t, "the redelivery logged", func() bool { return strings.Contains(e.logs.String(), `"retry_attempt":1`) })
}

func TestThreadReplyToMultiQuestionPromptPointsToTheButton(t *testing.T) {
	e := newEnv(t)
	e.start()
	ref, err := e.a.Send(e.ctx(), prompt("occ/standup/prompt/ana", "ana", occOpen), cadence.Ref{})
	require.NoError(t, err)
	ts := e.fake.PostAsUser(ref.Channel, uAna, ref.ID, "all good")
	e.ack(e.fake.Send("events_api", messageEvent(t, "Ev0ANA2", uAna, ref.Channel, ref.ID, ts, "all good")))
	eventually(t, "the hint", func() bool { return len(e.fake.Ephemerals()) == 1 })
	assert.Equal(t, ref.ID, e.fake.Ephemerals()[0].ThreadTS)
	assert.Nil(t, e.svc.answer(occOpen, "ana"))
}

func TestAppHomeShowsPendingPromptsAndUpcoming(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.ack(e.fake.Send("events_api", homeOpened(t, "Ev0HOME1", uBo)))
	eventually(t, "the home tab", func() bool { _, ok := e.fake.HomeView(uBo); return ok })
	v, _ := e.fake.HomeView(uBo)
	s := string(v.JSON)
	assert.Contains(t, s, `"type":"home"`)
	assert.Contains(t, s, `"value":"`+occOpen+`"`, "an Answer button per pending prompt")
	assert.Contains(t, s, "Release check")
	assert.Contains(t, s, "Europe/Warsaw", "bo's zone comes from his Slack profile")
}

func TestSlashCommandIsAnsweredInTheAck(t *testing.T) {
	e := newEnv(t)
	e.start()
	tests := []struct {
		user, text, want string
	}{
		{uLea, "pause standup", "Paused Daily standup"},
		{uAna, "pause standup", "only leads and admins can pause"},
		{uAna, "dance", "help"},
		{"U0NOBODY", "status", "not on the cadencebot roster"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var msg struct {
				ResponseType string `json:"response_type"`
				Text         string `json:"text"`
			}
			require.NoError(t, json.Unmarshal(e.ack(e.fake.Send("slash_commands", slashCommand(t, tt.user, tt.text))), &msg))
			assert.Equal(t, "ephemeral", msg.ResponseType)
			assert.Contains(t, msg.Text, tt.want)
		})
	}
}

func TestSocketModeReconnects(t *testing.T) {
	e := newEnv(t)
	e.start()
	// slack-go reports the connection once its dial returns, which can be
	// a moment before the fake's handler has counted it.
	require.True(t, e.fake.WaitConnections(1, 5*time.Second))
	require.Equal(t, 1, e.fake.Connections())

	e.fake.Disconnect("refresh_requested")
	require.True(t, e.fake.WaitConnections(2, 5*time.Second), "slack-go reconnects after a disconnect frame")
	e.ack(e.fake.Send("events_api", homeOpened(t, "Ev0HOME2", uAna)))

	e.fake.Drop() // the network fails: no disconnect frame
	require.True(t, e.fake.WaitConnections(3, 10*time.Second), "and after the websocket breaks")
	e.ack(e.fake.Send("events_api", homeOpened(t, "Ev0HOME3", uLea)))
	eventually(t, "both home tabs", func() bool {
		_, a := e.fake.HomeView(uAna)
		_, l := e.fake.HomeView(uLea)
		return a && l
	})
	assert.Equal(t, 3, e.fake.Calls("apps.connections.open"), "each connection asks Slack for a fresh URL")
	assert.Contains(t, e.logs.String(), `"connection":2,"message":"socket mode connected"`)
}

func TestMalformedSocketPayloadsAreAckedAndIgnored(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.fake.TrackRaw("bad-1")
	e.fake.SendRaw(`{"envelope_id":"bad-1","type":"events_api","payload":{"type":"event_callback","event":"not an object"}}`)
	e.ack("bad-1")
	e.fake.SendRaw(`{not json`)
	e.fake.TrackRaw("bad-2")
	e.fake.SendRaw(`{"envelope_id":"bad-2","type":"interactive","payload":{"type":"block_actions","actions":"oops"}}`)
	e.ack("bad-2")
	// Still alive and serving.
	e.ack(e.fake.Send("events_api", homeOpened(t, "Ev0HOME4", uAna)))
	eventually(t, "the home tab", func() bool { _, ok := e.fake.HomeView(uAna); return ok })
	assert.Contains(t, e.logs.String(), "malformed socket mode payload dropped")
	assert.Equal(t, 1, e.fake.Connections())
}

func TestThreadReplyIsStoredWithoutSlackMarkup(t *testing.T) {
	e := newEnv(t)
	e.start()
	p := prompt("occ/oneq/prompt/ana", "ana", occOne)
	p.RitualID = "oneq"
	ref, err := e.a.Send(e.ctx(), p, cadence.Ref{})
	require.NoError(t, err)

	// As Slack sends it: escaped, with the channel mention and the link
	// as <…> tokens.
	typed := "<!channel> ranker v12 &amp; canary, see <https://runbooks.example/ranker|the runbook>"
	ts := e.fake.PostAsUser(ref.Channel, uAna, ref.ID, typed)
	e.ack(e.fake.Send("events_api", messageEvent(t, "Ev0ANA2", uAna, ref.Channel, ref.ID, ts, typed)))
	eventually(t, "the answer", func() bool { return e.svc.answer(occOne, "ana") != nil })
	assert.Equal(t, "@channel ranker v12 & canary, see the runbook (https://runbooks.example/ranker)",
		e.svc.answer(occOne, "ana").Text("releases"))
}
