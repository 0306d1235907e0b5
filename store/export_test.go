package store

import (
	"errors"

	bolt "go.etcd.io/bbolt"
)

// Bolt exposes the bbolt handle to benchmarks that diff the file.
func (db *DB) Bolt() *bolt.DB { return db.bolt }

// FailMigrationAfter makes migrations fail right after step version, as
// a crash there would; 0 restores normal migrations.
func FailMigrationAfter(version int) {
	if version == 0 {
		afterMigrationStep = nil
		return
	}
	afterMigrationStep = func(v int) error {
		if v == version {
			return errInjected
		}
		return nil
	}
}

var errInjected = errors.New("injected failure")
