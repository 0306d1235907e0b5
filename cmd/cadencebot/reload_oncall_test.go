package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A rotation added to the file is in force after a reload, without a
// restart and without a "needs a restart" warning for it.
func TestReloadAppliesRotations(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	a := startReloadApp(t, nil, monday)
	require.Empty(t, a.ops.Rotations())

	a.replace(t, appConfig+`
[[rotations]]
id = "primary"
members = ["ana", "lea"]
start = 2026-11-30
length = "1w"
`)
	require.Eventually(t, func() bool { return len(a.ops.Rotations()) == 1 }, 5*time.Second, 10*time.Millisecond, "the watcher reloads the file")
	now, err := a.ops.OnCall(t.Context(), monday.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, "ana", now[0].Current.Person)
	assert.False(t, strings.Contains(a.logs.String(), "need a restart"), a.logs.String())
}
