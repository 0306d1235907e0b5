package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runDaemon listens and runs a, as `cadencebot run` does, until the test
// ends; then it stops it (within 10 s, or the test fails) and closes it.
// It returns the bot's URL.
func runDaemon(t *testing.T, a *App) string {
	t.Helper()
	url, err := a.Listen()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("the bot did not stop within 10s")
		}
		require.NoError(t, a.Close())
	})
	return url
}
