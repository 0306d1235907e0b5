package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/store"
	"github.com/cadencebot/cadencebot/store/postgres"
)

// appStore is what the daemon needs of its store, whichever the driver:
// the cadence store, outbox compaction (compact.go) and the write check
// (writeprobe.go, readiness.go). store.DB and postgres.DB both provide it.
type appStore interface {
	cadence.Store
	outboxCompacter
	WriteError() error
	ProbeWrite(ctx context.Context) error
	Close() error
}

// outboxCompacter drops the content of settled messages sent before a time.
type outboxCompacter interface {
	CompactOutbox(ctx context.Context, before time.Time, limit int) (compacted int, more bool, err error)
}

// backupWriter streams a consistent copy of the database: bbolt only,
// PostgreSQL has pg_dump.
type backupWriter interface {
	Backup(w io.Writer) (int64, error)
}

var (
	_ appStore     = (*store.DB)(nil)
	_ appStore     = (*postgres.DB)(nil)
	_ backupWriter = (*store.DB)(nil)
)

// errBackupOnPostgres answers a backup asked of a PostgreSQL store.
var errBackupOnPostgres = fmt.Errorf("[store] driver = %q: back up PostgreSQL with pg_dump; cadencebot backs up bbolt files only (pass --db FILE for one)", config.DriverPostgres)

// configDatabase is the bbolt file the config names, for backup given no
// --db: PostgreSQL has pg_dump.
func configDatabase(cfg *config.Config) (string, error) {
	if cfg.Store.Driver == config.DriverPostgres {
		return "", errBackupOnPostgres
	}
	return cfg.Bot.Database, nil
}

// openPostgres connects to the database CADENCEBOT_DATABASE_URL names,
// checking the variable first so a bad one is named without its password.
func openPostgres(ctx context.Context, getenv env) (*postgres.DB, error) {
	if _, err := config.DatabaseURLHost(getenv); err != nil {
		return nil, err
	}
	return postgres.Open(ctx, getenv(config.EnvDatabaseURL))
}

// openPostgresReadOnly is openPostgres for the reading commands (report,
// audit, digest): it never migrates, and refuses a schema older or newer
// than this binary's with both versions named.
func openPostgresReadOnly(ctx context.Context, getenv env) (*postgres.DB, error) {
	if _, err := config.DatabaseURLHost(getenv); err != nil {
		return nil, err
	}
	return postgres.OpenReadOnly(ctx, getenv(config.EnvDatabaseURL))
}

// usesPostgres reports whether a reading command given --db (a bbolt
// file, whatever the driver) goes to PostgreSQL instead.
func usesPostgres(cfg *config.Config, dbFlag string) bool {
	return dbFlag == "" && cfg.Store.Driver == config.DriverPostgres
}

// storeLine says which store the config selects, for `config check`.
// For PostgreSQL it names the host from the environment, never the URL.
func storeLine(cfg *config.Config, getenv env) (string, error) {
	if cfg.Store.Driver != config.DriverPostgres {
		return fmt.Sprintf("store: bbolt, file %s", cfg.Bot.Database), nil
	}
	host, err := config.DatabaseURLHost(getenv)
	if err != nil {
		return "store: postgres, " + config.EnvDatabaseURL + " not usable", err
	}
	return fmt.Sprintf("store: postgres at %s (from %s)", host, config.EnvDatabaseURL), nil
}

// storeName says where the running bot stores, for its start line: the
// bbolt file, or the PostgreSQL host (never the URL).
func (a *App) storeName() string {
	if db, ok := a.db.(*postgres.DB); ok {
		return "postgres " + db.Host()
	}
	return a.opts.DB
}
