package cadence_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// sharedStandup is the standup at 09:15 Zurich (08:15 UTC) for everyone.
func sharedStandup(t *testing.T) *cadence.Ritual {
	r := standupRitual(t)
	r.PerPersonTime = false
	return r
}

// A prompt shows the person's answer to the plan question of the
// ritual's previous occurrence, and nothing when there is none to show.
func TestPromptShowsPreviousPlan(t *testing.T) {
	mon := monday.Add(8*time.Hour + 15*time.Minute)
	tue, wed := mon.AddDate(0, 0, 1), mon.AddDate(0, 0, 2)
	noPlan := func(r *cadence.Ritual) {
		r.Questions = append([]cadence.Question(nil), r.Questions...)
		for i := range r.Questions {
			r.Questions[i].Plan = false
		}
	}
	tests := []struct {
		name    string
		ritual  func(*cadence.Ritual)
		answers map[time.Time]map[string]string // occurrence → person → "today" answer
		prompt  time.Time
		person  string
		want    []cadence.Section
	}{
		{name: "first occurrence has nothing before it", prompt: mon, person: "ana"},
		{
			name:    "plan of the previous occurrence",
			answers: map[time.Time]map[string]string{mon: {"ana": "ship the ranker <v2>"}},
			prompt:  tue, person: "ana",
			want: []cadence.Section{{Heading: "Your plan last time (Mon 30 Nov)", Lines: []string{"ship the ranker <v2>"}}},
		},
		{
			name:    "someone else's plan is not shown",
			answers: map[time.Time]map[string]string{mon: {"ana": "ship the ranker"}},
			prompt:  tue, person: "cy",
		},
		{
			name:    "none is not a plan",
			answers: map[time.Time]map[string]string{mon: {"ana": "none"}},
			prompt:  tue, person: "ana",
		},
		{
			name:    "only the previous occurrence counts",
			answers: map[time.Time]map[string]string{mon: {"ana": "ship the ranker"}},
			prompt:  wed, person: "ana",
		},
		{
			name:    "the newest of several",
			answers: map[time.Time]map[string]string{mon: {"ana": "ship the ranker"}, tue: {"ana": "load test"}},
			prompt:  wed, person: "ana",
			want: []cadence.Section{{Heading: "Your plan last time (Tue 1 Dec)", Lines: []string{"load test"}}},
		},
		{
			name:    "a ritual without a plan question shows nothing",
			ritual:  noPlan,
			answers: map[time.Time]map[string]string{mon: {"ana": "ship the ranker"}},
			prompt:  tue, person: "ana",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := sharedStandup(t)
			if tc.ritual != nil {
				tc.ritual(r)
			}
			h := newHarness(t, mon.Add(-time.Hour), r)
			h.at(mon.Add(-time.Hour)) // a new ritual starts from now
			for at := mon; !at.After(tc.prompt); at = at.AddDate(0, 0, 1) {
				h.at(at)
				for p, plan := range tc.answers[at] {
					_, err := h.answer(cadence.OccurrenceID("standup", at), p, "yesterday", "eval", "today", plan)
					require.NoError(t, err)
				}
			}
			m := h.message(cadence.PromptKey(cadence.OccurrenceID("standup", tc.prompt), tc.person))
			require.NotNil(t, m)
			assert.Equal(t, tc.want, m.Body.Sections)
			if tc.want != nil {
				assert.Equal(t, tc.want, m.LateBody.Sections, "a late prompt keeps the plan")
			}
		})
	}
}

// A blocker stays on the standup's agenda, with its age, until the person
// answers a later standup with none; the look-back is bounded.
func TestStandupAgendaListsOpenBlockers(t *testing.T) {
	day := func(n int) time.Time { return monday.Add(8*time.Hour+15*time.Minute).AddDate(0, 0, n) } // 0: Mon 30 Nov
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
			h := newHarness(t, day(0).Add(-time.Hour), sharedStandup(t))
			ops, err := cadence.NewOps(cadence.OpsConfig{Roster: h.roster, Rituals: h.rituals, Store: h.store, Clock: h.clock, Logger: zerolog.Nop()})
			require.NoError(t, err)
			h.cfg = func(c *cadence.EngineConfig) { c.Agenda = ops }
			h.restart()
			h.at(day(0).Add(-time.Hour)) // a new ritual starts from now
			for n := 0; n <= tc.agenda; n++ {
				h.at(day(n))
				for p, b := range tc.blockers[n] {
					_, err := h.answer(cadence.OccurrenceID("standup", day(n)), p, "yesterday", "eval", "today", "ranker", "blockers", b)
					require.NoError(t, err)
				}
			}
			m := h.message(cadence.AgendaKey(cadence.OccurrenceID("standup", day(tc.agenda))))
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
