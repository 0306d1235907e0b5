package store_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// checkMigrated opens a file written at schema 1 and checks it reached
// the current schema with its data.
func checkMigrated(t *testing.T, path string) {
	t.Helper()
	db := openAt(t, path)
	view(t, db, func(tx cadence.Tx) error {
		a, err := tx.Answer("triage@20260309T083000Z", "ana")
		require.NoError(t, err)
		assert.Equal(t, "CI is red", a.Text("blockers"))
		o, err := tx.Occurrence("triage@20260309T083000Z")
		require.NoError(t, err)
		assert.Equal(t, cadence.StatusOpen, o.Status)
		return nil
	})
	require.NoError(t, db.Close())
	assert.Equal(t, strconv.Itoa(store.SchemaVersion()), schemaOnDisk(t, path))
}

// Opening an old database copies it aside first, then migrates it.
func TestMigrationKeepsABackup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	writeV1(t, path, nil)
	checkMigrated(t, path)
	bak := store.BackupPath(path, 1)
	assert.Equal(t, path+".schema1.bak", bak)
	assert.Equal(t, "1", schemaOnDisk(t, bak), "the backup is the file as it was")
	_, err := store.OpenReadOnly(bak, store.Options{})
	require.ErrorIs(t, err, store.ErrSchemaTooOld, "the backup is a database of the old schema")

	// A current file is opened without a new backup.
	require.NoError(t, os.Remove(bak))
	checkMigrated(t, path)
	_, err = os.Stat(bak)
	assert.True(t, os.IsNotExist(err))
}

// A failure after any step of the migration leaves a file that opens:
// still at its old schema, migrated on the next start.
func TestMigrationFailingAfterAnyStepLeavesAnOpenableFile(t *testing.T) {
	for v := 2; v <= store.SchemaVersion(); v++ {
		t.Run("after step "+strconv.Itoa(v), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cadence.db")
			writeV1(t, path, nil)
			store.FailMigrationAfter(v)
			_, err := store.Open(path, store.Options{})
			store.FailMigrationAfter(0)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "injected failure")
			assert.Equal(t, "1", schemaOnDisk(t, path))
			checkMigrated(t, path)
		})
	}
}
