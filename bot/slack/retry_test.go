package slack_test

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
)

// dispatchUntilSent runs the real dispatcher over the adapter, moving the
// manual clock a second per round, until keys are sent; it returns the
// clock time it took.
func dispatchUntilSent(t *testing.T, e *env, keys ...string) time.Duration {
	t.Helper()
	d := cadence.NewDispatcher(e.store, e.clock, map[string]cadence.Chat{"slack": e.a}, zerolog.New(e.logs), nil,
		cadence.WithLeads(func(string) string { return "lea" }))
	start := e.clock.Now()
	for i := 0; ; i++ {
		_, err := d.RunOnce(context.Background())
		require.NoError(t, err)
		done := true
		require.NoError(t, e.store.View(context.Background(), func(tx cadence.Tx) error {
			for _, k := range keys {
				m, err := tx.Message(k)
				require.NoError(t, err)
				require.NotEqual(t, cadence.StateFailed, m.State, "%s failed: %s", k, m.LastError)
				done = done && m.State == cadence.StateSent
			}
			return nil
		}))
		if done {
			return e.clock.Now().Sub(start)
		}
		require.Less(t, i, 3600, "not delivered within an hour")
		e.clock.Advance(time.Second)
	}
}

func enqueue(t *testing.T, e *env, ms ...*cadence.Message) {
	t.Helper()
	require.NoError(t, e.store.Update(context.Background(), func(tx cadence.Tx) error {
		for _, m := range ms {
			m.Revision, m.State, m.NextAttemptAt = 1, cadence.StatePending, e.clock.Now()
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	}))
}

// TestFirstPostToAnUnjoinedChannelSurvivesAFailedAttempt: the first
// post of an occurrence to a public channel the bot has not joined fails
// once. After a 429 nothing is looked up; after a 5xx (outcome unknown)
// the lookup reads conversations.history, which Slack answers
// not_in_channel (or missing_scope, channel_not_found): that means "not
// there", and the bot joins and posts. The agenda and its summary
// arrive once each, and the lead hears nothing.
func TestFirstPostToAnUnjoinedChannelSurvivesAFailedAttempt(t *testing.T) {
	for _, tc := range []struct {
		name      string
		post      slacktest.Failure
		history   []slacktest.Failure
		histCalls int
	}{
		{"429", slacktest.Failure{Status: 429, RetryAfter: 1}, nil, 0},
		{"503, history not_in_channel", slacktest.Failure{Status: 503}, nil, 1},
		{"503, history missing_scope", slacktest.Failure{Status: 503}, []slacktest.Failure{{Error: "missing_scope"}}, 1},
		{"503, history channel_not_found", slacktest.Failure{Status: 503}, []slacktest.Failure{{Error: "channel_not_found"}}, 1},
		{"fatal_error, history not_in_channel", slacktest.Failure{Error: "fatal_error"}, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, httpMode)
			e.start()
			e.fake.FailNext("chat.postMessage", tc.post)
			e.fake.FailNext("conversations.history", tc.history...)
			ag := agenda("occ/standup/agenda", "#mlops")
			sum := longSummary(2, 10)
			sum.Platform, sum.To, sum.Thread = "slack", cadence.Recipient{Channel: "#mlops"}, ag.Key
			enqueue(t, e, ag, sum)

			dispatchUntilSent(t, e, ag.Key, sum.Key)

			assert.Equal(t, tc.histCalls, e.fake.Calls("conversations.history"), "history is read only when the outcome is unknown")
			assert.Equal(t, 1, e.fake.Calls("conversations.join"))
			perKey := map[string]int{}
			for _, m := range e.fake.Messages(cMLOps) {
				k, part := metadataKey(t, m)
				if part == 1 {
					perKey[k]++
				}
			}
			assert.Equal(t, map[string]int{ag.Key: 1, sum.Key: 1}, perKey)
			assert.Empty(t, e.fake.Messages(e.fake.DM(uLea)), "no notice to the lead")
		})
	}
}

// TestA429BurstCostsOnlyItsRetryAfter is the fan-out: 14 DM
// prompts and 2 agendas, and Slack opens with 8 × 429 asking for 2 s.
// Everything arrives within the 16 s Slack asked for plus the time its
// limits need (here under a second, plus one dispatcher poll), with no
// history read; it used to take up to half an hour.
func TestA429BurstCostsOnlyItsRetryAfter(t *testing.T) {
	e := newEnv(t, httpMode)
	e.start()
	e.fake.SetLimit("chat.postMessage", slacktest.Limit{PerMinute: 300, Burst: 30})
	e.fake.SetChannelLimit("chat.postMessage", slacktest.Limit{PerMinute: 60, Burst: 3})
	e.fake.AddChannel(slacktest.Channel{ID: "C0TWO0001", Name: "two", BotMember: true})
	var people []*cadence.Person
	var msgs []*cadence.Message
	var keys []string
	for i := 0; i < 14; i++ {
		uid := "U9" + itoa(1000000+i)
		id := "q" + itoa(i)
		e.fake.AddUser(slacktest.User{ID: uid, Name: id, TZ: "UTC"})
		people = append(people, &cadence.Person{ID: id, Location: time.UTC, Handles: cadence.Handles{SlackID: uid}})
		m := prompt("occ/standup/prompt/"+id, id, occOpen)
		msgs, keys = append(msgs, m), append(keys, m.Key)
	}
	e.svc.roster = cadence.NewRoster(append(people, e.svc.roster.People()...))
	for _, ch := range []string{cOther, "C0TWO0001"} {
		m := agenda("occ/agenda/"+ch, ch)
		msgs, keys = append(msgs, m), append(keys, m.Key)
	}
	enqueue(t, e, msgs...)
	for i := 0; i < 8; i++ {
		e.fake.FailNext("chat.postMessage", slacktest.Failure{Status: 429, RetryAfter: 2})
	}

	took := dispatchUntilSent(t, e, keys...)

	t.Logf("16 messages after 8 × 429 (Retry-After 2 s) in %s", took)
	assert.LessOrEqual(t, took, 16*time.Second+time.Second, "the Retry-After (16 s) plus a dispatcher poll: the limits allow all 16 at once")
	assert.Zero(t, e.fake.Calls("conversations.history"), "a 429 means nothing was posted: no lookup")
	assert.Zero(t, e.fake.EarlyCalls("chat.postMessage"), "no call inside a Retry-After window")
	assert.Equal(t, 16+8, e.fake.Calls("chat.postMessage"), "each message once, plus the 8 refused calls")
}
