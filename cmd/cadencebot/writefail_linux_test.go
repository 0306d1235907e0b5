package main

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// limitFileSize makes every write that grows a file past n bytes fail
// with EFBIG, as a full disk fails the writes that need new space, until
// the returned function lifts the limit (process-wide: not in parallel).
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

// A full disk: /readyz says not ready while the bot's writes fail, and
// ready again soon after there is room, without a restart.
func TestReadyzNotReadyWhileWritesFail(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	a := startApp(t, nil, monday)
	require.Eventually(t, func() bool { c, _ := get(t, a.url+"readyz"); return c == http.StatusOK }, 5*time.Second, 10*time.Millisecond)

	fi, err := os.Stat(a.opts.DB)
	require.NoError(t, err)
	lift := limitFileSize(t, fi.Size())
	// An answer with a large attachment, say: it needs new pages.
	err = a.db.Update(context.Background(), func(tx cadence.Tx) error { return tx.Put("test", "big", make([]byte, 1<<20)) })
	require.ErrorContains(t, err, "file too large")

	code, body := get(t, a.url+"readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.True(t, strings.HasPrefix(body, "not ready\n"), body)
	assert.Contains(t, body, "store: writes failing: ")
	assert.Contains(t, body, "file too large")
	code, _ = get(t, a.url+"healthz")
	assert.Equal(t, http.StatusOK, code, "alive: a restart would not help")

	lift()
	require.Eventually(t, func() bool {
		a.clock.Advance(writeProbeEvery / 2) // a tick after the interval tries a write
		code, body = get(t, a.url+"readyz")
		return code == http.StatusOK && strings.Contains(body, "store: ok")
	}, 5*time.Second, 10*time.Millisecond, "ready again: %s", body)
}
