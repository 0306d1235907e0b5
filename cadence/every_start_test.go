package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// An "@every" ritual has no calendar to wait for: its first occurrence
// opens when the ritual starts, on time, not one interval later (the
// trial config would otherwise show nothing for its first minutes).
func TestEveryRitualOpensAtStart(t *testing.T) {
	r := *cadencetest.TriageRitual(t)
	var err error
	r.Schedule, err = cadence.ParseSchedule("@every 4m", time.UTC)
	require.NoError(t, err)
	start := cadencetest.Monday.Add(10*time.Hour + 17*time.Second)

	s, ok := cadence.NextStep(cadence.PlanInput{Ritual: &r, Now: start})
	require.True(t, ok)
	require.Equal(t, cadence.StepStart, s.Kind)

	s, ok = cadence.NextStep(cadence.PlanInput{Ritual: &r, State: s.State, Now: start})
	require.True(t, ok)
	require.Equal(t, cadence.StepOpen, s.Kind)
	assert.Equal(t, start, s.Occurrence.Scheduled)
	assert.False(t, s.Occurrence.Late)
	assert.NotEmpty(t, s.Prompt, "everyone is asked at once")

	// The grid then counts from the start.
	next := r.Schedule.Next(s.State.Cursor)
	assert.Equal(t, start.Add(4*time.Minute), next)
}
