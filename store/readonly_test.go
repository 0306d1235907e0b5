package store_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// makeReadOnly makes path and its directory unwritable, as a read-only
// file system would: chmod for a normal user, the immutable attribute
// for root (who ignores modes). It skips the test when neither works.
func makeReadOnly(t *testing.T, path string) {
	t.Helper()
	dir := filepath.Dir(path)
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", path, dir).CombinedOutput(); err != nil {
			t.Skipf("cannot make a read-only file here: chattr: %v %s", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("chattr", "-i", dir, path).Run() })
	} else {
		require.NoError(t, os.Chmod(path, 0o444))
		require.NoError(t, os.Chmod(dir, 0o555))
		t.Cleanup(func() { _ = os.Chmod(dir, 0o755); _ = os.Chmod(path, 0o644) })
	}
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
		_ = f.Close()
		t.Skip("cannot make a read-only file here")
	}
}

func TestOpenReadOnlyReadsAFileThatCannotBeWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	populated(t, path, 20)
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	makeReadOnly(t, path)

	_, err = store.Open(path, store.Options{Timeout: 50 * time.Millisecond})
	require.Error(t, err, "a read-write open fails here")

	db, err := store.OpenReadOnly(path, store.Options{Timeout: 50 * time.Millisecond})
	require.NoError(t, err)
	view(t, db, func(tx cadence.Tx) error {
		got, err := tx.Answers(cadence.OccurrenceID("triage", t0))
		require.NoError(t, err)
		assert.Len(t, got, 20)
		return nil
	})
	err = db.Update(context.Background(), func(tx cadence.Tx) error { return tx.Put("ns", "k", []byte("v")) })
	require.ErrorIs(t, err, berrors.ErrDatabaseReadOnly)
	var backup bytes.Buffer
	_, err = db.Backup(&backup)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(before, after))
}

func TestOpenReadOnlyRefuses(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string) (cleanup func())
		is   error
		want string
	}{
		{"an empty file", func(t *testing.T, path string) func() {
			writeFile(t, path, nil)
			return nil
		}, store.ErrEmpty, "is an empty file (0 bytes)"},
		{"a file an older cadencebot wrote", func(t *testing.T, path string) func() {
			populated(t, path, 1)
			b, err := bolt.Open(path, 0o600, nil)
			require.NoError(t, err)
			require.NoError(t, b.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte("3")) }))
			require.NoError(t, b.Close())
			return nil
		}, store.ErrSchemaTooOld, "has schema version 3, older than this cadencebot's"},
		{"a file a running bot holds", func(t *testing.T, path string) func() {
			db := openAt(t, path)
			return func() { _ = db.Close() }
		}, store.ErrLocked, "is locked by another cadencebot process"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cadence.db")
			if done := tc.make(t, path); done != nil {
				defer done()
			}
			before, _ := os.ReadFile(path)
			_, err := store.OpenReadOnly(path, store.Options{Timeout: 50 * time.Millisecond})
			require.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.want)
			after, _ := os.ReadFile(path)
			assert.True(t, bytes.Equal(before, after), "nothing written")
		})
	}
}
