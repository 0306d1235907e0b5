package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Migrations are plain SQL files, NNNN_name.sql, applied in order, each in
// its own transaction together with the schema_version row that records it.
// Plain embedded SQL rather than a library: the schema is small, the
// binary carries it, and "refuse a newer schema" is one comparison.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock serializes replicas migrating at the same start
// (ASCII "cadmigr").
const migrationLock int64 = 0x63_61646d_696772

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration file %q: want NNNN_name.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d (no gaps)", m.name, m.version, i+1)
		}
	}
	return out, nil
}

// SchemaVersion is the schema this binary writes: its last migration.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // the embedded files are fixed at build time; a test covers them
	}
	return len(ms)
}

// migrate applies every migration newer than the database's version, and
// refuses a database written by a newer binary.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock) }()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("schema_version table: %w", err)
	}
	var have int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&have); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	if have > len(ms) {
		return tooNew(have, len(ms))
	}
	for _, m := range ms[have:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES ($1, $2)", m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	if len(ms) > have {
		return analyzeSchema(ctx, conn)
	}
	return nil
}

// analyzeSchema analyzes this schema's tables after migrations ran: a step
// may have created, filled or rewritten one, and until autovacuum comes
// its plans would be guesses. Bounded: ANALYZE samples a fixed number of
// rows per table, and runs once per schema change, not per start. Only
// the tables this user owns (it created them): a schema shared with
// another application keeps that one's tables to itself.
func analyzeSchema(ctx context.Context, conn *pgxpool.Conn) error {
	var tables []string
	rows, err := conn.Query(ctx, "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() AND tableowner = current_user ORDER BY tablename")
	if err == nil {
		tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err == nil && len(tables) > 0 {
		_, err = conn.Exec(ctx, "ANALYZE "+strings.Join(tables, ", "))
	}
	if err != nil {
		return fmt.Errorf("analyze after migrating: %w", err)
	}
	return nil
}

func tooNew(have, want int) error {
	return fmt.Errorf("database schema is version %d, newer than this binary's %d: upgrade cadencebot: %w", have, want, ErrSchemaTooNew)
}

// checkSchema is migrate for a read-only session: the schema must be this
// binary's, as is.
func (db *DB) checkSchema(ctx context.Context) error {
	var have int
	// to_regclass is NULL, not an error, when the table does not exist
	// (an empty database, or the wrong one).
	var exists bool
	if err := db.pool.QueryRow(ctx, "SELECT to_regclass('schema_version') IS NOT NULL").Scan(&exists); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	if exists {
		if err := db.pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&have); err != nil {
			return fmt.Errorf("schema version: %w", err)
		}
	}
	want := SchemaVersion()
	switch {
	case have > want:
		return tooNew(have, want)
	case have < want:
		return fmt.Errorf("database schema is version %d, older than this binary's %d, and is open read-only: start `cadencebot run` on it once (it migrates the schema), or use the cadencebot that wrote it: %w", have, want, ErrSchemaTooOld)
	}
	return nil
}
