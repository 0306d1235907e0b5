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

func TestSendAgendaJoinsPublicChannelByName(t *testing.T) {
	e := newEnv(t)
	ref, err := e.a.Send(e.ctx(), agenda("occ/standup/agenda", "#mlops"), cadence.Ref{})
	require.NoError(t, err)

	assert.Equal(t, cMLOps, ref.Channel, "the name resolves to the channel id")
	assert.Equal(t, 1, e.fake.Calls("conversations.join"), "not_in_channel makes the bot join the public channel")
	assert.Equal(t, 2, e.fake.Calls("chat.postMessage"), "one refused post, one after joining")
	msgs := e.fake.Messages(cMLOps)
	require.Len(t, msgs, 1)
	assert.Equal(t, ref.ID, msgs[0].TS)
	key, part := metadataKey(t, msgs[0])
	assert.Equal(t, "occ/standup/agenda", key)
	assert.Equal(t, 1, part)

	// The name is cached: the next agenda makes no conversations.list call.
	_, err = e.a.Send(e.ctx(), agenda("occ/standup/agenda2", "mlops"), cadence.Ref{})
	require.NoError(t, err)
	assert.Equal(t, 1, e.fake.Calls("conversations.list"))
}

func TestSendPromptPostsToUserIDWithoutOpeningDM(t *testing.T) {
	e := newEnv(t)
	e.start()
	ref, err := e.a.Send(e.ctx(), prompt("occ/standup/prompt/bo", "bo", occOpen), cadence.Ref{})
	require.NoError(t, err)

	assert.Zero(t, e.fake.Calls("conversations.open"), "posting to the user id opens the DM")
	assert.Equal(t, e.fake.DM(uBo), ref.Channel)
	msgs := e.fake.Messages(ref.Channel)
	require.Len(t, msgs, 1)
	var blocks []map[string]any
	require.NoError(t, json.Unmarshal(msgs[0].Blocks, &blocks))
	last := blocks[len(blocks)-1]
	require.Equal(t, "actions", last["type"])
	var ids []string
	for _, el := range last["elements"].([]any) {
		ids = append(ids, el.(map[string]any)["action_id"].(string))
	}
	assert.Equal(t, []string{cadence.ActionAnswer, cadence.ActionDecline, cadence.ActionOOO}, ids)
}

func TestReminderAndSummaryGoInTheAgendaThread(t *testing.T) {
	e := newEnv(t)
	e.start()
	ctx := e.ctx()
	agendaRef, err := e.a.Send(ctx, agenda("occ/standup/agenda", cMLOps), cadence.Ref{})
	require.NoError(t, err)

	rem := &cadence.Message{Key: "occ/standup/reminder/bo/0", Kind: cadence.KindReminder, To: cadence.Recipient{Person: "bo"},
		RitualID: "standup", OccurrenceID: occOpen, Thread: "occ/standup/agenda", CreatedAt: t0,
		Body: cadence.Body{Text: "One hour left to answer the standup."}}
	_, err = e.a.Send(ctx, rem, agendaRef)
	require.NoError(t, err)

	sum := &cadence.Message{Key: "occ/standup/summary", Kind: cadence.KindSummary, To: cadence.Recipient{Channel: cMLOps},
		RitualID: "standup", OccurrenceID: occOpen, Thread: "occ/standup/agenda", CreatedAt: t0,
		Body: cadence.Body{Title: "Standup summary", Text: "1 of 2 answered",
			Sections: []cadence.Section{{Heading: "Ana Pop", Lines: []string{"Yesterday: retrained the ranker"}}}}}
	sumRef, err := e.a.Send(ctx, sum, agendaRef)
	require.NoError(t, err)

	msgs := e.fake.Messages(cMLOps)
	require.Len(t, msgs, 3)
	assert.Equal(t, agendaRef.ID, msgs[1].ThreadTS)
	assert.True(t, strings.HasPrefix(msgs[1].Text, "<@"+uBo+">"), "a reminder in a channel thread mentions the person: %q", msgs[1].Text)
	assert.Equal(t, agendaRef.ID, msgs[2].ThreadTS)

	// Answers arrive: the summary is edited in place, never re-posted.
	sum.Body.Text = "2 of 2 answered"
	sum.Body.Sections = append(sum.Body.Sections, cadence.Section{Heading: "Bo Nowak", Lines: []string{"Yesterday: fixed drift alert"}})
	sum.Revision = 2
	require.NoError(t, e.a.Update(ctx, sumRef, sum))
	msgs = e.fake.Messages(cMLOps)
	require.Len(t, msgs, 3)
	assert.Equal(t, "2 of 2 answered", msgs[2].Text)
	assert.Equal(t, 1, msgs[2].Updates)
	assert.Equal(t, 1, e.fake.Calls("chat.update"))
}

func longSummary(people, lineLen int) *cadence.Message {
	m := &cadence.Message{Key: "occ/standup/summary", Kind: cadence.KindSummary, To: cadence.Recipient{Channel: cOther},
		RitualID: "standup", OccurrenceID: occOpen, CreatedAt: t0,
		Body: cadence.Body{Title: "Standup summary", Text: "Answers"}}
	for i := 0; i < people; i++ {
		m.Body.Sections = append(m.Body.Sections, cadence.Section{Heading: "Person " + itoa(i),
			Lines: []string{strings.Repeat("x", lineLen), "Blockers: none"}})
	}
	return m
}

func TestLongSummarySplitsIntoPartsThatAreUpdatedInPlace(t *testing.T) {
	e := newEnv(t)
	e.start()
	ctx := e.ctx()
	sum := longSummary(120, 40) // 120 sections: three messages
	ref, err := e.a.Send(ctx, sum, cadence.Ref{})
	require.NoError(t, err)

	msgs := e.fake.Messages(cOther)
	require.Len(t, msgs, 3, "120 sections at 49 blocks a message")
	for i, m := range msgs {
		key, part := metadataKey(t, m)
		assert.Equal(t, sum.Key, key)
		assert.Equal(t, i+1, part, "parts are numbered in order")
		if i > 0 {
			assert.Equal(t, ref.ID, m.ThreadTS, "continuations go in the thread of part 1")
		}
	}

	// More answers: a fourth part appears, the first three are edited.
	sum.Body.Sections = append(sum.Body.Sections, longSummary(40, 40).Body.Sections...)
	require.NoError(t, e.a.Update(ctx, ref, sum))
	msgs = e.fake.Messages(cOther)
	require.Len(t, msgs, 4)
	for _, m := range msgs[:3] {
		assert.Equal(t, 1, m.Updates)
	}
	// Fewer: surplus parts are deleted.
	sum.Body.Sections = sum.Body.Sections[:10]
	require.NoError(t, e.a.Update(ctx, ref, sum))
	assert.Len(t, e.fake.Messages(cOther), 1)
}

func TestSendErrorsAreClassified(t *testing.T) {
	tests := []struct {
		name      string
		fail      slacktest.Failure
		retryable bool
		code      string
		after     time.Duration
		notSent   bool // Slack did nothing: no lookup before the retry
	}{
		{"rate limited", slacktest.Failure{Status: 429, RetryAfter: 7}, true, "ratelimited", 7 * time.Second, true},
		{"server error", slacktest.Failure{Status: 503}, true, "http_503", 0, false},
		{"slack fatal_error", slacktest.Failure{Error: "fatal_error"}, true, "fatal_error", 0, false},
		{"slack service_unavailable", slacktest.Failure{Error: "service_unavailable"}, true, "service_unavailable", 0, true},
		{"invalid blocks", slacktest.Failure{Error: "invalid_blocks", Messages: []string{"[ERROR] must be less than 3001 characters [json-pointer:/blocks/1/text/text]"}}, false, "invalid_blocks", 0, true},
		{"archived", slacktest.Failure{Error: "is_archived"}, false, "is_archived", 0, true},
		{"token revoked", slacktest.Failure{Error: "token_revoked"}, false, "token_revoked", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.FailNext("chat.postMessage", tt.fail)
			_, err := e.a.Send(e.ctx(), agenda("k", cOther), cadence.Ref{})
			var se *cadence.SendError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.retryable, se.Retryable)
			assert.Equal(t, tt.code, se.Code)
			assert.Equal(t, tt.after, se.RetryAfter)
			assert.Equal(t, tt.notSent, se.NotSent)
			for _, m := range tt.fail.Messages {
				assert.Contains(t, se.Error(), m, "Slack's explanation is kept")
			}
		})
	}
}

func TestNetworkFailureIsRetryable(t *testing.T) {
	e := newEnv(t)
	e.fake.Close()
	_, err := e.a.Send(e.ctx(), agenda("k", cOther), cadence.Ref{})
	var se *cadence.SendError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.Retryable)
	assert.Equal(t, "network", se.Code)
}

func TestPrivateChannelFailsForGoodAndTellsTheLeadOnce(t *testing.T) {
	e := newEnv(t)
	e.start()
	for i := 0; i < 2; i++ {
		m := agenda("occ/oneq/agenda/"+itoa(i), cPriv)
		m.RitualID = "oneq"
		_, err := e.a.Send(e.ctx(), m, cadence.Ref{})
		var se *cadence.SendError
		require.ErrorAs(t, err, &se)
		assert.False(t, se.Retryable)
		assert.Equal(t, "channel_not_found", se.Code)
	}
	assert.Zero(t, e.fake.Calls("conversations.join"), "a private channel the bot cannot see is not joined")
	dm := e.fake.Messages(e.fake.DM(uLea))
	require.Len(t, dm, 1, "the lead is told once, not per message")
	assert.Contains(t, dm[0].Text, "/invite @cadencebot")
	assert.Contains(t, e.logs.String(), "told the lead")
}

func TestPrivateMemberChannelWorksAndArchivedFailsForGood(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.fake.AddChannel(slacktest.Channel{ID: "G0PRIV002", Name: "secret", Private: true, BotMember: true})
	_, err := e.a.Send(e.ctx(), agenda("a1", "G0PRIV002"), cadence.Ref{})
	require.NoError(t, err)
	e.fake.AddChannel(slacktest.Channel{ID: "C0PUBARCH", Name: "archived", Archived: true})
	_, err = e.a.Send(e.ctx(), agenda("a2", "C0PUBARCH"), cadence.Ref{})
	var se *cadence.SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "is_archived", se.Code)
	assert.False(t, se.Retryable)
}

func TestLookupFindsMessagePostedBeforeACrash(t *testing.T) {
	e := newEnv(t)
	e.start()
	ctx := e.ctx()
	agendaRef, err := e.a.Send(ctx, agenda("occ/standup/agenda", cMLOps), cadence.Ref{})
	require.NoError(t, err)
	p := prompt("occ/standup/prompt/bo", "bo", occOpen)
	promptRef, err := e.a.Send(ctx, p, cadence.Ref{})
	require.NoError(t, err)
	sum := longSummary(2, 10)
	sum.To = cadence.Recipient{Channel: cMLOps}
	sumRef, err := e.a.Send(ctx, sum, agendaRef)
	require.NoError(t, err)

	// A new process with a fresh store: no cache of DM channels or names.
	e.store = nil
	e2 := newEnv(t)
	e2.fake, e2.cfg.APIURL = e.fake, e.fake.URL
	a2 := e2.newAdapter()
	e2.a = a2
	e2.start()

	tests := []struct {
		name   string
		m      *cadence.Message
		thread cadence.Ref
		want   cadence.Ref
		found  bool
	}{
		{"agenda in channel", agenda("occ/standup/agenda", "#mlops"), cadence.Ref{}, agendaRef, true},
		{"prompt in DM", p, cadence.Ref{}, promptRef, true},
		{"summary in thread", sum, agendaRef, sumRef, true},
		{"never sent", agenda("occ/standup/other", cMLOps), cadence.Ref{}, cadence.Ref{}, false},
		{"other person's prompt", prompt("occ/standup/prompt/bo", "ana", occOpen), cadence.Ref{}, cadence.Ref{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, found, err := a2.Lookup(e2.ctx(), tt.m, tt.thread)
			require.NoError(t, err)
			assert.Equal(t, tt.found, found)
			assert.Equal(t, tt.want, ref)
		})
	}
	assert.Equal(t, 2, e.fake.Calls("conversations.open"), "the DM channel of a prompt is found with conversations.open (bo, then ana)")
}

func TestLookupSkipsMessagesOlderThanTheIntent(t *testing.T) {
	e := newEnv(t)
	e.start()
	ref, err := e.a.Send(e.ctx(), agenda("occ/standup/agenda", cOther), cadence.Ref{})
	require.NoError(t, err)
	m := agenda("occ/standup/agenda", cOther)
	m.CreatedAt = t0.Add(time.Hour) // the intent is newer than the message
	_, found, err := e.a.Lookup(e.ctx(), m, cadence.Ref{})
	require.NoError(t, err)
	assert.False(t, found, "only messages from shortly before the intent count")
	m.CreatedAt = t0
	got, found, err := e.a.Lookup(e.ctx(), m, cadence.Ref{})
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, ref, got)
}
