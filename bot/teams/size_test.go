package teams_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/cadence"
)

// longSummary is a summary of four people's long answers: n lines of
// cadence.MaxAnswerLen characters of s each.
func longSummary(n int, s string) *cadence.Message {
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf("%02d ", i)+strings.Repeat(s, cadence.MaxAnswerLen-3))
	}
	return &cadence.Message{Key: "summary", Kind: cadence.KindSummary, RitualID: "standup", OccurrenceID: occID,
		To:   cadence.Recipient{Channel: channelID},
		Body: cadence.Body{Title: "Standup summary", Text: "4 of 4 answered", Sections: []cadence.Section{{Heading: "Answers", Lines: lines}}}}
}

// delivered checks that every line of m arrived in the posts and that
// each request was within Teams' limit.
func checkDelivered(t *testing.T, e *env, m *cadence.Message) {
	t.Helper()
	var all strings.Builder
	for i, r := range e.fc.requests() {
		assert.LessOrEqual(t, teamsSize(r.Raw), maxMessageUTF16, "request %d", i)
		all.WriteString(card(t, r))
	}
	for _, l := range m.Body.Sections[0].Lines {
		assert.Contains(t, all.String(), l[:40])
		assert.Contains(t, all.String(), l[len(l)-40:], "no line cut")
	}
}

// TestSizeIsMeasuredAsTeamsDoes: Teams counts a message as UTF-16 (two
// bytes an ASCII character), so a summary well under 100 KB of UTF-8 is
// over 100 KB for Teams and must be split before it is sent.
func TestSizeIsMeasuredAsTeamsDoes(t *testing.T) {
	for _, tc := range []struct {
		name, s string
		lines   int
	}{
		{"ASCII: 64 KB of UTF-8, 129 KB of UTF-16", "a", 16},
		{"CJK: 3 bytes of UTF-8, 2 of UTF-16", "雨", 16},
		{"emoji: surrogate pairs, 4 bytes either way", "😀", 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := installed(t)
			m := longSummary(tc.lines, tc.s)
			_, err := e.a.Send(context.Background(), m, cadence.Ref{})
			require.NoError(t, err)
			assert.Zero(t, e.fc.tooBig, "never 413")
			assert.Greater(t, len(e.fc.posts()), 1, "split")
			checkDelivered(t, e, m)
		})
	}
}

// TestTooLargeIsSplitSmaller: when Teams still answers 413 (it measured
// more than we did), the message is rendered again in smaller parts, the
// parts already posted are redrawn with the new split, and nothing is
// lost: in Send and in Update.
func TestTooLargeIsSplitSmaller(t *testing.T) {
	tooBig := reply{status: http.StatusRequestEntityTooLarge, body: `{"error":{"code":"MessageSizeTooBig","message":"Message size exceeds the limit"}}`}

	t.Run("our limit above Teams'", func(t *testing.T) {
		e := installed(t, teams.WithMaxActivityBytes(400*1024))
		m := longSummary(16, "a")
		ref, err := e.a.Send(context.Background(), m, cadence.Ref{Channel: channelID, ID: "1700000000001"})
		require.NoError(t, err)
		assert.Positive(t, e.fc.tooBig)
		checkDelivered(t, e, m)

		m.Body.Sections[0].Lines = longSummary(24, "b").Body.Sections[0].Lines
		n := len(e.fc.requests())
		require.NoError(t, e.a.Update(context.Background(), ref, m))
		for _, r := range e.fc.requests()[n:] {
			assert.LessOrEqual(t, teamsSize(r.Raw), maxMessageUTF16)
		}
	})

	t.Run("413 on the second part", func(t *testing.T) {
		e := installed(t)
		m := longSummary(16, "a")
		e.fc.failAfter(1, tooBig)
		_, err := e.a.Send(context.Background(), m, cadence.Ref{})
		require.NoError(t, err)
		var methods []string
		for _, r := range e.fc.requests() {
			methods = append(methods, r.Method)
		}
		require.GreaterOrEqual(t, len(methods), 3)
		assert.Equal(t, []string{http.MethodPost, http.MethodPut}, methods[:2], "part 1 posted, then redrawn with the smaller split")
		checkDelivered(t, e, m)
	})

	t.Run("a failure while redrawing after a 413: the retry redraws, no line twice", func(t *testing.T) {
		e := installed(t)
		m := longSummary(16, "a")
		e.fc.failAfter(1, tooBig, reply{status: http.StatusBadGateway})
		_, err := e.a.Send(context.Background(), m, cadence.Ref{})
		retry, _ := cadence.IsRetryable(err)
		require.True(t, retry, "%v", err)
		_, err = e.a.Send(context.Background(), m, cadence.Ref{})
		require.NoError(t, err)
		final := map[string]string{} // activity id → what Teams shows
		var order []string
		for _, r := range e.fc.requests() {
			id := r.NewID
			if r.Method == http.MethodPut {
				id = r.ID
			}
			if _, ok := final[id]; !ok {
				order = append(order, id)
			}
			final[id] = card(t, r)
		}
		var all strings.Builder
		for _, id := range order {
			all.WriteString(final[id])
		}
		for _, l := range m.Body.Sections[0].Lines {
			assert.Equal(t, 1, strings.Count(all.String(), l[:40]), "line %q shown once", l[:10])
		}
	})

	t.Run("413 for good is a permanent error in words", func(t *testing.T) {
		e := installed(t)
		for range 20 {
			e.fc.fail(tooBig)
		}
		_, err := e.a.Send(context.Background(), agenda("a"), cadence.Ref{})
		var se *cadence.SendError
		require.ErrorAs(t, err, &se)
		assert.False(t, se.Retryable)
		assert.Equal(t, "message_too_large", se.Code)
		assert.Contains(t, se.Err.Error(), "Teams connector refused the agenda as too large even when split into parts of 8 KB")
		assert.NotContains(t, se.Error(), "http")
	})
}
