package slack

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// slackDateToken is a <!date^…|fallback> token: Slack words it in each
// reader's own locale, so its English fallback is left out of the check.
var slackDateToken = regexp.MustCompile(`\\u003c!date\^[^"]*?\\u003e`)

// TestHomeInThePersonsLanguage: the App Home's headers, lines, buttons
// and footer, and the follow-up list with its buttons, in German and
// Polish, with no English left.
func TestHomeInThePersonsLanguage(t *testing.T) {
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	r := &cadence.Ritual{ID: "triage", Title: "Weekly triage"}
	occ := &cadence.Occurrence{ID: "triage@20261130T083000Z", RitualID: "triage"}
	st := &cadence.PersonStatus{Person: &cadence.Person{ID: "ana", Location: time.UTC},
		Pending: []cadence.PendingPrompt{{Occurrence: occ, Ritual: r, ClosesAt: now.Add(4 * time.Hour)},
			{Occurrence: occ, Ritual: r, Answered: true, ClosesAt: now.Add(4 * time.Hour)}},
		Late:        []cadence.PendingPrompt{{Occurrence: occ, Ritual: r, ClosesAt: now, LateUntil: now.Add(7 * 24 * time.Hour)}},
		Upcoming:    []cadence.Upcoming{{Ritual: r, At: now.Add(7 * 24 * time.Hour), Paused: true}},
		OutOfOffice: []cadence.DateRange{{From: cadence.DateOf(now), To: cadence.DateOf(now.Add(48 * time.Hour))}},
	}
	fus := []*cadence.FollowUp{{Number: 1, Incident: 1, Title: "Tighten drift alert", Owner: "ana", Due: cadence.DateOf(now.Add(-48 * time.Hour)), Status: cadence.FollowUpOpen}}
	english := []string{"Your rituals", "Waiting", "Nothing", "closes", "answered", "Answer", "Edit", "late", "Coming up",
		"paused", "Out of office", "Times are in", "for commands", "follow-ups", "due", "overdue", "since", "Done", "Snooze", "Reassign",
		"Mon ", "Sat ", "Nov "}
	tests := []struct{ lang, title, done string }{
		{"de", "Deine Rituale", "Erledigt"},
		{"pl", "Twoje rytuały", "Zrobione"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			view := homeViewIn(tc.lang, st)
			blocks := append(view.Blocks.BlockSet, followUpBlocksIn(tc.lang, fus, map[int]string{1: "Churn drift"}, time.UTC, now)...)
			b, err := json.Marshal(blocks)
			require.NoError(t, err)
			text := slackDateToken.ReplaceAllString(string(b), "")
			assert.Contains(t, text, tc.title)
			assert.Contains(t, text, `"text":"`+tc.done+`"`)
			for _, e := range english {
				assert.NotContains(t, text, e)
			}
		})
	}
}
