//go:build linux

package processtest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

const fanOut = 500

// Three cadencebot processes on one PostgreSQL database and one fake Slack
// workspace with Slack's documented rate limits. The triage fires for 500
// people; in the middle of the fan-out, at an instant the workspace has
// stored a prompt whose answer the leader has not read, the leader gets
// SIGKILL: no deferred function runs, the lease is not given back, the
// kernel closes its database and Slack connections. Another process leads
// within 2× the lease TTL and finishes the fan-out, looking up in Slack
// what the dead one had in flight. The killed process, started again,
// follows and posts nothing, and takes answers from Slack. Half way,
// PostgreSQL restarts under the processes: they reconnect, one leads
// again, and in the end everyone has exactly one prompt, every answer is
// stored and has its receipt, and nothing is left unsent.
func TestKillLeaderProcessMidFanOut(t *testing.T) {
	srv := pgtest.NewServer(t)
	bin := buildBinary(t)
	w := newWorld(t, srv.URL(), bin, fanOut)

	// The triage fires at the next whole minute that leaves the processes
	// time to start: the binary reads its system clock.
	now := time.Now().UTC()
	fire := now.Truncate(time.Minute).Add(time.Minute)
	if fire.Sub(now) < 12*time.Second {
		fire = fire.Add(time.Minute)
	}
	occ := cadence.OccurrenceID("triage", fire)
	cfg := w.writeConfig(fire)
	for i := range 3 {
		w.start(fmt.Sprintf("r%d", i+1), cfg)
	}
	old := w.leader(60 * time.Second)
	require.Eventually(t, func() bool { return w.fake.OpenConnections() == 3 }, 30*time.Second, 10*time.Millisecond,
		"each process keeps a Socket Mode connection of its own")
	require.True(t, time.Now().Before(fire), "the processes took until %s to start, past the triage's minute %s", time.Now().Format("15:04:05.000"), fire.Format("15:04:05"))
	t.Logf("3 processes up, %s leads; the triage fires at %s, in %s", old.name, fire.Format("15:04:05"), time.Until(fire).Round(time.Second))

	// A fifth of the prompts out, and one in flight.
	require.Eventually(t, func() bool {
		return old.slack.held.Load() > 0 && w.prompts() >= fanOut/5
	}, time.Until(fire)+2*time.Minute, time.Millisecond, "fan-out under way")
	killed := time.Now()
	w.kill(old)
	atKill := w.prompts()
	require.Less(t, atKill, fanOut, "killed in the middle of the fan-out")

	var next *proc
	require.Eventually(t, func() bool {
		for _, p := range w.procs {
			if p.alive() && p.leads() {
				next = p
				return true
			}
		}
		return false
	}, 10*leaseTTL, 5*time.Millisecond, "another process leads")
	failover := time.Since(killed)
	t.Logf("SIGKILL to %s at %d/%d prompts; %s leads %s later (lease TTL %s, %.2f× it)",
		old.name, atKill, fanOut, next.name, failover.Round(time.Millisecond), leaseTTL, failover.Seconds()/leaseTTL.Seconds())
	assert.LessOrEqual(t, failover, 2*leaseTTL, "a new leader within 2× the lease TTL")
	term := w.epoch()

	// The killed process comes back as a follower.
	again := w.start(old.name+"-again", cfg)
	require.Eventually(t, again.follows, 30*time.Second, 20*time.Millisecond, "the restarted process follows")
	require.Eventually(t, func() bool { return w.fake.OpenConnections() == 3 }, 30*time.Second, 10*time.Millisecond,
		"the killed process's websocket ended, the restarted one's is open")
	// Answers in Slack's modal go to the newest websocket, the restarted
	// follower's; each is stored before its ack.
	for i := 1; i <= 10; i++ {
		w.answer(i, occ)
	}

	// PostgreSQL restarted under load: every connection of every process
	// is cut, and the server is gone for as long as a fast stop and a
	// start take. Until then the restarted process has only followed.
	require.Eventually(t, func() bool { return w.prompts() >= fanOut/2 }, 2*time.Minute, 10*time.Millisecond, "half the prompts out")
	if e := w.epoch(); e == term {
		require.Zero(t, again.posts(), "the restarted process posted nothing while it followed")
	} else { // a renewal came late on a loaded machine, and the lead moved
		t.Logf("the lead moved on its own (epoch %d → %d) before the restart; %s posted %d", term, e, again.name, again.posts())
	}
	atRestart := w.prompts()
	down := time.Now()
	require.NoError(t, srv.Restart())
	up := time.Now()
	lead := w.leader(10 * leaseTTL)
	leading := time.Since(up)
	// A replica whose write failed in the outage says "not ready" until a
	// write succeeds again: a small one, tried 250 ms to 2 s apart after
	// a lost connection (writeprobe.go).
	require.Eventually(t, func() bool {
		for _, p := range w.procs {
			if body := p.readyz(); p.alive() && (body == "" || strings.HasPrefix(body, "not ready")) {
				return false
			}
		}
		return true
	}, 30*leaseTTL, 10*time.Millisecond, "every process ready again")
	t.Logf("PostgreSQL restarted at %d/%d prompts: down %s; %s leads %s after it was back, every process ready after %s",
		atRestart, fanOut, up.Sub(down).Round(time.Millisecond), lead.name, leading.Round(time.Millisecond), time.Since(up).Round(time.Millisecond))
	for i := 11; i <= 20; i++ {
		w.answer(i, occ)
	}

	require.Eventually(t, func() bool { return w.prompts() == fanOut }, 3*time.Minute, 50*time.Millisecond,
		"the fan-out finishes")
	finished := time.Now()
	require.Eventually(t, func() bool {
		ob := w.outbox()
		return ob != nil && ob["pending"]+ob["sending"] == 0
	}, time.Minute, 50*time.Millisecond, "nothing left to send")
	var first time.Time
	for _, p := range w.procs {
		if f := p.slack.firstPost(); !f.IsZero() && (first.IsZero() || f.Before(first)) {
			first = f
		}
	}
	t.Logf("fan-out of %d prompts: first post %s after the scheduled minute, all in Slack %s after it (%s of posting; %d answers 429)",
		fanOut, first.Sub(fire).Round(time.Millisecond), finished.Sub(fire).Round(time.Millisecond),
		finished.Sub(first).Round(time.Millisecond), w.fake.RateLimited("chat.postMessage"))

	// Exactly once: per person, and per message key.
	d := w.delivered()
	for k, n := range d {
		assert.Equal(t, 1, n, "%s posted %d times", k, n)
	}
	for i, uid := range w.uids {
		prompts := 0
		for _, m := range w.fake.Messages(w.fake.DM(uid)) {
			if keyOf(m) == cadence.PromptKey(occ, fmt.Sprintf("p%04d", i)) {
				prompts++
			}
		}
		assert.Equal(t, 1, prompts, "prompts to %s", uid)
	}
	assert.Equal(t, 1, d[cadence.AgendaKey(occ)], "the agenda")
	assert.Equal(t, 20, w.answers(occ), "answers stored, 10 before the PostgreSQL restart and 10 after")
	for i := 1; i <= 20; i++ {
		assert.Equal(t, 1, d[cadence.ReceiptKey(occ, fmt.Sprintf("p%04d", i), 0)], "the receipt of p%04d", i)
	}
	assert.Zero(t, w.outbox()["failed"], "no message given up")

	// What the dead leader had in flight was found in Slack, not resent.
	// Usually the next leader looks it up, but its lookup can wait behind
	// a rate-limited conversations.open past its term (the PostgreSQL
	// restart moves the lead), and then a later leader does: count them all.
	reconciled, by := 0, []string{}
	for _, p := range w.procs {
		if p == old {
			continue
		}
		if n := count(p.log, "reconciled: delivered before a restart"); n > 0 {
			reconciled += n
			by = append(by, fmt.Sprintf("%s %d", p.name, n))
		}
	}
	t.Logf("the leaders after the kill reconciled %d message(s) the killed leader had in flight (%s)", reconciled, strings.Join(by, ", "))
	assert.Positive(t, reconciled, "a later leader looked up the in-flight prompt")
	t.Logf("posts per process: %s", w.postsPerProcess())

	// Slack's events reach every live process all along: none lost its
	// websocket, not even while PostgreSQL restarted.
	assert.Equal(t, 3, w.fake.OpenConnections(), "open Socket Mode connections")
	for _, p := range w.procs {
		assert.Zero(t, count(p.log, "socket mode reconnecting"), "%s reconnected to Slack", p.name)
		if p.alive() {
			assert.Contains(t, p.readyz(), "slack events (Socket Mode): connected", p.name)
		}
	}
}
