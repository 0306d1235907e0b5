package cadence

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The planner's memo of wall times per fire and zone (PlanInput.walls)
// decides as a plan without it does: per-person standups in four zones
// around both DST changes, at instants before, inside and after the
// prompts, opening from a cursor a day behind and closing an open one.
func TestNextStepWallMemoDecidesAsWithout(t *testing.T) {
	zones := map[string]string{"zu": "Europe/Zurich", "ny": "America/New_York", "in": "Asia/Kolkata", "lh": "Australia/Lord_Howe"}
	locs := map[string]*time.Location{}
	var people []string
	for p, z := range zones {
		loc, err := time.LoadLocation(z)
		require.NoError(t, err)
		locs[p] = loc
		people = append(people, p)
	}
	zurich := locs["zu"]
	sched, err := ParseSchedule("15 9 * * *", zurich)
	require.NoError(t, err)
	r := &Ritual{ID: "standup", Spec: "15 9 * * *", Schedule: sched, Location: zurich, Participants: people,
		Window: 3 * time.Hour, Reminders: []time.Duration{time.Hour}, PerPersonTime: true}
	var zs []*time.Location
	for _, l := range locs {
		zs = append(zs, l)
	}
	for _, day := range []time.Time{
		time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC),  // New York springs forward
		time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), // Zurich springs forward
		time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC),  // Lord Howe falls back half an hour
		time.Date(2026, 10, 4, 0, 0, 0, 0, time.UTC), // Lord Howe springs forward
		time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
	} {
		for h := -12; h <= 36; h += 3 {
			now := day.Add(time.Duration(h) * time.Hour)
			in := PlanInput{Ritual: r, State: &RitualState{RitualID: r.ID, Cursor: day.Add(-36 * time.Hour)}, Now: now,
				Locations: func(p string) *time.Location { return locs[p] },
				Away:      func(string, time.Time) (bool, string) { return false, "" },
				Answered:  map[string]map[string]bool{}}
			without, okWithout := NextStep(in)
			in.walls, in.earliest, in.zones = map[wallKey]time.Time{}, map[time.Time]earliestAt{}, zs
			with, okWith := NextStep(in)
			name := fmt.Sprintf("%s %+dh", day.Format("2006-01-02"), h)
			assert.Equal(t, okWithout, okWith, name)
			assert.Equal(t, without, with, name)
			if okWith && with.Kind == StepOpen {
				// The same input plans again from the filled memo.
				again, _ := NextStep(in)
				assert.Equal(t, without, again, name+", memo filled")
			}
		}
	}
}
