//go:build unix

package main

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// SIGHUP reloads even an unchanged file (the watcher would not).
func TestSIGHUPReloads(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := startReloadApp(t, hangups(ctx), time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.Eventually(t, func() bool {
		return strings.Contains(a.logs.String(), `"trigger":"SIGHUP"`) &&
			strings.Contains(a.logs.String(), "config reloaded: no ritual or person changed")
	}, 5*time.Second, 10*time.Millisecond)
}
