package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
)

// pageCheck is the state of the full page check that Options.CheckAfterOpen
// runs after Open returned.
type pageCheck struct {
	mu      sync.Mutex
	running bool
	done    chan struct{} // closed when the check has finished
	at      time.Time     // when it finished
	damage  error         // what it found; writes are refused from then on
	// closing tells a check in the background that Close waits for it:
	// it stops at its next step.
	closing chan struct{}
	start   chan struct{} // closed by StartCheck
	once    sync.Once
}

// CheckStartWait is how long a check of CheckAfterOpen waits for
// StartCheck before it starts anyway.
const CheckStartWait = 10 * time.Second

// StartCheck lets the page check of CheckAfterOpen begin. The daemon
// calls it a few seconds after its first tick is done: on a busy machine
// the check's CPU and disk would otherwise be taken from the start it
// follows. Its snapshot
// is the file as opened either way.
func (db *DB) StartCheck() {
	db.check.mu.Lock()
	start := db.check.start
	db.check.mu.Unlock()
	if start != nil {
		db.check.once.Do(func() { close(start) })
	}
}

// CheckStatus says where the page check stands.
type CheckStatus struct {
	// Running: Options.CheckAfterOpen's check has not finished (or not
	// yet begun: see StartCheck).
	Running bool
	// Damage is what it found (nil if nothing, or not finished); every
	// write is refused from then on.
	Damage error
	// Finished is when it finished (zero while running, and when the
	// check ran inside Open).
	Finished time.Time
}

// CheckState says where the page check stands.
func (db *DB) CheckState() CheckStatus {
	db.check.mu.Lock()
	defer db.check.mu.Unlock()
	return CheckStatus{Running: db.check.running, Damage: db.check.damage, Finished: db.check.at}
}

// WaitChecked starts the page check of CheckAfterOpen if StartCheck has
// not, waits for it and returns what it found (nil at once when none
// runs).
func (db *DB) WaitChecked() error {
	db.StartCheck()
	db.check.mu.Lock()
	done := db.check.done
	db.check.mu.Unlock()
	if done != nil {
		<-done
	}
	return db.CheckState().Damage
}

// damaged is the check's finding, which refuses every later write: what
// the file holds would be lost when the checked copy is restored, so
// nothing more may be acknowledged as stored.
func (db *DB) damaged() error {
	db.check.mu.Lock()
	defer db.check.mu.Unlock()
	return db.check.damage
}

// checkAfterOpen starts the full page check of the file as it was opened,
// in the background once StartCheck is called, and returns at once. The
// snapshot is taken here, in
// a read transaction begun before any write: bbolt's WriteTo streams its
// pages into a temporary file beside the database while writers go on,
// and bbolt's check then runs on that file, which nothing writes (Check
// reads the database's shared freelist, unsafe beside a writer on the
// live file). Clean, the file becomes the checked copy (path+".good",
// renamed over the old one) when keep is set; damaged, it is removed and
// the old copy stays, named by the error.
func (db *DB) checkAfterOpen(opts Options, keep bool) error {
	btx, err := db.bolt.Begin(false)
	if err != nil {
		return fmt.Errorf("check database %s: %w", db.path, err)
	}
	done, closing, startc := make(chan struct{}), make(chan struct{}), make(chan struct{})
	db.check.mu.Lock()
	db.check.running, db.check.done, db.check.closing, db.check.start = true, done, closing, startc
	db.check.mu.Unlock()
	go func() {
		defer close(done)
		wait := time.NewTimer(CheckStartWait)
		defer wait.Stop()
		select {
		case <-startc:
		case <-wait.C:
		case <-closing:
		}
		start := time.Now()
		damage, err := db.checkSnapshot(btx, keep, closing)
		if errors.Is(err, errClosing) {
			db.check.mu.Lock()
			db.check.running = false
			db.check.mu.Unlock()
			return
		}
		if err != nil {
			// No snapshot (a full disk, an I/O error): check the live
			// file in a write transaction instead, which bbolt allows
			// beside other writers because it holds them off meanwhile.
			opts.Logger.Warn().Err(err).Str("db", db.path).Msg("could not check a snapshot of the database; checking the file itself, writes wait meanwhile")
			damage = db.checkLive()
		}
		took := time.Since(start)
		db.check.mu.Lock()
		db.check.running, db.check.damage, db.check.at = false, damage, time.Now()
		db.check.mu.Unlock()
		if damage != nil {
			opts.Logger.Error().Err(damage).Str("db", db.path).Msg("the page check after the start found damage: writes are refused and /readyz says not ready; stop the bot and restore")
			return
		}
		opts.Logger.Info().Str("db", db.path).Dur("took", took).Bool("checked_copy", keep).Msg("database page check passed")
	}()
	return nil
}

// checkSnapshot writes btx's pages to a temporary file, closes btx,
// checks the file and, clean, renames it to the checked copy (keep) or
// removes it. err is about the snapshot itself, damage about the pages.
func (db *DB) checkSnapshot(btx *bolt.Tx, keep bool, closing <-chan struct{}) (damage, err error) {
	select {
	case <-closing:
		_ = btx.Rollback()
		return nil, errClosing
	default:
	}
	good := db.path + CheckedCopySuffix
	tmp, err := os.CreateTemp(filepath.Dir(db.path), "."+filepath.Base(good)+".tmp-*")
	if err != nil {
		_ = btx.Rollback()
		return nil, err
	}
	defer func() {
		if tmp != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	_, err = btx.WriteTo(tmp)
	// The snapshot is out: let writers reuse the pages it pinned.
	_ = btx.Rollback()
	select {
	case <-closing:
		return nil, errClosing
	default:
	}
	if err == nil && keep {
		err = tmp.Sync() // the copy must be whole before it replaces the old one
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	snap, err := openBolt(tmp.Name(), &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		// WriteTo wrote what the live file held: a snapshot bbolt
		// refuses is a damaged file, not a failed copy.
		return db.damageReport([]string{err.Error()}, 1), nil
	}
	found, n, err := checkBolt(snap)
	_ = snap.Close()
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return db.damageReport(found, n), nil
	}
	if !keep {
		return nil, nil
	}
	if err := os.Rename(tmp.Name(), good); err != nil {
		return nil, fmt.Errorf("keep the checked copy %s: %w", good, err)
	}
	tmp = nil
	if d, derr := os.Open(filepath.Dir(good)); derr == nil {
		_ = d.Sync() // make the rename durable
		_ = d.Close()
	}
	return nil, nil
}

// checkLive runs bbolt's check on the live file in a write transaction,
// rolled back: slower for everyone, but safe beside the bot's writers.
func (db *DB) checkLive() error {
	var found []string
	n := 0
	err := db.bolt.Update(func(btx *bolt.Tx) error {
		for err := range btx.Check() {
			if n < maxCheckErrors {
				found = append(found, err.Error())
			}
			n++
		}
		return errRollback
	})
	if err != nil && !errors.Is(err, errRollback) {
		return fmt.Errorf("check database %s: %w", db.path, err)
	}
	if n > 0 {
		return db.damageReport(found, n)
	}
	return nil
}

var (
	errRollback = errors.New("rollback")
	errClosing  = errors.New("the database is closing")
)

// stopCheck makes a check in the background stop at its next step and
// waits for it: Close must not leave it writing beside the database.
func (db *DB) stopCheck() {
	db.check.mu.Lock()
	closing, done := db.check.closing, db.check.done
	db.check.closing = nil
	db.check.mu.Unlock()
	if closing != nil {
		close(closing)
	}
	if done != nil {
		<-done
	}
}

// upToDate says the file needs no migration and no aggregates rebuild,
// so Open writes nothing before the page check of CheckAfterOpen runs.
// Anything unreadable says no: the check inside Open then names it.
func (db *DB) upToDate() (ok bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	err := db.bolt.View(func(btx *bolt.Tx) error {
		v, err := db.schemaOf(btx)
		if err != nil || v != len(migrations) {
			return errStop
		}
		ready, err := cadence.AggregatesReady(&tx{btx: btx})
		if err != nil || !ready {
			return errStop
		}
		return nil
	})
	return err == nil
}

// roomForCopy says the disk holds the snapshot CheckAfterOpen writes with
// the database's size to spare, as keepCheckedCopy asks of its copy
// (which, called instead, says when it is not).
func (db *DB) roomForCopy() bool {
	fi, err := os.Stat(db.path)
	if err != nil {
		return false
	}
	free, ok := freeBytes(filepath.Dir(db.path))
	return !ok || free >= 2*uint64(fi.Size())
}

// checkBolt runs bbolt's check on a database nothing writes to.
func checkBolt(bdb *bolt.DB) (found []string, n int, err error) {
	err = bdb.View(func(btx *bolt.Tx) error {
		for err := range btx.Check() {
			if n < maxCheckErrors {
				found = append(found, err.Error())
			}
			n++
		}
		return nil
	})
	return found, n, err
}
