package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/store/postgres"
)

// testLog shows a replica's warnings and errors when CADENCEBOT_TEST_LOG
// is set.
func testLog(name string) zerolog.Logger {
	if os.Getenv("CADENCEBOT_TEST_LOG") == "" {
		return zerolog.Nop()
	}
	return zerolog.New(os.Stderr).Level(zerolog.InfoLevel).With().Timestamp().Str("replica", name).Logger()
}

// Replicas here are Apps in the test process, each with its own database
// role and pool, its own Slack HTTP client and Socket Mode connection, on
// one PostgreSQL database and one fake Slack workspace. "kill -9" is
// simulated from the outside world's point of view: the replica's Slack
// client fails every request from that instant, its role may no longer
// log in and its connections are terminated, and only then is it told to
// stop — nothing it does afterwards can reach Slack or the database, so
// nothing is cleaned up (the lease is not given back). Requests already on
// the wire still arrive, as they would from a killed process.

const replicaBotToken, replicaAppToken = "xoxb-1-2-replicas", "xapp-1-A0CADENCE-3-replicas"

// replicaTTL is short so a takeover fits a test; the proofs are in
// multiples of it.
const replicaTTL = 2 * time.Second

type cluster struct {
	t      *testing.T
	fake   *slacktest.Server
	clock  *cadence.ManualClock
	admin  string // the database URL as its owner
	dbName string
	cfg    string
	people int
	reps   []*replica
}

type replica struct {
	name string
	app  *App
	net  *slackNet
	stop context.CancelFunc
	done chan error
	url  string
	dead bool
}

// slackNet is a replica's way to Slack: it can be cut, and it remembers
// when each chat.postMessage left.
type slackNet struct {
	cut   atomic.Bool
	mu    sync.Mutex
	posts []time.Time
}

func (n *slackNet) RoundTrip(r *http.Request) (*http.Response, error) {
	if n.cut.Load() {
		return nil, errors.New("replica killed: no network")
	}
	if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
		n.mu.Lock()
		n.posts = append(n.posts, time.Now())
		n.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (n *slackNet) postTimes() []time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]time.Time(nil), n.posts...)
}

// monday 09:00 Zurich; the triage opens at 09:30.
var replicaMonday = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

const replicaTriage = "triage@20261130T083000Z"

func newCluster(t *testing.T, dbURL string, people int) *cluster {
	clock := cadence.NewManualClock(replicaMonday)
	fake := slacktest.New(replicaBotToken, replicaAppToken)
	t.Cleanup(fake.Close)
	fake.Now = clock.Now
	fake.AddChannel(slacktest.Channel{ID: "C0MLOPS01", Name: "mlops"})
	var b strings.Builder
	fmt.Fprintf(&b, "[store]\ndriver = \"postgres\"\nlease_ttl = %q\n\n[bot]\ntimezone = \"Europe/Zurich\"\nplatform = \"slack\"\n\n[slack]\napi_url = %q\n", replicaTTL.String(), fake.URL)
	for i := range people {
		uid := fmt.Sprintf("U%08d", i)
		fake.AddUser(slacktest.User{ID: uid, Name: uid, TZ: "Europe/Zurich"})
		role := "specialist"
		if i == 0 {
			role = "lead"
		}
		fmt.Fprintf(&b, "\n[[people]]\nid = \"p%04d\"\nname = \"P%04d\"\nrole = %q\nslack = %q\n", i, i, role, uid)
	}
	b.WriteString(`
[[rituals]]
id = "triage"
title = "Triage"
kind = "triage"
schedule = "30 9 * * 1"
channel = "mlops"
participants = ["all"]
window = "1h"
`)
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	// The schema belongs to the database's owner, not to a replica's
	// role, which the test drops.
	db, err := postgres.Open(context.Background(), dbURL)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	return &cluster{t: t, fake: fake, clock: clock, admin: dbURL, dbName: strings.TrimPrefix(u.Path, "/"), cfg: b.String(), people: people}
}

// exec runs statements as the database's owner.
func (c *cluster) exec(sqls ...string) {
	c.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.admin)
	require.NoError(c.t, err)
	defer conn.Close(ctx)
	for _, s := range sqls {
		_, err := conn.Exec(ctx, s)
		require.NoError(c.t, err, s)
	}
}

// start adds a replica logging in as a role of its own.
func (c *cluster) start(cfgText string, opts ...func(*appOptions)) *replica {
	t := c.t
	t.Helper()
	name := fmt.Sprintf("%s_r%d", c.dbName, len(c.reps)+1)
	c.exec(fmt.Sprintf("CREATE ROLE %s LOGIN SUPERUSER", name))
	t.Cleanup(func() { c.exec("DROP ROLE IF EXISTS " + name) })
	u, _ := url.Parse(c.admin)
	u.User = url.User(name)
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	vars := map[string]string{config.EnvDatabaseURL: u.String(), "SLACK_BOT_TOKEN": replicaBotToken, "SLACK_APP_TOKEN": replicaAppToken}
	cfg, err := config.Parse("replica.toml", []byte(cfgText))
	require.NoError(t, err)
	r := &replica{name: name, net: &slackNet{}, done: make(chan error, 1)}
	o := appOptions{Listen: "127.0.0.1:0", Getenv: func(k string) string { return vars[k] }, Clock: c.clock,
		Log: testLog(name), TickEvery: 10 * time.Millisecond,
		SlackOptions: []slack.Option{slack.WithHTTPClient(&http.Client{Transport: r.net, Timeout: 10 * time.Second}), slack.WithLimits(unlimited())}}
	for _, f := range opts {
		f(&o)
	}
	r.app, err = newApp(cfg, o)
	require.NoError(t, err)
	r.url, err = r.app.Listen()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	go func() { r.done <- r.app.Run(ctx) }()
	t.Cleanup(func() {
		r.stop()
		select {
		case <-r.done:
		case <-time.After(15 * time.Second):
			t.Errorf("%s did not stop", name)
		}
		_ = r.app.Close()
	})
	c.reps = append(c.reps, r)
	return r
}

// unlimited lifts the adapter's own pacing: the fake's clock is frozen,
// and pacing is not under test here.
func unlimited() slack.Limits {
	l := slack.DefaultLimits()
	for m := range l.Method {
		l.Method[m] = slack.Limit{PerMinute: 1e9, Burst: 1e6}
	}
	for m := range l.PerChannel {
		l.PerChannel[m] = slack.Limit{PerMinute: 1e9, Burst: 1e6}
	}
	return l
}

// cutDB makes the replica's database unreachable: its role may not log in
// and its connections are terminated.
func (c *cluster) cutDB(r *replica) {
	c.exec("ALTER ROLE "+r.name+" NOLOGIN",
		fmt.Sprintf("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '%s'", r.name))
}

// kill is kill -9 as the world sees it (see the top of the file).
func (c *cluster) kill(r *replica) {
	c.cutDB(r)
	r.net.cut.Store(true)
	r.dead = true
	r.stop()
}

// leader waits for one live replica to lead and returns it.
func (c *cluster) leader(within time.Duration) *replica {
	c.t.Helper()
	var found *replica
	require.Eventually(c.t, func() bool {
		found = nil
		n := 0
		for _, r := range c.reps {
			if !r.dead && r.app.leaderView().Leading {
				found = r
				n++
			}
		}
		return n == 1
	}, within, 5*time.Millisecond, "one live replica leads")
	return found
}

// lease reads the lease row.
func (c *cluster) lease() (holder string, epoch int64, acquired time.Time) {
	c.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.admin)
	require.NoError(c.t, err)
	defer conn.Close(ctx)
	require.NoError(c.t, conn.QueryRow(ctx, "SELECT holder, epoch, acquired_at FROM leader_lease").Scan(&holder, &epoch, &acquired))
	return holder, epoch, acquired
}

// delivered counts the messages in the workspace per message key (and
// part, for a message Slack needs two posts for).
func (c *cluster) delivered() map[string]int {
	out := map[string]int{}
	for _, m := range c.fake.AllMessages() {
		var md struct {
			Payload struct {
				Key  string  `json:"key"`
				Part float64 `json:"part"`
			} `json:"event_payload"`
		}
		if len(m.Metadata) > 0 && json.Unmarshal(m.Metadata, &md) == nil && md.Payload.Key != "" {
			k := md.Payload.Key
			if md.Payload.Part > 1 {
				k += fmt.Sprintf("#part%d", int(md.Payload.Part))
			}
			out[k]++
		}
	}
	return out
}

func (c *cluster) prompts() int {
	n := 0
	for k := range c.delivered() {
		if strings.Contains(k, "/prompt/") {
			n++
		}
	}
	return n
}

// duplicates lists keys delivered more than once.
func (c *cluster) duplicates() []string {
	var out []string
	for k, n := range c.delivered() {
		if n > 1 {
			out = append(out, fmt.Sprintf("%s ×%d", k, n))
		}
	}
	return out
}

// drained reports whether the outbox has nothing left to send.
func (c *cluster) drained(r *replica) bool {
	var n int
	err := r.app.db.View(context.Background(), func(tx cadence.Tx) error {
		due, err := tx.Due(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 10)
		if err != nil {
			return err
		}
		// A summary whose figures moved is work too: the dispatcher
		// draws it before it becomes due.
		dirty, err := tx.DirtySummaries(10)
		n = len(due) + len(dirty)
		return err
	})
	return err == nil && n == 0
}
