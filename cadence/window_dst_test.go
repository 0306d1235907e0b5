package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// TestWindowCutAtShortDSTDay: a 24-hour window fits a daily ritual's
// nominal period but not the 23-hour day of a spring-forward. The window
// ends when the next occurrence opens, so nobody ever has two occurrences
// of one ritual open at once; on other days it is the full 24 hours.
func TestWindowCutAtShortDSTDay(t *testing.T) {
	for _, perPerson := range []bool{false, true} {
		name := "shared time"
		if perPerson {
			name = "per-person time (New York springs forward on 8 March, Zurich on 29 March)"
		}
		t.Run(name, func(t *testing.T) {
			r := &cadence.Ritual{
				ID: "daily", Title: "Daily", Kind: cadence.KindStandup, Channel: "ops",
				Spec: "0 9 * * *", Schedule: cadencetest.MustSchedule(t, "0 9 * * *", "Europe/Zurich"), Location: cadencetest.Location(t, "Europe/Zurich"),
				Participants: []string{"lea", "dan"}, Lead: "lea", Questions: cadence.DefaultQuestions(cadence.KindStandup),
				Window: 24 * time.Hour, Reminders: []time.Duration{time.Hour}, PerPersonTime: perPerson,
			}
			h := cadencetest.NewHarness(t, utc(2026, 3, 5, 0, 0), r)
			for at := utc(2026, 3, 5, 0, 0); at.Before(utc(2026, 3, 31, 0, 0)); at = at.Add(15 * time.Minute) {
				h.At(at)
				all := h.Occurrences(cadence.OccurrenceFilter{RitualID: "daily"})
				for _, p := range r.Participants {
					var open []string
					for _, o := range all {
						if o.IsExpected(p) && !at.Before(o.PersonPromptAt(p)) && at.Before(o.PersonCloseAt(p)) {
							open = append(open, o.ID)
						}
					}
					require.LessOrEqual(t, len(open), 1, "%s at %s has %v open", p, at, open)
				}
				open := h.Occurrences(cadence.OccurrenceFilter{RitualID: "daily", Status: []cadence.Status{cadence.StatusOpen}})
				if !perPerson {
					require.LessOrEqual(t, len(open), 1, "at %s", at)
				}
			}
			o, _ := h.Occurrence(cadence.OccurrenceID("daily", utc(2026, 3, 28, 8, 0)))
			require.Equal(t, utc(2026, 3, 29, 7, 0), o.PersonCloseAt("lea"), "09:00 CET to 09:00 CEST is 23 hours")
			o, _ = h.Occurrence(cadence.OccurrenceID("daily", utc(2026, 3, 20, 8, 0)))
			require.Equal(t, utc(2026, 3, 21, 8, 0), o.PersonCloseAt("lea"), "an ordinary day keeps the full window")
			if perPerson {
				o, _ = h.Occurrence(cadence.OccurrenceID("daily", utc(2026, 3, 7, 8, 0)))
				require.Equal(t, utc(2026, 3, 8, 13, 0), o.PersonCloseAt("dan"), "09:00 EST to 09:00 EDT is 23 hours")
				require.Equal(t, utc(2026, 3, 8, 8, 0), o.PersonCloseAt("lea"), "Zurich's day is 24 hours")
			}
		})
	}
}
