//go:build unix

package store_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/store"
)

// The process killed (SIGKILL) in the middle of the migration, after
// each step in turn: the file opens and migrates on the next start.
func TestMigrationKilledMidwayLeavesAnOpenableFile(t *testing.T) {
	if p := os.Getenv("CADENCEBOT_MIGRATION_KILL"); p != "" {
		v, _ := strconv.Atoi(os.Getenv("CADENCEBOT_MIGRATION_KILL_AT"))
		store.KillMigrationAfter(v)
		_, _ = store.Open(p, store.Options{})
		t.Fatal("the migration was not killed")
	}
	for v := 2; v <= store.SchemaVersion(); v++ {
		t.Run("after step "+strconv.Itoa(v), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cadence.db")
			writeV1(t, path, nil)
			cmd := exec.Command(os.Args[0], "-test.run", "^TestMigrationKilledMidwayLeavesAnOpenableFile$")
			cmd.Env = append(os.Environ(), "CADENCEBOT_MIGRATION_KILL="+path, "CADENCEBOT_MIGRATION_KILL_AT="+strconv.Itoa(v))
			err := cmd.Run()
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee)
			ws, ok := ee.Sys().(syscall.WaitStatus)
			require.True(t, ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL, "killed: %v", err)
			checkMigrated(t, path)
		})
	}
}
