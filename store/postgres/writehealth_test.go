package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// A write the database refuses (here a disk_full raised by a trigger)
// shows in WriteError; once writes work again, ProbeWrite clears it. An
// error of fn's own does not count.
func TestWriteError(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	defer db.Close()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)

	require.Error(t, db.Update(ctx, func(tx cadence.Tx) error { return errors.New("fn's own") }))
	assert.NoError(t, db.WriteError(), "fn's error says nothing of the database")

	_, err = conn.Exec(ctx, `CREATE FUNCTION full_disk() RETURNS trigger AS $$
		BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$ LANGUAGE plpgsql;
		CREATE TRIGGER full_disk BEFORE INSERT OR UPDATE ON kv FOR EACH ROW EXECUTE FUNCTION full_disk()`)
	require.NoError(t, err)
	require.Error(t, db.Update(ctx, func(tx cadence.Tx) error { return tx.Put("slack", "k", []byte("v")) }))
	require.Error(t, db.WriteError())
	assert.Contains(t, db.WriteError().Error(), "could not extend file")
	require.Error(t, db.ProbeWrite(ctx), "still full")
	require.Error(t, db.WriteError())

	_, err = conn.Exec(ctx, "DROP TRIGGER full_disk ON kv")
	require.NoError(t, err)
	require.NoError(t, db.ProbeWrite(ctx))
	assert.NoError(t, db.WriteError())
}

// A lost connection is told from the server's own refusal: only the
// first is retried on the short backoff.
func TestConnectionLost(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("postgres: begin on h: %w", &pgconn.ConnectError{}), true},
		{"connection failure 08006", &pgconn.PgError{Code: "08006"}, true},
		{"admin shutdown 57P01", fmt.Errorf("commit: %w", &pgconn.PgError{Code: "57P01"}), true},
		{"starting up 57P03", &pgconn.PgError{Code: "57P03"}, true},
		{"disk full 53100", &pgconn.PgError{Code: "53100"}, false},
		{"read-only 25006", &pgconn.PgError{Code: "25006"}, false},
		{"query canceled 57014", &pgconn.PgError{Code: "57014"}, false},
		{"another error", errors.New("file too large"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, postgres.ConnectionLost(tc.err))
		})
	}
}

// A write while the server is down fails as a lost connection (so the
// bot retries it soon), and a small write clears the error once the
// server is back.
func TestWriteErrorServerDown(t *testing.T) {
	srv := pgtest.NewServer(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, srv.URL())
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.ProbeWrite(ctx))

	require.NoError(t, srv.Stop())
	require.Error(t, db.Update(ctx, func(tx cadence.Tx) error { return tx.Put("slack", "k", []byte("v")) }))
	require.Error(t, db.WriteError())
	assert.True(t, postgres.ConnectionLost(db.WriteError()), "%v", db.WriteError())
	require.Error(t, db.ProbeWrite(ctx), "still down")
	assert.True(t, postgres.ConnectionLost(db.WriteError()), "%v", db.WriteError())

	require.NoError(t, srv.Start())
	require.NoError(t, db.ProbeWrite(ctx))
	assert.NoError(t, db.WriteError())
}
