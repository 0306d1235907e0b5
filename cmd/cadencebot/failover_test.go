package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

const fanOutPeople = 500

// Three replicas, the leader killed in the middle of a 500-DM fan-out:
// another replica leads within 2× the lease TTL and finishes it, and each
// prompt is in Slack exactly once (the new leader looks up what the dead
// one was sending before it sends it again).
func TestReplicasKillLeaderMidFanOut(t *testing.T) {
	c := newCluster(t, pgtest.URL(t), fanOutPeople)
	for range 3 {
		c.start(c.cfg)
	}
	old := c.leader(10 * time.Second)
	require.True(t, c.fake.WaitConnections(3, 10*time.Second), "each replica has its own Socket Mode connection")

	c.clock.Set(replicaMonday.Add(30 * time.Minute)) // 09:30: the triage opens
	require.Eventually(t, func() bool { return c.prompts() >= 100 }, 30*time.Second, time.Millisecond, "fan-out under way")
	killed := time.Now()
	c.kill(old)
	atKill := c.prompts()
	require.Less(t, atKill, fanOutPeople, "killed in the middle of the fan-out")

	next := c.leader(2 * replicaTTL)
	took := time.Since(killed)
	t.Logf("killed at %d/%d prompts; %s leads %s later (lease TTL %s)", atKill, fanOutPeople, next.name, took, replicaTTL)
	assert.NotEqual(t, old.name, next.name)
	assert.Less(t, took, 2*replicaTTL)

	c.clock.Advance(time.Minute) // time passes: retries the dead leader scheduled fall due
	require.Eventually(t, func() bool { return c.prompts() == fanOutPeople && c.drained(next) }, 2*time.Minute, 10*time.Millisecond,
		"the new leader finishes the fan-out")
	t.Logf("fan-out finished %s after the kill", time.Since(killed))
	assert.Empty(t, c.duplicates(), "every message delivered exactly once")
	d := c.delivered()
	assert.Equal(t, 1, d[cadence.AgendaKey(replicaTriage)])
	assert.Equal(t, 1, d[cadence.SummaryKey(replicaTriage)])
}

// The leader's database is cut off (its connections terminated, no new
// ones) while its process keeps running and can still reach Slack: it
// stops sending before the next leader starts, and nothing is sent twice.
func TestReplicasLeaderCutFromDatabaseStopsSending(t *testing.T) {
	const people = 200
	c := newCluster(t, pgtest.URL(t), people)
	for range 3 {
		c.start(c.cfg)
	}
	old := c.leader(10 * time.Second)
	_, oldEpoch, _ := c.lease()
	c.clock.Set(replicaMonday.Add(30 * time.Minute))
	require.Eventually(t, func() bool { return c.prompts() >= 40 }, 30*time.Second, time.Millisecond)
	c.cutDB(old) // no kill: old runs on, with Slack
	require.Eventually(t, func() bool { _, e, _ := c.lease(); return e > oldEpoch }, 2*replicaTTL, 5*time.Millisecond, "a new leader within 2× the TTL")
	holder, _, acquired := c.lease()
	assert.NotEqual(t, holder, old.app.leaderView().Holder)
	c.clock.Advance(time.Minute)
	require.Eventually(t, func() bool { return c.prompts() == people }, 2*time.Minute, 10*time.Millisecond)

	posts := old.net.postTimes()
	require.NotEmpty(t, posts)
	last := posts[len(posts)-1]
	t.Logf("cut leader's last chat.postMessage %s before the new term began", acquired.Sub(last))
	assert.True(t, last.Before(acquired), "the cut leader sent nothing once the next leader could start (last post %s, new term %s)", last, acquired)
	assert.False(t, old.app.leaderView().Leading)
	assert.Empty(t, c.duplicates())
}

// Answers taken by every replica at once are all stored, each gets one
// receipt, and the occurrence keeps one summary, edited in place. An
// answer taken by a follower reaches the leader through NOTIFY: the
// dispatchers here poll once a minute, so a receipt within the second
// came from a wake-up.
func TestReplicasConcurrentAnswers(t *testing.T) {
	const people = 60
	c := newCluster(t, pgtest.URL(t), people)
	slowPoll := func(o *appOptions) { o.DispatchPoll = time.Minute }
	for range 3 {
		c.start(c.cfg, slowPoll)
	}
	lead := c.leader(10 * time.Second)
	c.clock.Set(replicaMonday.Add(30 * time.Minute))
	require.Eventually(t, func() bool { return c.prompts() == people && c.drained(lead) }, 30*time.Second, 10*time.Millisecond)

	// One answer taken by a follower: its receipt goes out at once.
	var follower *replica
	for _, r := range c.reps {
		if r != lead {
			follower = r
		}
	}
	start := time.Now()
	_, err := follower.app.eng.SubmitAnswer(context.Background(), cadence.AnswerInput{
		OccurrenceID: replicaTriage, PersonID: "p0000", Via: "test",
		Responses: []cadence.Response{{QuestionID: "incidents", Text: "first"}},
	})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return c.delivered()[cadence.ReceiptKey(replicaTriage, "p0000", 0)] == 1 }, 10*time.Second, time.Millisecond,
		"woken by NOTIFY, not the minute poll")
	t.Logf("a follower's answer: receipt in Slack %s after it was taken", time.Since(start))

	var wg sync.WaitGroup
	errs := make(chan error, people)
	for i := range people {
		r := c.reps[i%3]
		wg.Go(func() {
			_, err := r.app.eng.SubmitAnswer(context.Background(), cadence.AnswerInput{
				OccurrenceID: replicaTriage, PersonID: fmt.Sprintf("p%04d", i), Via: "test",
				Responses: []cadence.Response{{QuestionID: "incidents", Text: fmt.Sprintf("none from %d", i)}},
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	answered := time.Now()
	receipts := func() int {
		n := 0
		for k, v := range c.delivered() {
			if v > 0 && strings.Contains(k, "/receipt/") && !strings.Contains(k, "/p0000/") {
				n++
			}
		}
		return n
	}
	require.Eventually(t, func() bool { return receipts() == people-1 }, 20*time.Second, 5*time.Millisecond)
	t.Logf("all %d receipts delivered %s after the last answer", people, time.Since(answered))
	assert.Less(t, time.Since(answered), 10*time.Second, "woken by NOTIFY, not the minute poll")

	var stored int
	require.NoError(t, lead.app.db.View(context.Background(), func(tx cadence.Tx) error {
		as, err := tx.Answers(replicaTriage)
		stored = len(as)
		return err
	}))
	assert.Equal(t, people, stored)
	c.clock.Advance(5 * time.Second) // past the summary's edit interval
	// poke stands in for the dispatcher's poll, stretched to a minute here.
	require.Eventually(t, func() bool { lead.app.poke(); return c.drained(lead) }, 20*time.Second, 10*time.Millisecond)
	assert.Empty(t, c.duplicates())
	assert.Equal(t, 1, c.delivered()[cadence.SummaryKey(replicaTriage)], "one summary")
	for _, m := range c.fake.Messages("C0MLOPS01") {
		if m.ThreadTS != "" && strings.Contains(m.Text, "60 of 60") {
			return
		}
	}
	var texts []string
	for _, m := range c.fake.AllMessages() {
		if m.Channel == "C0MLOPS01" {
			texts = append(texts, m.Text)
		}
	}
	t.Errorf("the summary does not count every answer: %q", texts)
}

// PostgreSQL restarted in the middle of a fan-out: the replicas
// reconnect, one leads again, and every prompt is delivered exactly once.
func TestReplicasSurvivePostgresRestart(t *testing.T) {
	const people = 150
	srv := pgtest.NewServer(t)
	c := newCluster(t, srv.URL(), people)
	for range 2 {
		c.start(c.cfg)
	}
	c.leader(10 * time.Second)
	c.clock.Set(replicaMonday.Add(30 * time.Minute))
	require.Eventually(t, func() bool { return c.prompts() >= 30 }, 30*time.Second, time.Millisecond)
	for i := range 10 { // answers taken by both replicas just before
		_, err := c.reps[i%2].app.eng.SubmitAnswer(context.Background(), cadence.AnswerInput{
			OccurrenceID: replicaTriage, PersonID: fmt.Sprintf("p%04d", i), Via: "test",
			Responses: []cadence.Response{{QuestionID: "incidents", Text: "none"}},
		})
		require.NoError(t, err)
	}
	require.NoError(t, srv.Restart())
	t.Logf("restarted at %d/%d prompts", c.prompts(), people)
	c.clock.Advance(time.Minute) // retries scheduled during the outage fall due
	lead := c.leader(10 * replicaTTL)
	require.Eventually(t, func() bool { return c.prompts() == people && c.drained(lead) }, 2*time.Minute, 10*time.Millisecond,
		"the fan-out finishes after the restart")
	assert.Empty(t, c.duplicates())
	d := c.delivered()
	for i := range 10 {
		assert.Equal(t, 1, d[cadence.ReceiptKey(replicaTriage, fmt.Sprintf("p%04d", i), 0)], "receipt of p%04d", i)
	}
	require.NoError(t, lead.app.db.View(context.Background(), func(tx cadence.Tx) error {
		as, err := tx.Answers(replicaTriage)
		assert.Len(t, as, 10, "no answer lost")
		return err
	}))
}
