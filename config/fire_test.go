package config_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/config"
)

const dstConfig = `
[bot]
timezone = "Europe/Zurich"

[[people]]
id = "ana"
timezone = "America/New_York"
out_of_office = [{ from = "2026-03-10", to = "2026-03-10" }]

[[people]]
id = "bo"
holidays = ["2026-03-09"]

[[rituals]]
id = "night-batch-review"
kind = "quality-review"
schedule = "30 2 * * *"
channel = "ml-ops"
participants = ["all"]
window = "1h"
skip_dates = ["2026-10-26"]

[[rituals]]
id = "standup"
kind = "standup"
schedule = "15 9 * * MON-FRI"
per_person_time = true
channel = "ml-ops"
participants = ["all"]
window = "4h"
skip_dates = ["2026-03-06"]
`

// fireStrings renders fires as RFC 3339 in their zone, with the skip reason.
func fireStrings(fs []config.Fire) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.At.Format(time.RFC3339)
		if f.Skip != "" {
			out[i] += " (" + f.Skip + ")"
		}
	}
	return out
}

func TestNextFireTimesAcrossDST(t *testing.T) {
	cfg, err := config.Parse("dst.toml", []byte(dstConfig))
	require.NoError(t, err)

	tests := []struct {
		name   string
		now    time.Time
		ritual string
		person string
		zone   string
		want   []string
	}{
		{
			name:   "spring forward: 02:30 does not exist on Mar 29, fires at the end of the gap",
			now:    time.Date(2026, 3, 27, 12, 0, 0, 0, time.UTC),
			ritual: "night-batch-review", zone: "Europe/Zurich",
			want: []string{"2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"},
		},
		{
			name:   "fall back: 02:30 exists twice on Oct 25, fires once",
			now:    time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC),
			ritual: "night-batch-review", zone: "Europe/Zurich",
			want: []string{"2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00 (skip date)", "2026-10-27T02:30:00+01:00"},
		},
		{
			name:   "per person: 09:15 New York stays 09:15 across the US change, the UTC instant moves",
			now:    time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
			ritual: "standup", person: "ana", zone: "America/New_York",
			want: []string{
				"2026-03-05T09:15:00-05:00", "2026-03-06T09:15:00-05:00 (skip date)",
				"2026-03-09T09:15:00-04:00", "2026-03-10T09:15:00-04:00 (out of office)",
			},
		},
		{
			name:   "per person: the Zurich participant in the same ritual, in her zone",
			now:    time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
			ritual: "standup", person: "bo", zone: "Europe/Zurich",
			want: []string{
				"2026-03-05T09:15:00+01:00", "2026-03-06T09:15:00+01:00 (skip date)",
				"2026-03-09T09:15:00+01:00 (holiday)", "2026-03-10T09:15:00+01:00",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got *config.Upcoming
			for _, u := range config.NextFireTimes(cfg, tc.now, len(tc.want)) {
				if u.Ritual.ID == tc.ritual && (u.Person == nil && tc.person == "" || u.Person != nil && u.Person.ID == tc.person) {
					got = &u
				}
			}
			require.NotNil(t, got)
			assert.Equal(t, tc.zone, got.Zone.String())
			assert.Equal(t, tc.want, fireStrings(got.Fires))
		})
	}
}

func TestNextFireTimesListsEveryRitualAndParticipant(t *testing.T) {
	cfg, err := config.Parse("dst.toml", []byte(dstConfig))
	require.NoError(t, err)
	var got []string
	for _, u := range config.NextFireTimes(cfg, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 5) {
		who := u.Ritual.ID
		if u.Person != nil {
			who += "/" + u.Person.ID
		}
		got = append(got, who)
		assert.Len(t, u.Fires, 5, who)
		for i := 1; i < len(u.Fires); i++ {
			assert.True(t, u.Fires[i].At.After(u.Fires[i-1].At), who)
		}
	}
	assert.Equal(t, []string{"night-batch-review", "standup/ana", "standup/bo"}, got)
}
