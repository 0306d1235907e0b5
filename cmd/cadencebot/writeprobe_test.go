package main

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/postgres"
)

// failingStore is a store whose writes fail until back on the clock: a
// small write then succeeds and clears the error, as store.DB's and
// postgres.DB's ProbeWrite do.
type failingStore struct {
	appStore // nil: only the write check is called
	clock    *cadence.ManualClock
	err      error
	back     time.Time
	probes   []time.Time
}

func (s *failingStore) WriteError() error { return s.err }

func (s *failingStore) ProbeWrite(context.Context) error {
	now := s.clock.Now()
	s.probes = append(s.probes, now)
	if now.Before(s.back) {
		return s.err
	}
	s.err = nil
	return nil
}

// After a write fails, readiness comes back soon after the PostgreSQL
// server answers again (a follower writes rarely, so a small write is
// what clears it), while a failure the server or the disk reports (full)
// is retried every writeProbeEvery as before, and says not ready until a
// write succeeds.
func TestCheckWritesBackoff(t *testing.T) {
	const step = 50 * time.Millisecond
	for _, tc := range []struct {
		name      string
		lost      func(error) bool // App.connectionLost
		err       error
		downFor   time.Duration // the write fails until then
		readyBy   time.Duration // ready at most this long after that
		first     time.Duration // the first small write, after the failure
		maxProbes int           // small writes tried while it failed
	}{
		{name: "PostgreSQL restarted: connection refused", lost: postgres.ConnectionLost,
			err: fmt.Errorf("postgres: begin on db: %w", &pgconn.ConnectError{}), downFor: 3 * time.Second,
			readyBy: writeProbeLostMax, first: writeProbeFirst, maxProbes: 5},
		{name: "PostgreSQL shut down mid-write (57P01)", lost: postgres.ConnectionLost,
			err: &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, downFor: 400 * time.Millisecond,
			readyBy: 2 * writeProbeFirst, first: writeProbeFirst, maxProbes: 2},
		{name: "PostgreSQL down a minute", lost: postgres.ConnectionLost,
			err: &pgconn.PgError{Code: "08006"}, downFor: time.Minute,
			readyBy: writeProbeLostMax, first: writeProbeFirst, maxProbes: 35},
		{name: "PostgreSQL disk full (53100)", lost: postgres.ConnectionLost,
			err: &pgconn.PgError{Code: "53100", Message: "could not extend file"}, downFor: 3 * time.Second,
			readyBy: writeProbeEvery, first: writeProbeEvery, maxProbes: 0},
		{name: "bbolt disk full", lost: nil,
			err: errors.New("write to database bot.db: file too large"), downFor: 3 * time.Second,
			readyBy: writeProbeEvery, first: writeProbeEvery, maxProbes: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
			clock := cadence.NewManualClock(start)
			st := &failingStore{clock: clock, err: tc.err, back: start.Add(tc.downFor)}
			a := &App{opts: appOptions{Clock: clock}, log: zerolog.Nop(), db: st, connectionLost: tc.lost}
			ctx := context.Background()

			a.checkWrites(ctx) // the failed write is seen
			require.True(t, a.writes.failing)
			for clock.Now().Add(step).Before(st.back) {
				clock.Advance(step)
				a.checkWrites(ctx)
			}
			assert.LessOrEqual(t, len(st.probes), tc.maxProbes, "small writes while it failed: %v", st.probes)
			require.True(t, a.writes.failing, "not ready until a write succeeds")
			back := clock.Now()
			for a.writes.failing && clock.Now().Sub(back) <= writeProbeEvery {
				clock.Advance(step)
				a.checkWrites(ctx)
			}
			require.False(t, a.writes.failing, "ready again")
			took := clock.Now().Sub(back)
			assert.LessOrEqual(t, took, tc.readyBy, "ready %s after the database answered", took)
			require.NotEmpty(t, st.probes)
			assert.Equal(t, start.Add(tc.first), st.probes[0], "the first small write")
			assert.Equal(t, st.probes[len(st.probes)-1], clock.Now(), "a write succeeded")
		})
	}
}
