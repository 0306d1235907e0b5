package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// writeHealth remembers whether the last commit failed: a full disk, a
// file size limit, an I/O error. The bot keeps running through such a
// fault (the person is told, nothing acknowledged is lost) but must not
// call itself ready while every write fails.
type writeHealth struct {
	mu     sync.Mutex
	err    error
	probes uint64
}

// noteCommit records how a transaction ended. committing says fn
// returned nil, so an error is the commit's own (the disk's), not the
// caller's refusal, which says nothing about the disk.
func (db *DB) noteCommit(committing bool, err error) {
	if err != nil && !committing {
		return
	}
	db.writes.mu.Lock()
	db.writes.err = err
	db.writes.mu.Unlock()
}

// WriteError is the error of the last write that failed to commit, or
// nil once a later write committed.
func (db *DB) WriteError() error {
	db.writes.mu.Lock()
	defer db.writes.mu.Unlock()
	return db.writes.err
}

var probeKey = []byte("write-probe")

// ProbeWrite commits a small write, to learn whether writes work again
// after WriteError said they did not; WriteError follows its outcome.
func (db *DB) ProbeWrite(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := db.damaged(); err != nil {
		return err
	}
	committing := false
	err := db.bolt.Update(func(btx *bolt.Tx) error {
		meta := btx.Bucket(bucketMeta)
		if meta == nil {
			return errors.New("no meta bucket")
		}
		db.writes.mu.Lock()
		db.writes.probes++
		n := db.writes.probes
		db.writes.mu.Unlock()
		if err := meta.Put(probeKey, binary.BigEndian.AppendUint64(nil, n)); err != nil {
			return err
		}
		committing = true
		return nil
	})
	db.noteCommit(committing, err)
	if err != nil {
		return fmt.Errorf("write to database %s: %w", db.path, err)
	}
	return nil
}
