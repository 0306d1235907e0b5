package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cadencebot/cadencebot/cadence"
)

// EnvURL names the environment variable holding the connection string. It
// is never read from the config file, which is often committed.
const EnvURL = "CADENCEBOT_DATABASE_URL"

// DefaultConnectTimeout bounds connecting when the URL sets none, so a
// wrong host fails fast instead of hanging.
const DefaultConnectTimeout = 10 * time.Second

// writeLock is the advisory lock key every Update holds (ASCII "cadence").
const writeLock int64 = 0x63616465_6e6365

// DB is a cadence.Store on PostgreSQL. It is safe for concurrent use.
type DB struct {
	pool     *pgxpool.Pool
	host     string
	readOnly bool // OpenReadOnly: even Update begins READ ONLY
	writes   writeHealth
	batches  batches // UpdateBatch (batch.go)
}

var _ cadence.Store = (*DB)(nil)

// Sentinel errors of Open and OpenReadOnly, checked with errors.Is.
var (
	// ErrSchemaTooNew: the database was migrated by a newer cadencebot.
	ErrSchemaTooNew = errors.New("database schema is newer than this cadencebot")
	// ErrSchemaTooOld: OpenReadOnly met a schema this binary would
	// migrate, which it may not do.
	ErrSchemaTooOld = errors.New("database schema is older than this cadencebot")
)

// Open connects to the database at url, applies pending migrations and
// refuses a schema newer than this binary. Errors name the host, never the
// password.
func Open(ctx context.Context, url string) (*DB, error) {
	return open(ctx, url, options{})
}

// OpenReadOnly connects for reading only (report, audit, digest): every
// transaction of the session is read-only, and the schema must be exactly
// this binary's. An older one is refused rather than migrated (`run` or
// `migrate` migrates it), a newer one as Open refuses it; both errors name
// the two versions.
func OpenReadOnly(ctx context.Context, url string) (*DB, error) {
	return open(ctx, url, options{readOnly: true})
}

// options are Open's variants; tracer is for benchmarks (export_test.go).
type options struct {
	readOnly bool
	tracer   pgx.QueryTracer
}

func open(ctx context.Context, url string, o options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors leave the password out.
		return nil, fmt.Errorf("postgres: %s: %w", EnvURL, err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	if o.readOnly {
		// The server itself refuses writes, whatever code runs.
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	cfg.ConnConfig.Tracer = o.tracer
	host := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect to %s: %w", host, err)
	}
	pctx, cancel := context.WithTimeout(ctx, cfg.ConnConfig.ConnectTimeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", host, redact(err))
	}
	db := &DB{pool: pool, host: host, readOnly: o.readOnly}
	if o.readOnly {
		err = db.checkSchema(ctx)
	} else {
		err = db.migrate(ctx)
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %s: %w", host, err)
	}
	// A database from before aggregates (or another AggregateVersion) gets
	// them now, in one transaction; replicas starting together take turns
	// on the write lock and the later ones find them ready. Read-only
	// sessions report from the facts until then.
	if o.readOnly {
		return db, nil
	}
	if _, _, err := cadence.EnsureAggregates(ctx, db); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %s: build aggregates: %w", host, err)
	}
	return db, nil
}

// fenceSQL lets a leader's transaction go on only while its epoch holds
// an unexpired lease. FOR KEY SHARE holds the row until this transaction
// ends against a takeover, which locks it FOR UPDATE first (lease.go): so
// every fenced write commits before the next term begins, or not at all.
// The leader's own renewals (an UPDATE of no key column) do not wait for
// its transactions: a long one, such as opening a ritual for 500 people,
// must not cost it the lease.
const fenceSQL = `SELECT 1 FROM leader_lease WHERE name = $1 AND epoch = $2 AND expires_at > clock_timestamp() FOR KEY SHARE`

// fenced reads fenceSQL's result: no row is ErrNotLeader. The server sees
// no error in no row, so COMMIT is never sent before the fence's answer
// is in (run).
func fenced(epoch int64) func(pgx.BatchResults) error {
	return func(br pgx.BatchResults) error {
		var n int
		err := br.QueryRow().Scan(&n)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("epoch %d: %w", epoch, cadence.ErrNotLeader)
		}
		if err != nil {
			return fmt.Errorf("postgres: check the lease: %w", err)
		}
		return nil
	}
}

// redact keeps a connect error's message but drops pgconn's wrapping,
// whose text may echo connection parameters.
func redact(err error) error {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return errors.New(ce.Error())
	}
	return err
}

// Host is "host:port/database", for logs and `config check`.
func (db *DB) Host() string { return db.host }

// Close releases every connection.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// View runs fn in a read-only transaction on one snapshot.
func (db *DB) View(ctx context.Context, fn func(cadence.Tx) error) error {
	return db.run(ctx, false, fn)
}

// Update runs fn in a read-write transaction: all of fn's writes land, or
// none do. Writers are serialized by an advisory lock, as in bbolt.
func (db *DB) Update(ctx context.Context, fn func(cadence.Tx) error) error {
	return db.run(ctx, true, fn)
}

func (db *DB) run(ctx context.Context, writable bool, fn func(cadence.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		if writable {
			db.writes.note(ctx, err)
		}
		return fmt.Errorf("postgres: begin on %s: %w", db.host, err)
	}
	p := &pipe{conn: conn}
	// done stays false when fn panics or calls runtime.Goexit (a test's
	// FailNow): roll back then too, or the connection never returns.
	done := false
	defer func() {
		if !done || err != nil || !writable {
			p.rollback(context.WithoutCancel(ctx))
		}
		conn.Release()
	}()
	// BEGIN, the write lock and the fence go to the server with fn's
	// first statement (pipe.go), in this order.
	begin := "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
	if writable {
		begin = "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE"
		if db.readOnly {
			// READ WRITE would override the session's default.
			begin = "BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY"
		}
	}
	p.queue("postgres: begin on "+db.host, begin)
	if writable {
		// Taken before the first read, so every read of fn sees all
		// earlier commits (read committed, statement snapshots after the
		// lock): read-modify-write is safe, as under bbolt's single writer.
		p.queue("postgres: write lock on "+db.host, "SELECT pg_advisory_xact_lock($1)", writeLock)
	}
	epoch, isFenced := cadence.TermOf(ctx)
	if writable && isFenced {
		p.queueCheck(fenced(epoch), fenceSQL, leaseName, epoch)
	}
	t := &tx{ctx: ctx, tx: p, writable: writable, fenced: isFenced}
	if writable {
		err = fn(cadence.WithAggregates(t))
	} else {
		err = fn(t)
	}
	done = true
	if err == nil {
		// fn may have let a failed statement go (one it read as "not
		// there"): the transaction is lost all the same.
		err = p.failed
	}
	if err != nil {
		if writable && databaseRefused(err) {
			db.writes.note(ctx, err)
		}
		return err
	}
	if !writable {
		return nil // the deferred rollback ends the snapshot, if it began
	}
	if t.analyze {
		p.queue("postgres: analyze the rebuilt aggregates on "+db.host, analyzeAggregates)
	}
	if t.wake {
		// Delivered on commit only, to every replica LISTENing: the
		// leader's dispatcher sends what a follower queued at once.
		p.queue("postgres: notify on "+db.host, "SELECT pg_notify($1, '')", WakeChannel)
	}
	if t.defs {
		// Every replica reloads the rituals and people it runs
		// (WatchDefinitions); delivered on commit only.
		p.queue("postgres: notify on "+db.host, "SELECT pg_notify($1, '')", DefinitionsChannel)
	}
	if isFenced && !p.sent {
		// "No row" is no error to the server, which would run and commit
		// what follows the fence in the same pipeline: its answer comes
		// back before COMMIT is sent. (When fn read anything, it came
		// back with that read.)
		if err := p.flush(ctx); err != nil {
			if databaseRefused(err) {
				db.writes.note(ctx, err)
			}
			return err
		}
	}
	// The queued writes and COMMIT: one round trip.
	var commitErr error
	p.queueCheck(func(br pgx.BatchResults) error {
		tag, err := br.Exec()
		if err == nil && tag.String() != "COMMIT" {
			err = fmt.Errorf("rolled back (%s)", tag)
		}
		if err != nil {
			commitErr = fmt.Errorf("postgres: commit on %s: %w", db.host, err)
			return commitErr
		}
		return nil
	}, "COMMIT")
	err = p.flush(ctx)
	if err == nil || commitErr != nil || databaseRefused(err) {
		db.writes.note(ctx, err)
	}
	return err
}
