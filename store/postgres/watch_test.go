package postgres_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// A committed change to the rituals or people kept in the store reaches
// another replica's watch; a rolled-back one and other writes do not; a
// watch that lost its connection reconnects and reports a change, since
// what was sent meanwhile is lost.
func TestWatchDefinitionsAcrossReplicas(t *testing.T) {
	dbURL := pgtest.URL(t)
	ctx := context.Background()
	a, err := postgres.Open(ctx, withAppName(t, dbURL, "watch_a"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	b, err := postgres.Open(ctx, withAppName(t, dbURL, "watch_b"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	var changes, ups atomic.Int64
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.WatchDefinitions(wctx, func() { changes.Add(1) }, func(err error) {
			if err == nil {
				ups.Add(1)
			}
		})
	}()
	t.Cleanup(func() { stop(); <-done })
	require.Eventually(t, func() bool { return ups.Load() == 1 && changes.Load() == 1 }, 10*time.Second, 5*time.Millisecond,
		"the watch listens, and reports a change that may have come before")

	put := func(id string) error {
		return a.Update(ctx, func(tx cadence.Tx) error {
			return tx.PutDefinition(&cadence.Definition{Kind: cadence.DefRitual, ID: id, Body: "title = \"x\"\n", Version: 1, UpdatedBy: "lea", UpdatedAt: time.Now()})
		})
	}
	require.NoError(t, put("standup"))
	require.Eventually(t, func() bool { return changes.Load() == 2 }, 5*time.Second, 5*time.Millisecond, "a put notifies")

	// Rolled back: nothing to hear.
	boom := errors.New("rolled back")
	require.ErrorIs(t, a.Update(ctx, func(tx cadence.Tx) error {
		if err := tx.PutDefinition(&cadence.Definition{Kind: cadence.DefRitual, ID: "gone", Body: "", Version: 1, UpdatedAt: time.Now()}); err != nil {
			return err
		}
		return boom
	}), boom)
	// Another write: not a definition.
	require.NoError(t, a.Update(ctx, func(tx cadence.Tx) error {
		_, err := cadence.AppendAudit(tx, cadence.AuditEntry{At: time.Now(), Actor: "lea", Action: "test", Target: "x"})
		return err
	}))
	require.NoError(t, a.Update(ctx, func(tx cadence.Tx) error { return tx.DeleteDefinition(cadence.DefRitual, "standup") }))
	require.Eventually(t, func() bool { return changes.Load() >= 3 }, 5*time.Second, 5*time.Millisecond, "a delete notifies")
	assert.Equal(t, int64(3), changes.Load(), "neither the rollback nor the audit entry notified")

	// The watch's connection dies: it comes back and reports a change.
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'watch_b' AND query LIKE 'LISTEN%'")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return ups.Load() == 2 && changes.Load() == 4 }, 10*time.Second, 5*time.Millisecond,
		"reconnected (%d) and reported what it may have missed (%d)", ups.Load(), changes.Load())
	require.NoError(t, put("standup"))
	require.Eventually(t, func() bool { return changes.Load() == 5 }, 5*time.Second, 5*time.Millisecond, "listening again")
}
