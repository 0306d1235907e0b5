package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
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

// An override added to the file that overlaps a swap made in chat is
// refused on reload, with the running rotations kept.
func TestReloadRefusesAnOverrideOverlappingASwap(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	rotation := `
[[rotations]]
id = "primary"
members = ["ana", "lea"]
start = 2026-11-30
length = "1w"
`
	a := startReloadApp(t, nil, monday)
	a.replace(t, appConfig+rotation)
	require.Eventually(t, func() bool { return len(a.ops.Rotations()) == 1 }, 5*time.Second, 10*time.Millisecond)
	// Lea takes Ana's first turn.
	_, err := a.ops.SwapOnCall(t.Context(), "lea", "", "ana", "lea", cadence.Date{Year: 2026, Month: 11, Day: 30})
	require.NoError(t, err)

	a.replace(t, appConfig+rotation+`overrides = [{ from = "2026-12-02 09:00", to = "2026-12-03 09:00", person = "ana" }]
`)
	require.Eventually(t, func() bool {
		return strings.Contains(a.logs.String(), `an override in the config file overlaps a swap made in chat`)
	}, 5*time.Second, 10*time.Millisecond, a.logs.String())
	assert.Empty(t, a.ops.Rotations()[0].Overrides, "the running rotation stays")
}
