package store_test

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// limitFileSize makes every write that grows a file past n bytes fail
// with EFBIG, as a full disk fails the writes that need new space, until
// the returned function lifts the limit. The limit is the process's: the
// tests of this package that use it do not run in parallel.
func limitFileSize(t *testing.T, n int64) (lift func()) {
	t.Helper()
	var old syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old))
	signal.Ignore(syscall.SIGXFSZ) // EFBIG instead of death
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: uint64(n), Max: old.Max}))
	lifted := false
	lift = func() {
		if !lifted {
			lifted = true
			require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old))
			signal.Reset(syscall.SIGXFSZ)
		}
	}
	t.Cleanup(lift)
	return lift
}

func TestWriteErrorWhileCommitsFail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	db := openAt(t, path)
	ctx := context.Background()
	big := make([]byte, 1<<20)
	require.NoError(t, db.WriteError())

	fi, err := os.Stat(path)
	require.NoError(t, err)
	lift := limitFileSize(t, fi.Size())
	err = db.Update(ctx, func(tx cadence.Tx) error { return tx.Put("ns", "big", big) })
	// bbolt words the cause with %s: match the text.
	require.ErrorContains(t, err, "file too large", "the disk is full")
	require.ErrorContains(t, db.WriteError(), "file too large")
	err = db.UpdateBatch(ctx, func(tx cadence.Tx) error { return tx.Put("ns", "big2", big) })
	require.ErrorContains(t, err, "file too large")

	// A write the caller itself refuses says nothing about the disk.
	refused := errors.New("refused by the caller")
	require.ErrorIs(t, db.Update(ctx, func(cadence.Tx) error { return refused }), refused)
	require.ErrorContains(t, db.WriteError(), "file too large")

	lift()
	require.NoError(t, db.ProbeWrite(ctx))
	assert.NoError(t, db.WriteError(), "writes work again")
	update(t, db, func(tx cadence.Tx) error { return tx.Put("ns", "big", big) })
	assert.NoError(t, db.WriteError())
}
