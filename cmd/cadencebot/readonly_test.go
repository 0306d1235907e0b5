package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// report, audit and backup read a database they cannot write (a
// read-only file system, a read-only volume mount).
func TestReadingCommandsWorkOnAReadOnlyDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.db")
	code, _, errOut := cli(t, nil, "simulate", "--weeks", "1", "--seed", "3", "--db", path)
	require.Equal(t, 0, code, errOut)
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	makeReadOnly(t, path)

	out := filepath.Join(t.TempDir(), "backup.db")
	for _, args := range [][]string{
		{"report", "--db", path, "--since", "2020-01-01", "--format", "csv"},
		{"audit", "--db", path, "--verify"},
		{"backup", "--db", path, "--out", out},
	} {
		code, stdout, stderr := cli(t, nil, args...)
		assert.Equal(t, 0, code, "%v: %s", args, stderr)
		assert.NotEmpty(t, stdout, "%v", args)
	}
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(before, after))
	backup, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.NotEmpty(t, backup)
}

// A 0-byte database file is refused, and kept as it is, unless
// `run --init`.
func TestRunRefusesAnEmptyDatabaseFileUnlessInit(t *testing.T) {
	path := writeFile(t, "empty.db", "")
	code, _, errOut := cli(t, nil, "run", "--db", path, "--listen", "127.0.0.1:0")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "database "+path+" is an empty file (0 bytes), not a database")
	assert.Contains(t, errOut, "cadencebot run --init")
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Zero(t, fi.Size())

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var stdout, stderr syncBuffer // the bot logs from several goroutines
	code = run(ctx, []string{"run", "--init", "--db", path, "--listen", "127.0.0.1:0"}, &stdout, &stderr, func(string) string { return "" })
	assert.Equal(t, 0, code, stderr.String())
	assert.Contains(t, stdout.String(), "cadencebot is running")
	code, _, errOut = cli(t, nil, "audit", "--db", path)
	assert.Equal(t, 0, code, "a database now: %s", errOut)
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
