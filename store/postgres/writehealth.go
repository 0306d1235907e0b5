package postgres

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cadencebot/cadencebot/cadence"
)

// databaseRefused reports whether a statement failed for the database's
// sake rather than the data's: connection lost (08), out of resources,
// disk full (53), shut down (57), a read-only server (25006).
func databaseRefused(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "53") ||
			strings.HasPrefix(pe.Code, "57") || pe.Code == "25006"
	}
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || pgconn.Timeout(err)
}

// ConnectionLost reports whether a failed write failed because the bot
// could not reach the server (connection refused or cut, the server
// shutting down or still starting: classes 08, 57P01–57P03), not because
// the server refused it (disk full, read-only). The bot retries a small
// write sooner after such a loss (cmd/cadencebot writeprobe.go): the
// server is usually back within seconds of a restart.
func ConnectionLost(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03": // admin or crash shutdown, cannot connect now
			return true
		}
		return strings.HasPrefix(pe.Code, "08")
	}
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || pgconn.Timeout(err)
}

// writeHealth remembers whether the database's own writes fail (server
// down, disk full, read-only standby), as the bbolt store's does, for
// /readyz: fn's errors are the caller's and do not count.
type writeHealth struct {
	mu  sync.Mutex
	err error
}

func (w *writeHealth) note(ctx context.Context, err error) {
	if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) && ctx.Err() != nil {
		return // the caller gave up; says nothing of the database
	}
	w.mu.Lock()
	w.err = err
	w.mu.Unlock()
}

// WriteError is the error of the last write the database refused, or nil
// once one succeeds again.
func (db *DB) WriteError() error {
	db.writes.mu.Lock()
	defer db.writes.mu.Unlock()
	return db.writes.err
}

// ProbeWrite makes one small write, so WriteError clears soon after the
// database takes writes again rather than at the bot's next real one.
func (db *DB) ProbeWrite(ctx context.Context) error {
	return db.Update(ctx, func(tx cadence.Tx) error { return tx.Put("store", "write-probe", []byte("ok")) })
}
