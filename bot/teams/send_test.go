package teams_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/cadence"
)

// installed returns an env where Ana has the app and the team has it in
// the standup channel.
func installed(t *testing.T, opts ...teams.Option) *env {
	e := newEnv(t, opts...)
	require.Equal(t, http.StatusOK, e.deliver(e.teamInstall()).Code)
	require.Equal(t, http.StatusOK, e.deliver(e.personalInstall(ana)).Code)
	e.fc.mu.Lock()
	e.fc.sent = nil // forget the welcome card
	e.fc.mu.Unlock()
	return e
}

func agenda(key string) *cadence.Message {
	return &cadence.Message{Key: key, Kind: cadence.KindAgenda, To: cadence.Recipient{Channel: channelID},
		RitualID: "standup", OccurrenceID: occID, Body: cadence.Body{Title: "Daily standup", Text: "Standup is open"}}
}

func TestThrottlingIsRetryableWithRetryAfter(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
		want   []time.Duration // RetryAfter of consecutive failures
	}{
		{"429 with Retry-After seconds", http.StatusTooManyRequests, http.Header{"Retry-After": {"7"}}, []time.Duration{7 * time.Second, 7 * time.Second}},
		{"429 with Retry-After date", http.StatusTooManyRequests, http.Header{"Retry-After": {t0.Add(90 * time.Second).Format(http.TimeFormat)}}, []time.Duration{90 * time.Second}},
		{"429 without Retry-After backs off", http.StatusTooManyRequests, nil, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"412", http.StatusPreconditionFailed, nil, []time.Duration{time.Second, 2 * time.Second}},
		{"502", http.StatusBadGateway, nil, []time.Duration{time.Second, 2 * time.Second}},
		{"504", http.StatusGatewayTimeout, http.Header{"Retry-After": {"3"}}, []time.Duration{3 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// maxWait 0: every wait goes back to the dispatcher, so the
			// test sees each backoff as an error.
			e := installed(t, teams.WithPacing(7, 0.5, 0))
			ctx := context.Background()
			for i, want := range tt.want {
				e.fc.fail(reply{status: tt.status, header: tt.header, body: `{"error":{"code":"Throttled","message":"slow down"}}`})
				_, err := e.a.Send(ctx, agenda("a"), cadence.Ref{})
				retry, after := cadence.IsRetryable(err)
				require.True(t, retry, "attempt %d: %v", i, err)
				assert.Equal(t, want, after, "attempt %d", i)
				var se *cadence.SendError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tt.status < 500, se.NotSent, "a 4xx posted nothing; after a 5xx the outcome is unknown")

				// Until the wait is over, the conversation is not called at all.
				n := len(e.fc.requests())
				_, err = e.a.Send(ctx, agenda("b"), cadence.Ref{})
				retry, after = cadence.IsRetryable(err)
				assert.True(t, retry)
				assert.Equal(t, want, after)
				assert.Len(t, e.fc.requests(), n, "paced: no request while backing off")
				e.clock.Advance(want)
			}
			ref, err := e.a.Send(ctx, agenda("a"), cadence.Ref{})
			require.NoError(t, err)
			assert.Equal(t, channelID, ref.Channel)

			// Another conversation was never held back.
			_, err = e.a.Send(ctx, promptMessage("ana"), cadence.Ref{})
			require.NoError(t, err)
		})
	}
}

func TestPermanentConnectorErrors(t *testing.T) {
	e := installed(t)
	e.fc.fail(reply{status: http.StatusBadRequest, body: `{"error":{"code":"BadArgument","message":"Unknown attachment type"}}`})
	_, err := e.a.Send(context.Background(), agenda("a"), cadence.Ref{})
	var se *cadence.SendError
	require.ErrorAs(t, err, &se)
	assert.False(t, se.Retryable)
	assert.Equal(t, "BadArgument", se.Code)
	assert.Contains(t, se.Error(), "Unknown attachment type")
}

func TestTokenIsCachedUntilExpiry(t *testing.T) {
	e := installed(t)
	ctx := context.Background()
	for i := range 3 {
		_, err := e.a.Send(ctx, agenda(fmt.Sprint("m", i)), cadence.Ref{})
		require.NoError(t, err)
	}
	tokens, _ := e.fc.counts()
	assert.Equal(t, 1, tokens)

	e.clock.Advance(56 * time.Minute) // inside the renewal margin of a one-hour token
	_, err := e.a.Send(ctx, agenda("m3"), cadence.Ref{})
	require.NoError(t, err)
	tokens, _ = e.fc.counts()
	assert.Equal(t, 2, tokens)

	// A 401 drops the token; the retry fetches a new one.
	e.fc.fail(reply{status: http.StatusUnauthorized, body: `{"error":{"code":"Unauthorized","message":"expired"}}`})
	_, err = e.a.Send(ctx, agenda("m4"), cadence.Ref{})
	retry, _ := cadence.IsRetryable(err)
	require.True(t, retry)
	_, err = e.a.Send(ctx, agenda("m4"), cadence.Ref{})
	require.NoError(t, err)
	tokens, _ = e.fc.counts()
	assert.Equal(t, 3, tokens)
}

func TestBadCredentialsAreRetryableAndNamed(t *testing.T) {
	e := newEnv(t)
	cfg := e.fc.config()
	cfg.AppPassword = "wrong"
	bad, err := teams.New(cfg, e.svc, e.st, e.clock, zerolog.New(zerolog.NewTestWriter(t)))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, e.deliver(e.teamInstall()).Code)
	_, err = bad.Send(context.Background(), agenda("a"), cadence.Ref{})
	var se *cadence.SendError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.Retryable, "a bad secret must not lose messages")
	assert.Equal(t, "auth_failed", se.Code)
	assert.Contains(t, se.Error(), "AADSTS7000215")
	assert.Contains(t, se.Error(), "TEAMS_APP_PASSWORD")
	assert.NotContains(t, se.Error(), "wrong")
}

func TestSummaryRepliesInThreadAndUpdatesInPlace(t *testing.T) {
	e := installed(t)
	ctx := context.Background()
	thread, err := e.a.Send(ctx, agenda("agenda"), cadence.Ref{})
	require.NoError(t, err)
	sum := &cadence.Message{Key: "summary", Kind: cadence.KindSummary, To: cadence.Recipient{Channel: channelID},
		Body: cadence.Body{Title: "Standup summary", Sections: []cadence.Section{{Heading: "Answered", Lines: []string{"Ana"}}}}}
	ref, err := e.a.Send(ctx, sum, thread)
	require.NoError(t, err)

	sum.Body.Sections[0].Lines = append(sum.Body.Sections[0].Lines, "Ben")
	require.NoError(t, e.a.Update(ctx, ref, sum))

	reqs := e.fc.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "/v3/conversations/"+channelID+"/activities/"+thread.ID, reqs[1].Path, "summary replies to the agenda")
	assert.Equal(t, "PUT", reqs[2].Method)
	assert.Equal(t, "/v3/conversations/"+channelID+"/activities/"+ref.ID, reqs[2].Path)
	assert.Equal(t, ref.ID, reqs[2].Activity.ID)
	assert.Contains(t, card(t, reqs[2]), "• Ben")
}

func TestLongSummaryIsSplitAndUpdatedPartByPart(t *testing.T) {
	const limit = 6 * 1024
	e := installed(t, teams.WithMaxActivityBytes(limit))
	ctx := context.Background()
	lines := func(n int) []string {
		var ls []string
		for i := range n {
			ls = append(ls, fmt.Sprintf("person-%03d: %s", i, strings.Repeat("answer text ", 10)))
		}
		return ls
	}
	sum := &cadence.Message{Key: "summary", Kind: cadence.KindSummary, To: cadence.Recipient{Channel: channelID},
		Body: cadence.Body{Title: "Standup summary", Footer: "closes at 12:30", Sections: []cadence.Section{{Heading: "Answers", Lines: lines(120)}}}}
	ref, err := e.a.Send(ctx, sum, cadence.Ref{Channel: channelID, ID: "1700000000001"})
	require.NoError(t, err)
	reqs := e.fc.requests()
	require.Greater(t, len(reqs), 2, "split in several activities")
	assert.Equal(t, "1700000000001", reqs[0].Path[strings.LastIndex(reqs[0].Path, "/")+1:], "parts reply in the thread")
	var all string
	for i, r := range reqs {
		assert.LessOrEqual(t, len(r.Raw), limit, "part %d", i)
		all += card(t, r)
		if i > 0 {
			assert.Contains(t, card(t, r), fmt.Sprintf("Standup summary (%d/%d)", i+1, len(reqs)))
		}
	}
	for _, l := range lines(120) {
		assert.Contains(t, all, l, "no line lost")
	}
	assert.Contains(t, card(t, reqs[len(reqs)-1]), "closes at 12:30", "footer on the last part")
	assert.NotContains(t, card(t, reqs[0]), "closes at 12:30")
	parts := len(reqs)

	// Shrink to two parts: each kept part is PUT, the surplus deleted.
	sum.Body.Sections[0].Lines = lines(50)
	require.NoError(t, e.a.Update(ctx, ref, sum))
	reqs = e.fc.requests()[parts:]
	var puts, deletes int
	for _, r := range reqs {
		switch r.Method {
		case http.MethodPut:
			puts++
		case http.MethodDelete:
			deletes++
		default:
			t.Fatalf("unexpected %s %s", r.Method, r.Path)
		}
	}
	assert.Equal(t, parts, puts+deletes)
	assert.GreaterOrEqual(t, deletes, 1)
	assert.Equal(t, ref.ID, reqs[0].ID, "the first part keeps its place")

	// Grow again: new parts are posted in the thread.
	sum.Body.Sections[0].Lines = lines(120)
	n := len(e.fc.requests())
	require.NoError(t, e.a.Update(ctx, ref, sum))
	var posts int
	for _, r := range e.fc.requests()[n:] {
		if r.Method == http.MethodPost {
			posts++
			assert.True(t, strings.HasSuffix(r.Path, "/1700000000001"))
		}
	}
	assert.Equal(t, deletes, posts)
}

// TestRestartMidSend: a split message whose second part failed is resumed
// without posting the first again, also by a new adapter (a restart), and
// Lookup tells the dispatcher a journaled message was delivered.
func TestRestartMidSend(t *testing.T) {
	e := installed(t, teams.WithMaxActivityBytes(4096)) // UTF-16 bytes: one 1200-character line a part
	ctx := context.Background()
	sum := &cadence.Message{Key: "summary", Kind: cadence.KindSummary, To: cadence.Recipient{Channel: channelID},
		Body: cadence.Body{Title: "Summary", Sections: []cadence.Section{{Lines: []string{strings.Repeat("a", 1200), strings.Repeat("b", 1200), strings.Repeat("c", 1200)}}}}}

	_, found, err := e.a.Lookup(ctx, sum, cadence.Ref{})
	require.NoError(t, err)
	assert.False(t, found)

	// The first part goes through, the second hits a 502.
	e.fc.failAfter(1, reply{status: http.StatusBadGateway})
	_, err = e.a.Send(ctx, sum, cadence.Ref{})
	require.Error(t, err)
	require.Len(t, e.fc.posts(), 1)

	_, found, err = e.a.Lookup(ctx, sum, cadence.Ref{})
	require.NoError(t, err)
	assert.False(t, found, "half a message is not delivered")

	e.clock.Advance(time.Minute)
	restarted := e.adapter()
	ref, err := restarted.Send(ctx, sum, cadence.Ref{})
	require.NoError(t, err)
	posts := e.fc.posts()
	require.Len(t, posts, 3, "parts 2 and 3 only")
	assert.Contains(t, card(t, posts[0]), "aaaa")
	assert.Contains(t, card(t, posts[1]), "bbbb")
	assert.Contains(t, card(t, posts[2]), "cccc")

	got, found, err := e.adapter().Lookup(ctx, sum, cadence.Ref{})
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, ref, got)

	// The dispatcher lost the reply and sends again: nothing is posted.
	again, err := e.adapter().Send(ctx, sum, cadence.Ref{})
	require.NoError(t, err)
	assert.Equal(t, ref, again)
	assert.Len(t, e.fc.posts(), 3)
}

func TestPacingPerConversation(t *testing.T) {
	e := installed(t, teams.WithPacing(3, 0.5, 5*time.Second))
	ctx := context.Background()
	start := e.clock.Now()
	for i := range 5 {
		_, err := e.a.Send(ctx, agenda(fmt.Sprint("a", i)), cadence.Ref{})
		require.NoError(t, err)
	}
	assert.Equal(t, []time.Duration{2 * time.Second, 2 * time.Second}, e.slept, "burst of 3, then one every 2 s")
	assert.Equal(t, 4*time.Second, e.clock.Now().Sub(start))

	// Another conversation has its own bucket.
	_, err := e.a.Send(ctx, promptMessage("ana"), cadence.Ref{})
	require.NoError(t, err)
	assert.Len(t, e.slept, 2)

	// A wait longer than maxWait goes back to the dispatcher.
	e2 := installed(t, teams.WithPacing(1, 0.1, time.Second))
	_, err = e2.a.Send(ctx, agenda("x"), cadence.Ref{})
	require.NoError(t, err)
	_, err = e2.a.Send(ctx, agenda("y"), cadence.Ref{})
	var se *cadence.SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "paced", se.Code)
	assert.True(t, se.Retryable)
	assert.Equal(t, 10*time.Second, se.RetryAfter)
}
