package ops_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// A blocker stays on the standup's agenda, with its age, until the person
// answers a later standup with none; the look-back is bounded.
func TestStandupAgendaListsOpenBlockers(t *testing.T) {
	day := func(n int) time.Time { return cadencetest.Monday.Add(8*time.Hour+15*time.Minute).AddDate(0, 0, n) } // 0: Mon 30 Nov
	tests := []struct {
		name     string
		blockers map[int]map[string]string // day → person → blocker answer
		agenda   int
		want     []string
	}{
		{name: "nothing raised", blockers: map[int]map[string]string{0: {"ana": "none"}}, agenda: 1, want: []string{"None."}},
		{
			name:     "raised and not cleared",
			blockers: map[int]map[string]string{0: {"ana": "GPU quota"}},
			agenda:   3,
			want:     []string{"Ana: GPU quota — raised 3 days ago (Mon 30 Nov)"},
		},
		{
			name:     "answering none clears it",
			blockers: map[int]map[string]string{0: {"ana": "GPU quota"}, 1: {"ana": "none"}},
			agenda:   2,
			want:     []string{"None."},
		},
		{
			name:     "not answering clears nothing",
			blockers: map[int]map[string]string{0: {"ana": "GPU quota"}},
			agenda:   2,
			want:     []string{"Ana: GPU quota — raised 2 days ago (Mon 30 Nov)"},
		},
		{
			name:     "raised again keeps its first day and shows the newest words",
			blockers: map[int]map[string]string{0: {"ana": "GPU quota"}, 1: {"ana": "GPU quota, ticket filed"}},
			agenda:   2,
			want:     []string{"Ana: GPU quota, ticket filed — raised 2 days ago (Mon 30 Nov)"},
		},
		{
			name:     "raised after clearing counts from the new day",
			blockers: map[int]map[string]string{0: {"ana": "GPU quota"}, 1: {"ana": "no"}, 2: {"ana": "disk full"}},
			agenda:   3,
			want:     []string{"Ana: disk full — raised 1 day ago (Wed 2 Dec)"},
		},
		{
			name:     "oldest first",
			blockers: map[int]map[string]string{0: {"cy": "VPN"}, 1: {"ana": "GPU quota"}},
			agenda:   2,
			want:     []string{"Cy: VPN — raised 2 days ago (Mon 30 Nov)", "Ana: GPU quota — raised 1 day ago (Tue 1 Dec)"},
		},
		{
			name:     "older than the look-back drops off",
			blockers: map[int]map[string]string{0: {"ana": "GPU quota"}, 1: {"cy": "VPN"}},
			agenda:   15, // Tue 15 Dec: Mon 30 Nov is 15 days back
			want:     []string{"Cy: VPN — raised 14 days ago (Tue 1 Dec)"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := cadencetest.NewHarness(t, day(0).Add(-time.Hour), cadencetest.SharedStandup(t))
			o, err := ops.New(ops.Config{Roster: h.Roster, Rituals: h.Rituals, Store: h.Store, Clock: h.Clock, Logger: zerolog.Nop()})
			require.NoError(t, err)
			h.Cfg = func(c *cadence.EngineConfig) { c.Agenda = o }
			h.Restart()
			h.At(day(0).Add(-time.Hour)) // a new ritual starts from now
			for n := 0; n <= tc.agenda; n++ {
				h.At(day(n))
				for p, b := range tc.blockers[n] {
					_, err := h.Answer(cadence.OccurrenceID("standup", day(n)), p, "yesterday", "eval", "today", "ranker", "blockers", b)
					require.NoError(t, err)
				}
			}
			m := h.Message(cadence.AgendaKey(cadence.OccurrenceID("standup", day(tc.agenda))))
			require.NotNil(t, m)
			var got []string
			for _, s := range m.Body.Sections {
				if strings.HasPrefix(s.Heading, "Open blockers") {
					got = s.Lines
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
