package postgres_test

import (
	"context"
	"errors"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

const testTTL = time.Second

// replica is one process's view of the database: its own pool (named by
// application_name, so a test can cut exactly its connections) and
// elector.
type replica struct {
	name    string
	db      *postgres.DB
	el      *postgres.Elector
	wakes   atomic.Int64
	stop    context.CancelFunc
	stopped chan struct{}
}

func withAppName(t testing.TB, raw, name string) string {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func startReplica(t *testing.T, dbURL, name, hash string) *replica {
	t.Helper()
	return newReplica(t, dbURL, name, hash, testTTL)
}

func startReplicaTB(tb testing.TB, dbURL, name string, ttl time.Duration) *replica {
	tb.Helper()
	return newReplica(tb, dbURL, name, "h", ttl)
}

func newReplica(t testing.TB, dbURL, name, hash string, ttl time.Duration) *replica {
	db, err := postgres.Open(context.Background(), withAppName(t, dbURL, name))
	require.NoError(t, err)
	r := &replica{name: name, db: db, stopped: make(chan struct{})}
	r.el = db.NewElector(postgres.ElectorConfig{Holder: name, ConfigHash: hash, TTL: ttl, Logger: zerolog.Nop(),
		OnWake: func() { r.wakes.Add(1) }})
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	go func() { defer close(r.stopped); r.el.Run(ctx) }()
	t.Cleanup(func() { r.shutdown(); _ = db.Close() })
	return r
}

func (r *replica) shutdown() {
	r.stop()
	<-r.stopped
}

// campaign returns the replica's term once it wins, or fails after d.
func campaign(t testing.TB, r *replica, d time.Duration) cadence.Term {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	term, err := r.el.Campaign(ctx)
	require.NoError(t, err, "%s did not win the lease within %s", r.name, d)
	return term
}

// terminate ends every connection of the named replica, as an operator's
// pg_terminate_backend or a network cut would.
func terminate(t testing.TB, dbURL, name string) int {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer c.Close(ctx)
	var n int
	require.NoError(t, c.QueryRow(ctx, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", name).Scan(&n))
	return n
}

// putRitual writes under ctx: fenced when ctx carries a term.
func putRitual(ctx context.Context, db *postgres.DB, id string) error {
	return db.Update(ctx, func(tx cadence.Tx) error { return tx.PutRitualState(&cadence.RitualState{RitualID: id}) })
}

func TestLeaseOneLeaderAndFencing(t *testing.T) {
	dbURL := pgtest.URL(t)
	a := startReplica(t, dbURL, "a", "h1")
	ta := campaign(t, a, 5*time.Second)
	assert.Equal(t, int64(1), ta.Epoch)
	require.Eventually(t, func() bool { return a.el.Status().Leading }, time.Second, 5*time.Millisecond)

	b := startReplica(t, dbURL, "b", "h1")
	bctx, bcancel := context.WithCancel(context.Background())
	bwon := make(chan cadence.Term, 1)
	go func() {
		if term, err := b.el.Campaign(bctx); err == nil {
			bwon <- term
		}
	}()
	defer bcancel()
	require.Eventually(t, func() bool { st := b.el.Status(); return st.Known && st.Holder == "a" }, 5*time.Second, 5*time.Millisecond)
	// a renews: b stays a follower over several TTLs.
	select {
	case <-bwon:
		t.Fatal("b took a lease a renews")
	case <-time.After(3 * testTTL):
	}
	assert.True(t, a.el.Status().Leading)
	actx := cadence.WithTerm(context.Background(), ta.Epoch)
	require.NoError(t, putRitual(actx, a.db, "while-leading"), "the leader's fenced write commits")

	// a's connections are cut: a stops at once, b leads after the lease
	// expires, and a's epoch can write no more.
	cut := time.Now()
	require.Positive(t, terminate(t, dbURL, "a"))
	select {
	case <-ta.Lost:
	case <-time.After(testTTL):
		t.Fatal("a's term did not end when its connection was cut")
	}
	var tb cadence.Term
	select {
	case tb = <-bwon:
	case <-time.After(2 * testTTL):
		t.Fatal("b did not lead within 2× the lease TTL")
	}
	took := time.Since(cut)
	t.Logf("takeover %s after the cut (TTL %s)", took, testTTL)
	assert.Equal(t, int64(2), tb.Epoch)
	// The first tries may meet a pooled connection the cut terminated
	// (SQLSTATE 57P01); the pool replaces it, and then the fence answers.
	var err error
	for i := 0; i < 5; i++ {
		if err = putRitual(actx, a.db, "after-losing"); err == nil || errors.Is(err, cadence.ErrNotLeader) {
			break
		}
	}
	require.ErrorIs(t, err, cadence.ErrNotLeader, "the old epoch is fenced")
	require.NoError(t, putRitual(cadence.WithTerm(context.Background(), tb.Epoch), b.db, "new-leader"))
	require.NoError(t, putRitual(context.Background(), a.db, "follower-answer"), "unfenced writes work from any replica")
	require.NoError(t, a.db.View(context.Background(), func(tx cadence.Tx) error {
		_, err := tx.RitualState("after-losing")
		assert.ErrorIs(t, err, cadence.ErrNotFound, "the refused write left nothing")
		return nil
	}))
	require.Eventually(t, func() bool { st := a.el.Status(); return st.Known && st.Err == nil && st.Holder == "b" && !st.Leading },
		5*time.Second, 10*time.Millisecond, "a reconnected and follows b")
}

// A replica that shuts down gives the lease up: the next one leads at its
// next look, not after the TTL. The TTL is long so that "given up" and
// "waited out" stay far apart on a loaded machine (at load 18 a 1 s TTL
// took 1.23 s against a 0.75 s bound).
func TestLeaseResignOnShutdown(t *testing.T) {
	const ttl = 10 * time.Second
	dbURL := pgtest.URL(t)
	a := newReplica(t, dbURL, "a", "h1", ttl)
	campaign(t, a, 5*time.Second)
	b := newReplica(t, dbURL, "b", "h1", ttl)
	require.Eventually(t, func() bool { return b.el.Status().Holder == "a" }, 5*time.Second, 5*time.Millisecond)
	done := make(chan cadence.Term, 1)
	go func() {
		if term, err := b.el.Campaign(context.Background()); err == nil {
			done <- term
		}
	}()
	start := time.Now()
	a.shutdown()
	select {
	case term := <-done:
		assert.Equal(t, int64(2), term.Epoch)
		assert.Less(t, time.Since(start), ttl/2, "the lease was given up, not waited out (the next look is at most a third of the TTL)")
	case <-time.After(2 * ttl):
		t.Fatal("b did not lead after a shut down")
	}
}

// A follower started from another config sees the leader's hash.
func TestLeaseConfigHash(t *testing.T) {
	dbURL := pgtest.URL(t)
	a := startReplica(t, dbURL, "a", "aaaa")
	campaign(t, a, 5*time.Second)
	b := startReplica(t, dbURL, "b", "bbbb")
	c := startReplica(t, dbURL, "c", "aaaa")
	require.Eventually(t, func() bool { _, l := b.el.ConfigDiffers(); return l != "" }, 5*time.Second, 5*time.Millisecond)
	ours, leaders := b.el.ConfigDiffers()
	assert.Equal(t, "bbbb", ours)
	assert.Equal(t, "aaaa", leaders)
	require.Eventually(t, func() bool { return c.el.Status().Known }, 5*time.Second, 5*time.Millisecond)
	ours, leaders = c.el.ConfigDiffers()
	assert.Empty(t, ours+leaders, "same config: nothing to say")
	// b's operator fixes the file and reloads: the difference goes away.
	b.el.SetConfigHash("aaaa")
	ours, leaders = b.el.ConfigDiffers()
	assert.Empty(t, ours+leaders)
}

// Outbox work queued outside the leader wakes every replica's elector
// (NOTIFY on commit); the leader's own writes, and writes that queue
// nothing, do not.
func TestWakeOnOutboxWork(t *testing.T) {
	dbURL := pgtest.URL(t)
	a := startReplica(t, dbURL, "a", "h")
	ta := campaign(t, a, 5*time.Second)
	b := startReplica(t, dbURL, "b", "h")
	require.Eventually(t, func() bool { return b.el.Status().Known }, 5*time.Second, 5*time.Millisecond)
	base := a.wakes.Load()
	enqueue := func(ctx context.Context, db *postgres.DB, key string) {
		require.NoError(t, db.Update(ctx, func(tx cadence.Tx) error {
			_, err := tx.Enqueue(&cadence.Message{Key: key, Platform: "local", To: cadence.Recipient{Person: "ana"}, State: cadence.StatePending})
			return err
		}))
	}
	start := time.Now()
	enqueue(context.Background(), b.db, "from-follower")
	require.Eventually(t, func() bool { return a.wakes.Load() > base }, time.Second, time.Millisecond, "the leader heard of it")
	t.Logf("leader woken %s after the follower's commit", time.Since(start))

	// The rest are watched on a connection of the test's own: a marker
	// notified after them must be the first thing it hears.
	ctx := context.Background()
	l, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer l.Close(ctx)
	_, err = l.Exec(ctx, "LISTEN "+postgres.WakeChannel)
	require.NoError(t, err)
	enqueue(cadence.WithTerm(ctx, ta.Epoch), a.db, "from-leader")
	require.NoError(t, putRitual(ctx, b.db, "no-message"))
	enqueue(ctx, b.db, "from-follower") // already queued: nothing new
	_, err = l.Exec(ctx, "SELECT pg_notify($1, 'marker')", postgres.WakeChannel)
	require.NoError(t, err)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n, err := l.WaitForNotification(wctx)
	require.NoError(t, err)
	assert.Equal(t, "marker", n.Payload, "no wake before the marker")
}
