package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
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
