package teams_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/cadence"
)

func fullAnswer() map[string]any {
	return map[string]any{"action": "answer", "occurrence": occID, "q_yesterday": "drift alert", "q_today": "ship it", "q_blockers": ""}
}

// countingRunner answers every command and counts the runs.
func countingRunner(n *int) teams.CommandRunner {
	return func(_ context.Context, _ cadence.Service, _ *cadence.Person, text string, _ time.Time) (bot.Reply, error) {
		*n++
		return bot.Reply{Title: "ran " + text}, nil
	}
}

// handled lists the handled-activity keys kept in the store.
func (e *env) handled() []string {
	e.t.Helper()
	var keys []string
	require.NoError(e.t, e.st.View(context.Background(), func(tx cadence.Tx) error {
		var err error
		keys, err = tx.Keys("teams.activities", "id/")
		return err
	}))
	return keys
}

// A Bot Connector retry carries the same activity id: it is answered 200
// and changes nothing, whatever the activity did the first time.
func TestRetriedActivityActsOnce(t *testing.T) {
	tests := []struct {
		name  string
		act   func(e *env) map[string]any
		check func(t *testing.T, e *env, runs int)
	}{
		{"card submit", func(e *env) map[string]any {
			return e.submit(ana, "1700000000042", fullAnswer())
		}, func(t *testing.T, e *env, _ int) {
			assert.Len(t, e.svc.submits, 1, "one answer stored")
			assert.Contains(t, e.svc.answers, "ana")
			require.Len(t, e.fc.requests(), 1)
			assert.Equal(t, http.MethodPut, e.fc.requests()[0].Method, "one redraw")
		}},
		{"decline", func(e *env) map[string]any {
			return e.submit(ben, "1700000000042", map[string]any{"action": "decline", "occurrence": occID})
		}, func(t *testing.T, e *env, _ int) {
			assert.Equal(t, []string{"ben:declined in Teams"}, e.svc.declines)
		}},
		{"command in the 1:1 chat", func(e *env) map[string]any { return e.personalMessage(ben, "status") },
			func(t *testing.T, e *env, runs int) {
				assert.Equal(t, 1, runs)
				assert.Len(t, e.fc.requests(), 1, "one reply")
			}},
		{"command by mention", func(e *env) map[string]any { return e.channelMention(ana, "report") },
			func(t *testing.T, e *env, runs int) {
				assert.Equal(t, 1, runs)
				assert.Len(t, e.fc.requests(), 1, "one reply")
			}},
		{"personal install", func(e *env) map[string]any { return e.personalInstall(ana) },
			func(t *testing.T, e *env, _ int) {
				assert.Len(t, e.fc.requests(), 1, "one welcome")
				assert.NotEmpty(t, e.refKeys())
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := 0
			e := newEnv(t, teams.WithCommandRunner(countingRunner(&runs)))
			act := tt.act(e)
			for i := range 3 {
				rec := e.deliver(act)
				require.Equal(t, http.StatusOK, rec.Code, "delivery %d: %s", i, rec.Body.String())
				e.clock.Advance(20 * time.Second)
			}
			tt.check(t, e, runs)
			assert.Len(t, e.handled(), 1)
		})
	}
}

// A retry after a restart is still a retry: the record is in the store.
func TestRetryAfterRestartActsOnce(t *testing.T) {
	runs := 0
	e := newEnv(t, teams.WithCommandRunner(countingRunner(&runs)))
	act := e.personalMessage(ben, "status")
	require.Equal(t, http.StatusOK, e.deliver(act).Code)
	e.h = e.adapter().Handler()
	require.Equal(t, http.StatusOK, e.deliver(act).Code)
	assert.Equal(t, 1, runs)
	assert.Len(t, e.fc.requests(), 1)
}

// Activity ids are unique per conversation only.
func TestSameIDInAnotherConversationActs(t *testing.T) {
	runs := 0
	e := newEnv(t, teams.WithCommandRunner(countingRunner(&runs)))
	first, second := e.personalMessage(ana, "status"), e.personalMessage(ben, "status")
	second["id"] = first["id"]
	require.Equal(t, http.StatusOK, e.deliver(first).Code)
	require.Equal(t, http.StatusOK, e.deliver(second).Code)
	assert.Equal(t, 2, runs)
	assert.Len(t, e.handled(), 2)
}

// A submit that failed on our side (500) is retried by the connector and
// then acts; a malformed one is not remembered either.
func TestFailedActivityActsOnRetry(t *testing.T) {
	e := newEnv(t)
	e.svc.failSubmit = errors.New("store: disk full")
	act := e.submit(ana, "1700000000042", fullAnswer())
	assert.Equal(t, http.StatusInternalServerError, e.deliver(act).Code)
	assert.Empty(t, e.svc.answers)
	assert.Empty(t, e.handled(), "the claim is released")

	require.Equal(t, http.StatusOK, e.deliver(act).Code)
	assert.Len(t, e.svc.submits, 2)
	require.Contains(t, e.svc.answers, "ana")
	assert.Equal(t, "ship it", e.svc.answers["ana"].Text("today"))
	assert.Len(t, e.handled(), 1)

	bad := e.submit(ana, "1700000000042", map[string]any{"action": "answer"})
	assert.Equal(t, http.StatusBadRequest, e.deliver(bad).Code)
	assert.Len(t, e.handled(), 1)
}

// Typing and other activities with no effect leave nothing behind.
func TestActivitiesWithoutEffectAreNotRecorded(t *testing.T) {
	e := newEnv(t)
	require.Equal(t, http.StatusOK, e.deliver(e.base("typing", "a:1on1-29:ana", "personal", ana)).Code)
	assert.Empty(t, e.handled())
}

// Handled ids are forgotten 24 to 25 hours later, a bounded number per
// request, so the namespace stays the size of about a day of activities.
func TestHandledActivitiesArePruned(t *testing.T) {
	runs := 0
	e := newEnv(t, teams.WithCommandRunner(countingRunner(&runs)))
	e.clock.Set(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	deliver := func(act map[string]any) {
		t.Helper()
		rec := e.deliver(act)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	}

	// A busy hour: more activities than one request prunes.
	var early []map[string]any
	for range 80 {
		act := e.personalMessage(ben, "status")
		deliver(act)
		early = append(early, act)
		e.clock.Advance(10 * time.Second)
	}
	require.Len(t, e.handled(), 80)

	// A day later (but within the hour) a retry is still recognised.
	e.clock.Set(time.Date(2026, 12, 1, 8, 59, 0, 0, time.UTC))
	deliver(early[0])
	assert.Equal(t, 80, runs)
	assert.Len(t, e.handled(), 80, "nothing older than 24 h yet")

	// Past 25 h the busy hour goes, at most 64 entries per request.
	e.clock.Set(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	deliver(e.personalMessage(ben, "status"))
	assert.Len(t, e.handled(), 80-64+1)
	deliver(e.personalMessage(ben, "status"))
	assert.Len(t, e.handled(), 2)

	// Three days at one activity every 20 minutes: never more than about
	// a day of them.
	most := 0
	for range 3 * 24 * 3 {
		e.clock.Advance(20 * time.Minute)
		deliver(e.personalMessage(ben, "status"))
		most = max(most, len(e.handled()))
	}
	assert.LessOrEqual(t, most, 25*3+2)
	assert.GreaterOrEqual(t, len(e.handled()), 24*3, "a day is kept")
}

// A clock that jumps back does not strand entries behind the prune cursor,
// and a long silence is caught up on.
func TestPruningAfterClockJumps(t *testing.T) {
	runs := 0
	e := newEnv(t, teams.WithCommandRunner(countingRunner(&runs)))
	start := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	e.clock.Set(start.Add(48 * time.Hour))
	require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(ben, "status")).Code)
	e.clock.Set(start) // back two days
	require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(ben, "status")).Code)
	require.Len(t, e.handled(), 2)

	// Ten days later both go, the one behind the first cursor included.
	e.clock.Set(start.Add(10 * 24 * time.Hour))
	for range 6 {
		require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(ben, "status")).Code)
	}
	assert.Len(t, e.handled(), 6, "only the recent ones are left")
}
