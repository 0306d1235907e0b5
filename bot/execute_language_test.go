package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// commandEnglish are fragments of the command layer's English replies
// that no other language shares.
var commandEnglish = []string{"Your cadence", "Waiting for", "answered", "closes", "Nothing is", "next rituals", "paused",
	"out of office", "Out of office", "can still answer", "late answer", "Team adherence", "weeks", "Team score", "Per ritual",
	"on time", "held", "median answer", "Paused", "will not open", "Skipped", "skipped", "participants", "Reason:", "Sorry",
	"there is no ritual", "known rituals", "only leads", "you are", "Usage:", "for example", "is in the past", "today is",
	"You will not be prompted", "takes this back", "roster", "ask an admin", "Snoozed", "no open", "prompt", " ago", " in 3",
	"Mon ", "Tue ", "cannot"}

// TestCommandRepliesInTheActorsLanguage runs each command path for a
// person speaking German, then Polish: every word the command layer
// adds is theirs; ritual titles, ids and zones stay as written.
func TestCommandRepliesInTheActorsLanguage(t *testing.T) {
	status := &cadence.PersonStatus{
		Pending: []cadence.PendingPrompt{
			{Occurrence: &cadence.Occurrence{ID: "triage@x", RitualID: "triage"}, Ritual: triage, ClosesAt: now.Add(3*time.Hour + 30*time.Minute)},
			{Occurrence: &cadence.Occurrence{ID: "standup@x", RitualID: "standup"}, Ritual: standup, Answered: true, ClosesAt: now.Add(45 * time.Minute)},
		},
		Late: []cadence.PendingPrompt{{Occurrence: &cadence.Occurrence{ID: "triage@y", RitualID: "triage", Scheduled: now.Add(-7 * 24 * time.Hour)},
			Ritual: triage, ClosesAt: now.Add(-7*24*time.Hour + 4*time.Hour), LateUntil: now.Add(4 * time.Hour)}},
		Upcoming: []cadence.Upcoming{
			{Ritual: standup, At: time.Date(2026, 12, 1, 8, 15, 0, 0, time.UTC), Away: &cadence.DateRange{From: date("2026-12-01"), To: date("2026-12-01")}},
			{Ritual: triage, At: time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC), Paused: true},
		},
		OutOfOffice: []cadence.DateRange{{From: date("2026-12-01"), To: date("2026-12-02"), Note: "offsite"}},
	}
	report := &cadence.Report{Team: cadence.Tally{Score: 87.5, Answered: 42, Expected: 48, AnsweredOnTime: 39, Held: 12, Missed: 1, Skipped: 1, MedianLatency: 65 * time.Minute},
		Rituals: []cadence.RitualAdherence{{RitualID: "triage", Title: "Weekly triage", Tally: cadence.Tally{Score: 90, Held: 4, MedianLatency: 26 * time.Hour}}}}
	setup := func(f *fakeService) {
		f.StatusFn = func(context.Context, string) (*cadence.PersonStatus, error) { return status, nil }
		f.ReportFn = func(context.Context, cadence.ReportQuery) (*cadence.Report, error) { return report, nil }
		f.PauseFn = func(context.Context, string, string) error { return nil }
		f.ResumeFn = func(context.Context, string, string) error { return nil }
		f.SkipFn = func(context.Context, string, string, string) (*cadence.SkipResult, error) {
			return &cadence.SkipResult{Scheduled: time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC), Next: true}, nil
		}
		f.SetOOOFn = func(context.Context, string, cadence.DateRange) error { return nil }
		f.CancelOOOFn = func(_ context.Context, _ string, d cadence.Date) (cadence.DateRange, error) {
			return cadence.DateRange{From: d, To: date("2027-01-02")}, nil
		}
	}
	commands := []struct {
		text string
		as   *cadence.Person
	}{
		{"status", ana}, {"ooo 2026-12-21 2027-01-02 holidays", ana}, {"ooo list", ana}, {"ooo cancel 2026-12-21", ana},
		{"ooo 2026-11-29 2026-11-29", ana}, {"pause standup", lena}, {"resume standup", lena}, {"skip triage offsite", lena},
		{"pause standup", ana}, {"pause nosuch", lena}, {"report", max}, {"report", ana}, {"snooze", ana}, {"ritual new", lena},
		{"status", nil},
	}
	tests := []struct {
		lang    string
		samples []string // a few lines checked word for word
	}{
		{"de", []string{"Dein Rhythmus", "Weekly triage — schließt Mo, 30. Nov., 12:30 CET (in 3 Std. 30 min)",
			"Abwesend Mo, 21. Dez. 2026 bis Sa, 2. Jan. 2027", "Team-Wert 88 · 42/48 beantwortet, 39 pünktlich · 12 abgehalten, 1 verpasst, 1 ausgelassen · Antwort im Median nach 1 Std. 5 min"}},
		{"pl", []string{"Twój rytm", "Czeka na twoją odpowiedź", "Wstrzymano: Daily standup", "Niestety"}},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			var all []string
			for _, c := range commands {
				f := newFake()
				f.team = tc.lang // a stranger is refused in the team's language
				setup(f)
				var actor *cadence.Person
				if c.as != nil {
					p := *c.as
					p.Language = tc.lang
					actor = &p
				}
				reply, err := bot.Run(context.Background(), f, actor, c.text, now)
				require.NoError(t, err, c.text)
				text := reply.String()
				all = append(all, text)
				for _, english := range commandEnglish {
					assert.NotContains(t, text, english, "%s: %q", c.text, text)
				}
			}
			joined := strings.Join(all, "\n")
			for _, s := range tc.samples {
				assert.Contains(t, joined, s)
			}
		})
	}
}
