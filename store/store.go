package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Sentinel errors of Open, checked with errors.Is.
var (
	// ErrLocked: another process (usually a running cadencebot) holds the
	// file's lock.
	ErrLocked = errors.New("database is locked")
	// ErrCorrupt: the file is not a readable cadencebot database (not a
	// bbolt file, truncated, damaged, or another program's bbolt file).
	ErrCorrupt = errors.New("database is corrupt")
	// ErrSchemaTooNew: the file was written by a newer cadencebot.
	ErrSchemaTooNew = errors.New("database schema is newer than this cadencebot")
	// ErrEmpty: the file exists but has 0 bytes (a failed copy or
	// restore, a full disk), and Options.InitEmpty was not set.
	ErrEmpty = errors.New("database file is empty")
	// ErrSchemaTooOld: OpenReadOnly met a file an older cadencebot wrote,
	// which it cannot migrate without writing.
	ErrSchemaTooOld = errors.New("database schema is older than this cadencebot")
)

// DefaultTimeout is how long Open waits for the file lock.
const DefaultTimeout = time.Second

// Options tune Open. The zero value is right for the daemon.
type Options struct {
	// Timeout bounds the wait for the file lock; zero means
	// DefaultTimeout. There is deliberately no "wait forever".
	Timeout time.Duration
	// NoSync skips fsync on commit. Only for throwaway stores (simulate,
	// benchmarks): a crash can lose or corrupt the file.
	NoSync bool
	// Logger receives migration notes. The zero value logs nothing.
	Logger zerolog.Logger
	// InitEmpty lets Open make a new database in a file of 0 bytes
	// (`run --init`). Without it such a file is refused: it is far more
	// often a failed copy or a full disk than a wish for an empty bot.
	// A missing file is always created.
	InitEmpty bool
	// KeepCheckedCopy writes path+".good" after the consistency check
	// passed (the daemon does), the copy a damaged file's error names.
	KeepCheckedCopy bool
	// CheckAfterOpen (the daemon) lets a read-write Open return before
	// bbolt's full page check, once the file's meta, root and freelist
	// pages are validated (header.go): the check then runs in the
	// background on a snapshot of the file as opened (checkafter.go), and
	// damage it finds refuses every later write and shows in CheckState.
	// It begins at StartCheck (or CheckStartWait after the open).
	// A file that needs a migration or an aggregates rebuild, or whose
	// disk has no room for the snapshot, is checked inside Open as
	// before: nothing rewrites a file before its check.
	CheckAfterOpen bool
}

// DB is an open store. It implements cadence.Store.
type DB struct {
	bolt   *bolt.DB
	path   string
	writes writeHealth // writehealth.go
	check  pageCheck   // checkafter.go
}

var _ cadence.Store = (*DB)(nil)

// Open opens or creates the database at path and migrates it to the
// current schema. A second process gets ErrLocked after opts.Timeout; a
// file that is not a cadencebot database gets ErrCorrupt, never a panic.
func Open(path string, opts Options) (*DB, error) { return open(path, opts, false) }

// OpenReadOnly opens an existing database for reading only: it never
// writes, migrates or creates, so it works on a read-only file or file
// system (report, audit, backup). It shares the lock with other readers;
// a running bot's lock gives ErrLocked as Open does. A file an older
// cadencebot wrote gets ErrSchemaTooOld.
func OpenReadOnly(path string, opts Options) (*DB, error) {
	opts.InitEmpty, opts.KeepCheckedCopy, opts.CheckAfterOpen = false, false, false
	return open(path, opts, true)
}

func open(path string, opts Options, readOnly bool) (*DB, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	// bbolt trusts its file: a truncated one faults deep in mmap'd
	// memory, which Go cannot recover from. Check the header first.
	if err := checkFile(path, opts.InitEmpty); err != nil {
		return nil, err
	}
	bo := &bolt.Options{Timeout: timeout, NoSync: opts.NoSync, ReadOnly: readOnly}
	if opts.CheckAfterOpen && !readOnly {
		// The check's snapshot holds a read transaction for a while, and
		// a commit that must grow the memory map waits for every reader:
		// map room to grow into, so the first ticks do not wait on it.
		if fi, err := os.Stat(path); err == nil {
			bo.InitialMmapSize = int(fi.Size() + min(fi.Size(), 256<<20))
		}
	}
	bdb, err := openBolt(path, bo)
	if err != nil {
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, &openError{
				msg:   fmt.Sprintf("database %s is locked by another cadencebot process (gave up after %s)", path, timeout),
				kind:  ErrLocked,
				cause: err,
			}
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch),
			errors.Is(err, berrors.ErrChecksum), errors.Is(err, errPanicked):
			return nil, corrupt(path, err.Error(), err)
		}
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{bolt: bdb, path: path}
	later := opts.CheckAfterOpen && !readOnly && db.upToDate() && db.roomForCopy()
	if !later {
		if err := db.checkPages(); err != nil {
			_ = bdb.Close()
			return nil, err
		}
		if opts.KeepCheckedCopy {
			db.keepCheckedCopy(opts)
		}
	}
	if err := db.migrate(opts.Logger, readOnly); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	if !readOnly {
		// A file from before aggregates (or another AggregateVersion) gets
		// them now, in one transaction; read-only opens report from the
		// facts instead.
		rebuilt, st, err := cadence.EnsureAggregates(context.Background(), db)
		if err != nil {
			_ = bdb.Close()
			return nil, fmt.Errorf("database %s: build aggregates: %w", path, err)
		}
		if rebuilt {
			opts.Logger.Info().Str("db", path).Int("occurrences", st.Occurrences).Int("answers", st.Answers).
				Int("week_aggregates", st.Weeks).Msg("aggregates rebuilt from the facts")
		}
	}
	if later {
		if err := db.checkAfterOpen(opts, opts.KeepCheckedCopy); err != nil {
			_ = bdb.Close()
			return nil, err
		}
	}
	return db, nil
}

// openBolt is bolt.Open with panics and memory faults turned into errors:
// bbolt panics on some kinds of damage it meets while loading the file.
// The file is captured so a panic does not leak its descriptor and lock.
func openBolt(path string, o *bolt.Options) (db *bolt.DB, err error) {
	var file *os.File
	o.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			if file != nil {
				unlock(file)
				_ = file.Close()
			}
			db, err = nil, fmt.Errorf("%w: %v", errPanicked, p)
		}
	}()
	return bolt.Open(path, 0o600, o)
}

var errPanicked = errors.New("bbolt panicked")

// Path is the file the database lives in.
func (db *DB) Path() string { return db.path }

// Close releases the file and its lock.
func (db *DB) Close() error {
	db.stopCheck()
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close database %s: %w", db.path, err)
	}
	return nil
}

// View runs fn in a read-only transaction. fn must not call View or
// Update itself: bbolt transactions do not nest.
func (db *DB) View(ctx context.Context, fn func(cadence.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(func(btx *bolt.Tx) error { return fn(&tx{btx: btx}) })
}

// Update runs fn in a read-write transaction, committed if fn returns nil
// and rolled back otherwise (also on panic). One writer runs at a time.
func (db *DB) Update(ctx context.Context, fn func(cadence.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := db.damaged(); err != nil {
		return err
	}
	committing := false
	err := db.bolt.Update(func(btx *bolt.Tx) error {
		err := fn(cadence.WithAggregates(&tx{btx: btx}))
		committing = err == nil
		return err
	})
	db.noteCommit(committing, err)
	return err
}

// update is Update without aggregate upkeep, for writes that touch no
// fact (outbox compaction).
func (db *DB) update(ctx context.Context, fn func(*tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := db.damaged(); err != nil {
		return err
	}
	committing := false
	err := db.bolt.Update(func(btx *bolt.Tx) error {
		err := fn(&tx{btx: btx})
		committing = err == nil
		return err
	})
	db.noteCommit(committing, err)
	return err
}

// UpdateBatch is Update for many concurrent writers of small, independent
// changes (answers arriving at the same minute): bbolt coalesces them into
// one commit and one fsync. fn must be idempotent, since a failing batch
// is retried one call at a time, and the call returns only after the
// batch commits (up to bbolt's MaxBatchDelay, 10ms, later).
//
// Measured with 32 concurrent writers (BenchmarkConcurrentAnswers) on a
// disk whose fsync takes 0.3–1.5ms: UpdateBatch held 375–410µs per answer
// with a seventh of Update's allocations; Update took 400µs when fsync was
// fast and 0.9–1.5ms when it was slow. So it pays on slow disks and under
// bursts, and costs a lone writer the batch delay.
func (db *DB) UpdateBatch(ctx context.Context, fn func(cadence.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := db.damaged(); err != nil {
		return err
	}
	committing := false
	err := db.bolt.Batch(func(btx *bolt.Tx) error {
		err := fn(cadence.WithAggregates(&tx{btx: btx}))
		committing = err == nil
		return err
	})
	db.noteCommit(committing, err)
	return err
}

// openError carries a user-facing message and both the package sentinel
// and bbolt's cause for errors.Is.
type openError struct {
	msg   string
	kind  error
	cause error
}

func (e *openError) Error() string { return e.msg }
func (e *openError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

func corrupt(path, why string, cause error) error {
	return &openError{
		msg:   fmt.Sprintf("database %s is not a readable cadencebot database: %s", path, why),
		kind:  ErrCorrupt,
		cause: cause,
	}
}
