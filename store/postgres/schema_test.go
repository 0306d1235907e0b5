package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// The schema itself refuses duplicates, whatever code writes to it: a
// second row with the key of an existing one is a unique violation.
func TestConstraintsRefuseDuplicates(t *testing.T) {
	url := pgtest.URL(t)
	db, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	tests := []struct {
		name   string
		insert string
	}{
		{"occurrence id", `INSERT INTO occurrences (id, ritual_id, scheduled_ns, status, doc) VALUES ('triage@20261130T083000Z', 'triage', 1, 'open', '{}')`},
		{"one answer per person per occurrence", `INSERT INTO answers (occurrence_id, person_id, scheduled_ns, doc) VALUES ('triage@20261130T083000Z', 'ana', 1, '{}')`},
		{"one outbox row per key", `INSERT INTO outbox (key, platform, recipient, thread, state, created_ns, next_attempt_ns, doc) VALUES ('occ/x/prompt/ana', 'local', '', '', 'pending', 1, 1, '{}')`},
		{"audit sequence number", `INSERT INTO audit (seq, doc) VALUES (1, '{}')`},
		{"incident number", `INSERT INTO incidents (number, doc) VALUES (1, '{}')`},
		{"kv key", `INSERT INTO kv (ns, key, value) VALUES ('slack', 'k', '')`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := conn.Exec(ctx, tc.insert)
			require.NoError(t, err, "first row")
			_, err = conn.Exec(ctx, tc.insert)
			var pe *pgconn.PgError
			require.ErrorAs(t, err, &pe, "second row with the same key")
			assert.Equal(t, "23505", pe.Code, "unique_violation")
		})
	}
}

// Opening twice applies nothing the second time; a database a newer
// binary migrated is refused with both versions named.
func TestMigrations(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	for range 2 {
		db, err := postgres.Open(ctx, url)
		require.NoError(t, err)
		require.NoError(t, db.Close())
	}
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n, v int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*), max(version) FROM schema_version").Scan(&n, &v))
	assert.Equal(t, postgres.SchemaVersion(), n, "each migration recorded once")
	assert.Equal(t, postgres.SchemaVersion(), v)

	newer := postgres.SchemaVersion() + 1
	_, err = conn.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES ($1, 'from the future')", newer)
	require.NoError(t, err)
	_, err = postgres.Open(ctx, url)
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("version %d, newer than this binary's %d", newer, postgres.SchemaVersion()))
}

// A wrong URL fails within the connect timeout with the host named and
// the password left out.
func TestOpenBadURL(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	// Port 1 on loopback: nothing listens, the connection is refused.
	_, err := postgres.Open(ctx, "postgres://cadence:s3cret-pw@127.0.0.1:1/cadence?connect_timeout=3")
	require.Error(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Contains(t, err.Error(), "127.0.0.1:1/cadence")
	assert.NotContains(t, err.Error(), "s3cret-pw")

	_, err = postgres.Open(ctx, "postgres://cadence:s3cret-pw@127.0.0.1:notaport/cadence")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret-pw")
	assert.True(t, strings.Contains(err.Error(), postgres.EnvURL), "names where the URL came from: %v", err)
}
