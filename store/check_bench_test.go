package store_test

import (
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/store"
)

// BenchmarkCheckYear times what the daemon's Open adds to a start over a
// year of 200 people and 4 rituals: bbolt's consistency check (tx.Check,
// every open) and the checked copy (<db>.good, written by `run`).
func BenchmarkCheckYear(b *testing.B) {
	d, err := yearData()
	if err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(d.Path)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s, %.1f MB", d.Summary(), float64(fi.Size())/1e6)
	b.Run("check", func(b *testing.B) {
		db, err := bolt.Open(d.Path, 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		b.SetBytes(fi.Size())
		for b.Loop() {
			if err := db.View(func(tx *bolt.Tx) error {
				for err := range tx.Check() {
					return err
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("copy", func(b *testing.B) {
		db, err := store.OpenReadOnly(d.Path, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		out := filepath.Join(b.TempDir(), "year.db.good")
		b.SetBytes(fi.Size())
		for b.Loop() {
			if _, err := db.BackupFile(out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
