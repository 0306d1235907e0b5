package store_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

func TestOpenLockedGivesClearErrorNotHang(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	first := openAt(t, path)

	start := time.Now()
	_, err := store.Open(path, store.Options{Timeout: 50 * time.Millisecond})
	require.ErrorIs(t, err, store.ErrLocked)
	assert.EqualError(t, err, "database "+path+" is locked by another cadencebot process (gave up after 50ms)")
	assert.Less(t, time.Since(start), 5*time.Second)

	require.NoError(t, first.Close())
	second, err := store.Open(path, store.Options{Timeout: 50 * time.Millisecond})
	require.NoError(t, err, "the lock goes with Close")
	require.NoError(t, second.Close())
}

func TestOpenRefusesFilesThatAreNotCadenceDatabases(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string)
		want string
	}{
		{"random bytes", func(t *testing.T, path string) {
			writeFile(t, path, randomBytes(64<<10))
		}, "no valid bbolt meta page"},
		{"text file", func(t *testing.T, path string) {
			writeFile(t, path, []byte(strings.Repeat("[bot]\ntimezone = \"Europe/Zurich\"\n", 200)))
		}, "no valid bbolt meta page"},
		{"a few bytes", func(t *testing.T, path string) {
			writeFile(t, path, []byte("not a database"))
		}, "file is 14 bytes, too short for a bbolt database"},
		{"truncated to its first page", func(t *testing.T, path string) {
			populated(t, path, 50)
			require.NoError(t, os.Truncate(path, 4096))
		}, "file is truncated: 4096 bytes"},
		{"truncated to half", func(t *testing.T, path string) {
			populated(t, path, 2000)
			fi, err := os.Stat(path)
			require.NoError(t, err)
			require.NoError(t, os.Truncate(path, fi.Size()/2))
		}, "file is truncated"},
		{"another program's bbolt file", func(t *testing.T, path string) {
			b, err := bolt.Open(path, 0o600, nil)
			require.NoError(t, err)
			require.NoError(t, b.Update(func(tx *bolt.Tx) error {
				_, err := tx.CreateBucket([]byte("widgets"))
				return err
			}))
			require.NoError(t, b.Close())
		}, `it has a bucket "widgets" but no "meta" bucket`},
		{"garbage over the data pages", func(t *testing.T, path string) {
			populated(t, path, 200)
			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			pageSize := int(binary.NativeEndian.Uint32(raw[24:]))
			copy(raw[2*pageSize:], randomBytes(len(raw)-2*pageSize))
			writeFile(t, path, raw)
		}, "not a readable cadencebot database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cadence.db")
			tc.make(t, path)
			db, err := store.Open(path, store.Options{Timeout: 50 * time.Millisecond})
			if err == nil {
				_ = db.Close()
			}
			require.ErrorIs(t, err, store.ErrCorrupt)
			assert.Contains(t, err.Error(), "database "+path+" is not a readable cadencebot database: ")
			assert.Contains(t, err.Error(), tc.want)

			// A failed open keeps no lock: trying again gives the same
			// answer, not "locked".
			_, err = store.Open(path, store.Options{Timeout: 50 * time.Millisecond})
			require.ErrorIs(t, err, store.ErrCorrupt)
		})
	}
}

// A 0-byte file is a failed copy or a full disk far more often than a
// wish for a new database: refused, untouched, unless InitEmpty.
func TestOpenEmptyFileOnlyWithInitEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	writeFile(t, path, nil)
	_, err := store.Open(path, store.Options{})
	require.ErrorIs(t, err, store.ErrEmpty)
	assert.Contains(t, err.Error(), "database "+path+" is an empty file (0 bytes), not a database")
	assert.Contains(t, err.Error(), "restore your latest backup over "+path)
	assert.Contains(t, err.Error(), "`cadencebot run --init`")
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Zero(t, fi.Size(), "the refused file is left as it was")

	db, err := store.Open(path, store.Options{InitEmpty: true})
	require.NoError(t, err)
	update(t, db, func(tx cadence.Tx) error { return tx.Put("ns", "k", []byte("v")) })
	require.NoError(t, db.Close())
	db = openAt(t, path) // a database now: no flag needed
	require.NoError(t, db.Close())

	missing := filepath.Join(t.TempDir(), "new.db")
	db, err = store.Open(missing, store.Options{})
	require.NoError(t, err, "a missing file is created as before")
	require.NoError(t, db.Close())
}

func TestOpenDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := store.Open(dir, store.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is a directory")
}

func TestClosedDatabaseRefusesTransactions(t *testing.T) {
	db := openTemp(t)
	require.NoError(t, db.Close())
	err := db.View(context.Background(), func(cadence.Tx) error { return nil })
	require.ErrorIs(t, err, berrors.ErrDatabaseNotOpen)
}

func TestReopenKeepsDataAndWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	populated(t, path, 10)
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	db := openAt(t, path)
	view(t, db, func(tx cadence.Tx) error {
		got, err := tx.Answers(cadence.OccurrenceID("triage", t0))
		require.NoError(t, err)
		assert.Len(t, got, 10)
		return nil
	})
	require.NoError(t, db.Close())
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(before, after), "opening a current database must not rewrite it")
}

// populated creates a closed database at path holding n answers to one
// occurrence.
func populated(t *testing.T, path string, n int) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	require.NoError(t, err)
	occ := cadence.OccurrenceID("triage", t0)
	require.NoError(t, db.Update(context.Background(), func(tx cadence.Tx) error {
		for i := range n {
			a := answerFor(occ, personID(i))
			if err := tx.PutAnswer(a); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, db.Close())
}

func personID(i int) string { return fmt.Sprintf("p%04d", i) }

func answerFor(occ, person string) *cadence.Answer {
	return &cadence.Answer{
		OccurrenceID: occ,
		RitualID:     "triage",
		PersonID:     person,
		Responses: []cadence.Response{
			{QuestionID: "yesterday", Text: "Shipped the feature-store backfill and reviewed two data contracts."},
			{QuestionID: "blockers", Text: "none"},
		},
		SubmittedAt: t0.Add(20 * time.Minute),
		UpdatedAt:   t0.Add(20 * time.Minute),
		Via:         "local-form",
	}
}

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, b, 0o600))
}
