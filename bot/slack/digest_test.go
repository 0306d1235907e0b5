package slack_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
)

// chartPNG stands in for the dashboard's chart: the adapter only moves bytes.
var chartPNG = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 3000)...)

func digestMessage(to cadence.Recipient) *cadence.Message {
	return &cadence.Message{
		Key: cadence.DigestKey(t0, to), Kind: cadence.KindDigest, Platform: "slack", To: to,
		CreatedAt: t0, Revision: 1, State: cadence.StatePending, NextAttemptAt: t0,
		Body: cadence.Body{
			Title: "Cadence digest · 2026-W48", Text: "Team score 82, up 4 from 78 in 2026-W47.",
			Sections: []cadence.Section{{Heading: "Team", Lines: []string{"Score 82 of 100, up 4 from 78 in 2026-W47."}}},
			Footer:   "2026-11-23 – 2026-11-29 (UTC)",
			Image:    &cadence.Image{Name: "adherence-2026-W48.png", Alt: "Team adherence score per ISO week", PNG: chartPNG},
		},
	}
}

// dispatch runs the real dispatcher over the env's store with the adapter.
func (e *env) dispatcher() *cadence.Dispatcher {
	return cadence.NewDispatcher(e.store, e.clock, map[string]cadence.Chat{"slack": e.a}, zerolog.Nop(), nil,
		cadence.WithBackoff(time.Second, time.Minute))
}

func (e *env) enqueue(ms ...*cadence.Message) {
	e.t.Helper()
	require.NoError(e.t, e.store.Update(e.ctx(), func(tx cadence.Tx) error {
		for _, m := range ms {
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	}))
}

func (e *env) message(key string) *cadence.Message {
	e.t.Helper()
	var m *cadence.Message
	require.NoError(e.t, e.store.View(e.ctx(), func(tx cadence.Tx) (err error) {
		m, err = tx.Message(key)
		return err
	}))
	return m
}

// digestPosts returns the messages of a channel tagged with key.
func digestPosts(t *testing.T, f *slacktest.Server, channel, key string) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range f.Messages(channel) {
		if m.Metadata != nil {
			if k, _ := metadataKey(t, m); k == key {
				out = append(out, m)
			}
		}
	}
	return out
}

func TestDigestPostsBlocksThenSharesTheChartInTheSameConversation(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx()
	toChannel, toLea := digestMessage(cadence.Recipient{Channel: "other"}), digestMessage(cadence.Recipient{Person: "lea"})
	e.enqueue(toChannel, toLea)
	d := e.dispatcher()

	sent, err := d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, sent)

	files := e.fake.Files()
	require.Len(t, files, 2, "one chart per recipient")
	for _, tc := range []struct {
		m       *cadence.Message
		channel string
	}{{toChannel, cOther}, {toLea, e.fake.DM(uLea)}} {
		stored := e.message(tc.m.Key)
		assert.Equal(t, cadence.StateSent, stored.State, tc.m.Key)
		assert.Equal(t, tc.channel, stored.Ref.Channel)

		posts := digestPosts(t, e.fake, tc.channel, tc.m.Key)
		require.Len(t, posts, 1)
		var blocks []map[string]any
		require.NoError(t, json.Unmarshal(posts[0].Blocks, &blocks))
		var types []string
		for _, b := range blocks {
			types = append(types, b["type"].(string))
		}
		assert.Equal(t, []string{"header", "section", "divider", "section", "context", "context"}, types)

		var f slacktest.File
		for _, x := range files {
			if x.Channel == tc.channel {
				f = x
			}
		}
		assert.Equal(t, chartPNG, f.Content, "the PNG arrives byte for byte")
		assert.Equal(t, "adherence-2026-W48.png", f.Name)
		assert.Equal(t, "adherence-2026-W48", f.Title)
		assert.Equal(t, "Team adherence score per ISO week", f.Alt)
		assert.Empty(t, f.ThreadTS, "the chart is shown inline, not hidden in a thread")
		msgs := e.fake.Messages(tc.channel)
		assert.Equal(t, []string{f.ID}, msgs[len(msgs)-1].Files, "the chart comes right after the digest")
		assert.Greater(t, f.TS, posts[0].TS)
	}

	// Nothing is due any more: no second post, no second upload.
	e.clock.Advance(time.Hour)
	sent, err = d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, sent)
	assert.Equal(t, 2, e.fake.Calls("files.completeUploadExternal"))
}

func TestDigestChartUploadRetriedWithoutRepostingTheDigest(t *testing.T) {
	tests := []struct {
		name   string
		method string
		fail   slacktest.Failure
	}{
		{"upload URL refused with a 5xx", "files.getUploadURLExternal", slacktest.Failure{Status: 503}},
		{"completion rate limited", "files.completeUploadExternal", slacktest.Failure{Status: 429, RetryAfter: 3}},
		{"completion fails transiently", "files.completeUploadExternal", slacktest.Failure{Error: "internal_error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := e.ctx()
			m := digestMessage(cadence.Recipient{Channel: "other"})
			e.enqueue(m)
			e.fake.FailNext(tt.method, tt.fail)
			d := e.dispatcher()

			sent, err := d.RunOnce(ctx)
			require.NoError(t, err)
			assert.Zero(t, sent)
			stored := e.message(m.Key)
			assert.Equal(t, cadence.StateSending, stored.State, "left for the dispatcher to reconcile")
			assert.NotEmpty(t, stored.LastError)
			assert.Len(t, digestPosts(t, e.fake, cOther, m.Key), 1, "the digest itself is out")
			assert.Empty(t, e.fake.Files())

			e.clock.Advance(time.Minute)
			sent, err = d.RunOnce(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, sent)
			assert.Equal(t, cadence.StateSent, e.message(m.Key).State)
			assert.Len(t, digestPosts(t, e.fake, cOther, m.Key), 1, "found by its metadata, not posted again")
			require.Len(t, e.fake.Files(), 1)
			assert.Equal(t, chartPNG, e.fake.Files()[0].Content)
			assert.Equal(t, cOther, e.fake.Files()[0].Channel)
		})
	}
}

func TestDigestChartRefusedForGoodKeepsTheDigest(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx()
	m := digestMessage(cadence.Recipient{Person: "lea"})
	e.enqueue(m)
	e.fake.FailNext("files.getUploadURLExternal", slacktest.Failure{Error: "missing_scope"})
	d := e.dispatcher()

	sent, err := d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	assert.Equal(t, cadence.StateSent, e.message(m.Key).State, "the figures reached the manager")
	assert.Empty(t, e.fake.Files())
	assert.Contains(t, e.logs.String(), "files:write")
	assert.Contains(t, e.logs.String(), "missing_scope")

	// A reconcile of the same message (crash before the Ref was stored)
	// does not try the refused upload again.
	_, found, err := e.a.Lookup(ctx, m, cadence.Ref{})
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, 1, e.fake.Calls("files.getUploadURLExternal"))
}

func TestMessagesWithoutImageUploadNothing(t *testing.T) {
	e := newEnv(t)
	m := digestMessage(cadence.Recipient{Channel: "other"})
	m.Body.Image = nil
	_, err := e.a.Send(context.Background(), m, cadence.Ref{})
	require.NoError(t, err)
	assert.Zero(t, e.fake.Calls("files.getUploadURLExternal"))
	var blocks []map[string]any
	require.NoError(t, json.Unmarshal(e.fake.Messages(cOther)[0].Blocks, &blocks))
	assert.NotContains(t, string(e.fake.Messages(cOther)[0].Blocks), "Chart below")
}
