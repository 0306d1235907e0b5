package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the database to w while the bot
// keeps running: bbolt's WriteTo streams the pages of one read
// transaction, which writers do not block. It returns the bytes written.
func (db *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(btx *bolt.Tx) error {
		var err error
		n, err = btx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup of %s: %w", db.path, err)
	}
	return n, nil
}

// BackupFile writes a backup to path atomically: into a temporary file in
// the same directory, synced, then renamed over path. A crash leaves
// either the old file or the complete new one, never half a backup.
func (db *DB) BackupFile(path string) (n int64, err error) {
	if same, err := sameFile(path, db.path); err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	} else if same {
		return 0, fmt.Errorf("backup to %s: that is the live database itself", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if n, err = db.Backup(tmp); err != nil {
		return n, err
	}
	if err = tmp.Sync(); err != nil {
		return n, fmt.Errorf("backup to %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return n, fmt.Errorf("backup to %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return n, fmt.Errorf("backup to %s: %w", path, err)
	}
	// Make the rename itself durable.
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return n, nil
}

func sameFile(a, b string) (bool, error) {
	ai, err := os.Stat(a)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	bi, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(ai, bi), nil
}
