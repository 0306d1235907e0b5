package cadence_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// Jumping from one NextWake to the next must do exactly what ticking every
// second would: same occurrences, same messages at the same instants. A
// week with triage and per-person standups across five zones, ticked
// every second would be 600k ticks; we compare against per-minute ticks on
// a schedule that only has whole-minute instants, plus a DST week.
func TestNextWakeMatchesMinuteTicks(t *testing.T) {
	for _, start := range []time.Time{
		cadencetest.Monday.Add(-time.Hour),
		time.Date(2026, 3, 26, 0, 0, 0, 0, time.UTC), // Zurich and New York both on summer time by the end
	} {
		t.Run(start.Format("2006-01-02"), func(t *testing.T) {
			steps := jumpLikeMinutes(t, start, start.Add(7*24*time.Hour), nil, cadencetest.TriageRitual(t), cadencetest.StandupRitual(t))
			assert.Less(t, steps, 7*24*60/10, "jumping takes far fewer steps than ticking")
		})
	}
}

// The same over random schedules: zones with DST changes of an hour and of
// half an hour, per-person times, windows and reminders shorter than the
// hour NextWake looks ahead, around each change of 2026.
func TestNextWakeMatchesMinuteTicksOnRandomSchedules(t *testing.T) {
	zones := []string{"Europe/Zurich", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Asia/Almaty", "UTC"}
	changes := []time.Time{
		time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC),  // New York springs forward
		time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), // Zurich springs forward
		time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC),  // Lord Howe falls back half an hour
		time.Date(2026, 10, 4, 0, 0, 0, 0, time.UTC), // Lord Howe springs forward
		time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
	}
	n := 40
	if testing.Short() {
		n = 8
	}
	rng := rand.New(rand.NewPCG(11, 2026))
	for i := 0; i < n; i++ {
		var people []*cadence.Person
		var ids []string
		for j := 0; j < 2+rng.IntN(4); j++ {
			id := fmt.Sprintf("p%d", j)
			people = append(people, &cadence.Person{ID: id, Name: id, Role: cadence.RoleSpecialist, Location: cadencetest.Location(t, zones[rng.IntN(len(zones))])})
			ids = append(ids, id)
		}
		people[0].Role = cadence.RoleLead
		zone := zones[rng.IntN(len(zones))]
		spec := fmt.Sprintf("%d %d * * %s", []int{0, 7, 15, 30, 45}[rng.IntN(5)], rng.IntN(24), []string{"*", "1-5", "1,3"}[rng.IntN(3)])
		window := time.Duration(30+5*rng.IntN(60)) * time.Minute
		var reminders []time.Duration
		for k := 0; k < 1+rng.IntN(2); k++ {
			reminders = append(reminders, time.Duration(5+5*rng.IntN(int(window/time.Minute)/5-1))*time.Minute)
		}
		r := &cadence.Ritual{
			ID: "r", Title: "R", Kind: cadence.KindStandup, Channel: "c",
			Spec: spec, Schedule: cadencetest.MustSchedule(t, spec, zone), Location: cadencetest.Location(t, zone),
			Participants: ids, Lead: ids[0], Questions: cadence.DefaultQuestions(cadence.KindStandup),
			Window: window, Reminders: reminders, PerPersonTime: rng.IntN(2) == 0,
		}
		start := changes[rng.IntN(len(changes))].Add(-time.Duration(rng.IntN(48)) * time.Hour)
		name := fmt.Sprintf("%s_%s_window=%s_reminders=%v_perperson=%t_%s", spec, zone, window, reminders, r.PerPersonTime, start.Format("0102T15"))
		t.Run(name, func(t *testing.T) {
			jumpLikeMinutes(t, start, start.Add(3*24*time.Hour), cadence.NewRoster(people), r)
		})
	}
}

// jumpLikeMinutes runs [start, end) twice, ticking every minute and
// jumping from one NextWake to the next, and requires the same messages
// and occurrences. It returns the number of jumps.
func jumpLikeMinutes(t *testing.T, start, end time.Time, roster *cadence.Roster, rituals ...*cadence.Ritual) int {
	t.Helper()
	run := func() *cadencetest.Harness {
		if roster == nil {
			return cadencetest.NewHarness(t, start, rituals...)
		}
		h := &cadencetest.Harness{
			T: t, Ctx: context.Background(), Clock: cadence.NewManualClock(start),
			Store: cadencetest.NewStore(), Chat: cadencetest.NewReconcilingChat("local"),
			Roster: roster, Rituals: rituals, Obs: &cadencetest.Observer{},
		}
		h.Restart()
		return h
	}
	minute := run()
	for at := start; at.Before(end); at = at.Add(time.Minute) {
		minute.At(at)
	}

	jump := run()
	steps := 0
	for at := start; at.Before(end); steps++ {
		jump.At(at)
		next, err := jump.Eng.NextWake(jump.Ctx, time.Hour)
		require.NoError(t, err)
		require.True(t, next.After(at), "after a tick nothing is due at %s", at)
		require.False(t, next.After(at.Add(time.Hour)), "horizon respected")
		at = next
	}
	jump.At(end)
	minute.At(end)

	type seen struct {
		kind    cadence.MessageKind
		to      cadence.Recipient
		created time.Time
	}
	collect := func(h *cadencetest.Harness) map[string]seen {
		out := map[string]seen{}
		for _, m := range h.Messages() {
			out[m.Key] = seen{m.Kind, m.To, m.CreatedAt}
		}
		return out
	}
	want := collect(minute)
	require.NotEmpty(t, want)
	assert.Equal(t, want, collect(jump))
	ids := func(h *cadencetest.Harness) []string {
		var out []string
		for _, o := range h.Occurrences(cadence.OccurrenceFilter{}) {
			out = append(out, string(o.Status)+" "+o.ID+" "+o.OpenedAt.Format(time.RFC3339))
		}
		return out
	}
	assert.Equal(t, ids(minute), ids(jump))
	return steps
}

// A reminder's window ends at the person's own close, so between now and
// the horizon something can be due only for a while: a quarter-hour
// reminder before Cy's close in Almaty (07:00–07:15 UTC) while the
// occurrence itself stays open until Dan's close in New York. NextWake
// must stop at its start, not skip it nor land inside it late.
func TestNextWakeFindsAWindowShorterThanTheHorizon(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reminders []time.Duration
		from      time.Time
		want      time.Time
	}{
		{"quarter-hour reminder inside an hour", []time.Duration{15 * time.Minute}, cadencetest.Monday.Add(6*time.Hour + 15*time.Minute), cadencetest.Monday.Add(7 * time.Hour)},
		{"nothing within the horizon", []time.Duration{15 * time.Minute}, cadencetest.Monday.Add(4*time.Hour + 15*time.Minute), cadencetest.Monday.Add(5*time.Hour + 15*time.Minute)},
		{"from just before it", []time.Duration{15 * time.Minute}, cadencetest.Monday.Add(6*time.Hour + 30*time.Minute), cadencetest.Monday.Add(7 * time.Hour)},
		{"the earlier of two reminders", []time.Duration{40 * time.Minute, 10 * time.Minute}, cadencetest.Monday.Add(6 * time.Hour), cadencetest.Monday.Add(6*time.Hour + 35*time.Minute)},
		{"inside it: due now", []time.Duration{15 * time.Minute}, cadencetest.Monday.Add(7*time.Hour + 5*time.Minute), cadencetest.Monday.Add(7*time.Hour + 5*time.Minute)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cadencetest.StandupRitual(t)
			r.Reminders = tc.reminders
			r.Participants = []string{"cy", "dan"} // Dan's prompt comes at 14:15 UTC
			h := cadencetest.NewHarness(t, cadencetest.Monday.Add(-time.Hour), r)
			h.At(cadencetest.Monday.Add(-time.Hour))
			h.At(cadencetest.Monday.Add(4*time.Hour + 15*time.Minute)) // Cy prompted at 09:15 Almaty
			if tc.from.After(cadencetest.Monday.Add(7 * time.Hour)) {
				h.Clock.Set(tc.from) // no tick: the reminder is still to send
			} else {
				h.At(tc.from)
			}
			next, err := h.Eng.NextWake(h.Ctx, time.Hour)
			require.NoError(t, err)
			assert.Equal(t, tc.want, next.UTC())
		})
	}
}
