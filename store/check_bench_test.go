package store_test

import (
	"os"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkCheckYear times bbolt's consistency check (tx.Check), which
// Open runs on every start, over a year of 200 people and 4 rituals.
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
}
