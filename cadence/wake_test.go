package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// Jumping from one NextWake to the next must do exactly what ticking every
// second would: same occurrences, same messages at the same instants. A
// week with triage and per-person standups across five zones, ticked
// every second would be 600k ticks; we compare against per-minute ticks on
// a schedule that only has whole-minute instants, plus a DST week.
func TestNextWakeMatchesMinuteTicks(t *testing.T) {
	for _, start := range []time.Time{
		monday.Add(-time.Hour),
		time.Date(2026, 3, 26, 0, 0, 0, 0, time.UTC), // Zurich and New York both on summer time by the end
	} {
		t.Run(start.Format("2006-01-02"), func(t *testing.T) {
			end := start.Add(7 * 24 * time.Hour)
			minute := newHarness(t, start, triageRitual(t), standupRitual(t))
			for at := start; at.Before(end); at = at.Add(time.Minute) {
				minute.at(at)
			}

			jump := newHarness(t, start, triageRitual(t), standupRitual(t))
			steps := 0
			for at := start; at.Before(end); steps++ {
				jump.at(at)
				next, err := jump.eng.NextWake(jump.ctx, time.Hour)
				require.NoError(t, err)
				require.True(t, next.After(at), "after a tick nothing is due at %s", at)
				require.False(t, next.After(at.Add(time.Hour)), "horizon respected")
				at = next
			}
			jump.at(end)
			minute.at(end)

			type seen struct {
				kind    cadence.MessageKind
				to      cadence.Recipient
				created time.Time
			}
			collect := func(h *harness) map[string]seen {
				out := map[string]seen{}
				for _, m := range h.messages() {
					out[m.Key] = seen{m.Kind, m.To, m.CreatedAt}
				}
				return out
			}
			want := collect(minute)
			require.NotEmpty(t, want)
			assert.Equal(t, want, collect(jump))
			ids := func(h *harness) []string {
				var out []string
				for _, o := range h.occurrences(cadence.OccurrenceFilter{}) {
					out = append(out, string(o.Status)+" "+o.ID+" "+o.OpenedAt.Format(time.RFC3339))
				}
				return out
			}
			assert.Equal(t, ids(minute), ids(jump))
			assert.Less(t, steps, 7*24*60/10, "jumping takes far fewer steps than ticking")
		})
	}
}
