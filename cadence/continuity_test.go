package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// A prompt shows the person's answer to the plan question of the
// ritual's previous occurrence, and nothing when there is none to show.
func TestPromptShowsPreviousPlan(t *testing.T) {
	mon := cadencetest.Monday.Add(8*time.Hour + 15*time.Minute)
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
			r := cadencetest.SharedStandup(t)
			if tc.ritual != nil {
				tc.ritual(r)
			}
			h := cadencetest.NewHarness(t, mon.Add(-time.Hour), r)
			h.At(mon.Add(-time.Hour)) // a new ritual starts from now
			for at := mon; !at.After(tc.prompt); at = at.AddDate(0, 0, 1) {
				h.At(at)
				for p, plan := range tc.answers[at] {
					_, err := h.Answer(cadence.OccurrenceID("standup", at), p, "yesterday", "eval", "today", plan)
					require.NoError(t, err)
				}
			}
			m := h.Message(cadence.PromptKey(cadence.OccurrenceID("standup", tc.prompt), tc.person))
			require.NotNil(t, m)
			assert.Equal(t, tc.want, m.Body.Sections)
			if tc.want != nil {
				assert.Equal(t, tc.want, m.LateBody.Sections, "a late prompt keeps the plan")
			}
		})
	}
}
