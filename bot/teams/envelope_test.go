package teams_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// TestActivitiesAreAddressed: every message the bot sends carries what the
// Bot Connector REST docs list: from (the bot), conversation, recipient
// (the user, in a 1:1 chat or when answering someone) and replyToId (the
// activity replied to). The fake refuses anything else with 400.
func TestActivitiesAreAddressed(t *testing.T) {
	e := installed(t)
	ctx := context.Background()
	thread, err := e.a.Send(ctx, agenda("agenda"), cadence.Ref{})
	require.NoError(t, err)
	sum := &cadence.Message{Key: "summary", Kind: cadence.KindSummary, To: cadence.Recipient{Channel: channelID},
		Body: cadence.Body{Title: "Standup summary", Text: "1 of 2 answered"}}
	_, err = e.a.Send(ctx, sum, thread)
	require.NoError(t, err)
	_, err = e.a.Send(ctx, promptMessage("ana"), cadence.Ref{})
	require.NoError(t, err)
	msg := e.personalMessage(ana, "help")
	require.Equal(t, http.StatusOK, e.deliver(msg).Code)

	reqs := e.fc.requests()
	require.Len(t, reqs, 4)
	type envelope struct{ from, conv, recipient, replyTo string }
	got := make([]envelope, len(reqs))
	for i, r := range reqs {
		a := r.Activity
		require.NotNil(t, a.From, "request %d", i)
		require.NotNil(t, a.Conversation, "request %d", i)
		got[i] = envelope{from: a.From.ID, conv: a.Conversation.ID, replyTo: a.ReplyToID}
		if a.Recipient != nil {
			got[i].recipient = a.Recipient.ID
		}
	}
	assert.Equal(t, []envelope{
		{from: botID, conv: channelID},                                                         // the agenda, proactive in the channel
		{from: botID, conv: channelID, replyTo: thread.ID},                                     // the summary, in its thread
		{from: botID, conv: "a:1on1-29:ana", recipient: "29:ana"},                              // Ana's prompt
		{from: botID, conv: "a:1on1-29:ana", recipient: "29:ana", replyTo: msg["id"].(string)}, // the answer to her command
	}, got)
}

// TestAcceptedWithoutBody: the connector may answer 202 Accepted with no
// body. The message arrived: it is delivered, not failed, and is not sent
// again; as Teams did not say its id, the first update posts the new
// revision and later ones update that one.
func TestAcceptedWithoutBody(t *testing.T) {
	e := installed(t)
	ctx := context.Background()
	e.fc.accepted202 = true
	sum := &cadence.Message{Key: "summary", Kind: cadence.KindSummary, To: cadence.Recipient{Channel: channelID},
		Body: cadence.Body{Title: "Standup summary", Sections: []cadence.Section{{Heading: "Answered", Lines: []string{"Ana"}}}}}
	ref, err := e.a.Send(ctx, sum, cadence.Ref{})
	require.NoError(t, err, "202 is a success")
	assert.Equal(t, cadence.Ref{Channel: channelID}, ref)
	require.Len(t, e.fc.posts(), 1)

	again, found, err := e.a.Lookup(ctx, sum, cadence.Ref{})
	require.NoError(t, err)
	assert.True(t, found, "delivered: a retry does not post it twice")
	assert.Equal(t, ref, again)
	_, err = e.a.Send(ctx, sum, cadence.Ref{})
	require.NoError(t, err)
	require.Len(t, e.fc.posts(), 1)

	e.fc.accepted202 = false
	sum.Body.Sections[0].Lines = append(sum.Body.Sections[0].Lines, "Ben")
	require.NoError(t, e.a.Update(ctx, ref, sum))
	sum.Body.Sections[0].Lines = append(sum.Body.Sections[0].Lines, "Cem")
	require.NoError(t, e.a.Update(ctx, ref, sum))
	reqs := e.fc.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, http.MethodPost, reqs[1].Method, "no id to update: the revision is posted")
	assert.Contains(t, card(t, reqs[1]), "• Ben")
	assert.Equal(t, http.MethodPut, reqs[2].Method, "then updated in place")
	assert.Equal(t, reqs[1].NewID, reqs[2].ID)
	assert.Contains(t, card(t, reqs[2]), "• Cem")
}
