package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/store"
	"github.com/cadencebot/cadencebot/store/transfer"
)

// cmdMigrate copies everything one store holds into the other: bbolt to
// PostgreSQL to move over, and back for a way back. The source is opened
// read-only; the copy is verified (a full logical dump of both sides, the
// audit chain and its head) and safe to rerun.
func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	fs := newFlags("migrate", stderr)
	from := fs.String("from", "", "source: bbolt:FILE or postgres (CADENCEBOT_DATABASE_URL)")
	to := fs.String("to", "", "target: postgres or bbolt:FILE")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	src, err := parseStoreSpec("--from", *from)
	if err != nil {
		return err
	}
	dst, err := parseStoreSpec("--to", *to)
	if err != nil {
		return err
	}
	if src == dst {
		return usageError(fmt.Sprintf("migrate: --from and --to are the same store (%s)", src))
	}
	if src.postgres && dst.postgres {
		return usageError("migrate: only one side can be postgres: " + config.EnvDatabaseURL + " names one database")
	}
	s, err := src.open(ctx, getenv, false)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer s.Close()
	d, err := dst.open(ctx, getenv, true)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	defer d.Close()
	fmt.Fprintf(stderr, "copying %s to %s …\n", s.name, d.name)
	res, err := transfer.Copy(ctx, s, d)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-18s %8s %8s %8s\n", "", "source", "copied", "present")
	for _, c := range res.Counts {
		fmt.Fprintf(stdout, "%-18s %8d %8d %8d\n", c.Kind, c.Source, c.Copied, c.Present)
	}
	fmt.Fprintf(stdout, "verified: %s holds what %s holds; audit chain intact, %d entries, head %s\n",
		d.name, s.name, res.Audit.Entries, cmpHead(res.Audit.Head))
	return nil
}

func cmpHead(h string) string {
	if h == "" {
		return "(empty)"
	}
	return h
}

// storeSpec is one side of a migration.
type storeSpec struct {
	postgres bool
	file     string
}

func (s storeSpec) String() string {
	if s.postgres {
		return "postgres"
	}
	return "bbolt:" + s.file
}

func parseStoreSpec(flag, v string) (storeSpec, error) {
	switch {
	case v == "":
		return storeSpec{}, usageError(fmt.Sprintf("migrate: %s is required (bbolt:FILE or postgres)\nusage: cadencebot migrate --from bbolt:FILE --to postgres (or back: --from postgres --to bbolt:FILE)", flag))
	case v == "postgres" || v == "postgresql":
		return storeSpec{postgres: true}, nil
	case strings.HasPrefix(v, "bbolt:") && len(v) > len("bbolt:"):
		return storeSpec{file: strings.TrimPrefix(v, "bbolt:")}, nil
	case strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://"):
		// Never echo it: it may hold a password.
		return storeSpec{}, usageError(fmt.Sprintf("migrate: %s takes \"postgres\"; the connection string comes from %s only (a URL on the command line lands in shell history and ps)", flag, config.EnvDatabaseURL))
	}
	return storeSpec{}, usageError(fmt.Sprintf("migrate: %s %q: want bbolt:FILE or postgres", flag, v))
}

// namedStore is an open store and what to call it in messages.
type namedStore struct {
	cadence.Store
	name  string
	close func() error
}

func (n *namedStore) Close() error { return n.close() }

// open opens the source read-only (it is never changed, nor migrated),
// or the target for writing (created, or migrated, as `run` would).
func (s storeSpec) open(ctx context.Context, getenv env, target bool) (*namedStore, error) {
	if s.postgres {
		open := openPostgresReadOnly
		if target {
			open = openPostgres
		}
		db, err := open(ctx, getenv)
		if err != nil {
			return nil, err
		}
		return &namedStore{Store: db, name: "postgres " + db.Host(), close: db.Close}, nil
	}
	var db *store.DB
	var err error
	if target {
		db, err = store.Open(s.file, store.Options{})
	} else {
		db, err = openExisting(s.file, store.Options{})
	}
	if err != nil {
		return nil, err
	}
	return &namedStore{Store: db, name: "bbolt " + s.file, close: db.Close}, nil
}
