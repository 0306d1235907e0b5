package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// cmdReindex rebuilds every aggregate from the facts (occurrences and
// answers) in one transaction: reports read the old figures until it
// commits, never half-built ones. bbolt needs the bot stopped (it holds
// the file); on PostgreSQL the replicas keep serving, their writes
// waiting for the rebuild's write lock.
func cmdReindex(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	fs := newFlags("reindex", stderr)
	cfgPath := fs.String("config", "", "config file (default: the embedded config.example.toml)")
	dbFlag := fs.String("db", "", "database file (overrides [bot] database)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	var db interface {
		cadence.Store
		Close() error
	}
	where := ""
	if usesPostgres(cfg, *dbFlag) {
		pg, err := openPostgres(ctx, getenv)
		if err != nil {
			return err
		}
		db, where = pg, "postgres at "+pg.Host()
	} else {
		path := cmp.Or(*dbFlag, cfg.Bot.Database)
		if err := mustExist(path); err != nil {
			return err
		}
		b, err := store.Open(path, store.Options{Timeout: 500 * time.Millisecond})
		if errors.Is(err, store.ErrLocked) {
			return fmt.Errorf("%w: stop the bot first (it rebuilds aggregates itself on start when they are missing or outdated)", err)
		}
		if err != nil {
			return err
		}
		db, where = b, path
	}
	defer db.Close()
	start := time.Now()
	st, err := cadence.RebuildAggregates(ctx, db)
	if err != nil {
		return fmt.Errorf("reindex %s: %w", where, err)
	}
	fmt.Fprintf(stdout, "reindexed %s: %d occurrences (%d final, aggregated) and %d answers read, %d week aggregates written in %s\n",
		where, st.Occurrences, st.Aggregated, st.Answers, st.Weeks, time.Since(start).Round(time.Millisecond))
	return nil
}

func mustExist(path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("database %s does not exist: pass --db, or run `cadencebot run` (or `simulate --db`) first", path)
	}
	return nil
}
