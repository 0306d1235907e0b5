package dashboard_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./dashboard -run %s -update to create it", t.Name())
	assert.Equal(t, string(want), string(got), "golden file %s differs; rerun with -update if the change is intended", path)
}

func week(label string, start time.Time, t cadence.Tally) cadence.WeekAdherence {
	return cadence.WeekAdherence{Week: label, Start: start, Tally: t}
}

func TestDigestBodyGolden(t *testing.T) {
	w := func(n int) time.Time { return time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7*n) } // W09 + n
	thisWeek := &cadence.Report{
		From: w(0), To: w(1), GeneratedAt: w(1).Add(8 * time.Hour),
		Team: cadence.Tally{Occurrences: 9, Held: 8, HeldOnTime: 7, Missed: 0, Skipped: 1,
			Expected: 50, Excused: 3, Answered: 46, AnsweredOnTime: 41, MedianLatency: 42 * time.Minute, Score: 82.4},
		Rituals: []cadence.RitualAdherence{
			{RitualID: "standup", Title: "Daily standup", Tally: cadence.Tally{Occurrences: 5, Held: 5, HeldOnTime: 4, Expected: 35, Answered: 33, AnsweredOnTime: 30}},
			{RitualID: "triage", Title: "Weekly triage", Tally: cadence.Tally{Occurrences: 1, Held: 1, HeldOnTime: 1, Expected: 7, Answered: 7, AnsweredOnTime: 6}},
			{RitualID: "planning", Title: "Deployment planning", Tally: cadence.Tally{Occurrences: 1, Skipped: 1}},
			{RitualID: "quality", Tally: cadence.Tally{Occurrences: 2, Held: 2, HeldOnTime: 2, Expected: 8, Answered: 6, AnsweredOnTime: 5}},
		},
		People: []cadence.PersonAdherence{
			{PersonID: "ana", Name: "Ana Pop", Tally: cadence.Tally{Expected: 7, Answered: 7, AnsweredOnTime: 7}},
			{PersonID: "milan", Name: "Milan Jovanović", Tally: cadence.Tally{Expected: 7, Answered: 5, AnsweredOnTime: 4}},
			{PersonID: "nino", Name: "Nino Beridze", Tally: cadence.Tally{Expected: 6, Answered: 6, AnsweredOnTime: 3}},
			{PersonID: "kasia", Name: "Katarzyna Nowak", Tally: cadence.Tally{Expected: 0, Excused: 7}},
			{PersonID: "aigerim", Tally: cadence.Tally{Expected: 5, Answered: 4, AnsweredOnTime: 4}}, // exactly 80%: not below
		},
	}
	trend := []cadence.WeekAdherence{
		week("2026-W05", w(-4), cadence.Tally{Occurrences: 9, Score: 71}),
		week("2026-W06", w(-3), cadence.Tally{Occurrences: 9, Skipped: 9}), // nothing held: not history
		week("2026-W07", w(-2), cadence.Tally{Occurrences: 9, Score: 74.6}),
		week("2026-W08", w(-1), cadence.Tally{Occurrences: 9, Score: 78.2}),
		week("2026-W09", w(0), cadence.Tally{Occurrences: 9, Score: 82.4}), // the digest week itself
	}
	followups := cadence.Section{Heading: "Overdue follow-ups", Lines: []string{"Rotate the feature-store key (Milan, due 2026-02-27)."}}

	tests := []struct {
		name      string
		r         *cadence.Report
		trend     []cadence.WeekAdherence
		threshold float64
		extra     []cadence.Section
	}{
		{"digest_up.golden", thisWeek, trend, 80, []cadence.Section{followups}},
		{"digest_first_week.golden", thisWeek, nil, 50, nil},
		{"digest_down_no_threshold.golden", withScore(thisWeek, 70), trend, 0, nil},
		{"digest_nothing_held.golden", &cadence.Report{From: w(0), To: w(1), GeneratedAt: w(1),
			Team: cadence.Tally{Occurrences: 2, Skipped: 2}}, trend, 80, nil},
		{"digest_missed_custom_period.golden", &cadence.Report{From: w(0), To: w(0).AddDate(0, 0, 3), GeneratedAt: w(1),
			Team:    cadence.Tally{Occurrences: 3, Held: 2, HeldOnTime: 1, Missed: 1, Expected: 10, Answered: 0, Score: 20},
			Rituals: []cadence.RitualAdherence{{RitualID: "triage", Title: "Weekly triage", Tally: cadence.Tally{Occurrences: 2, Held: 1, Missed: 1, Expected: 5}}}},
			trend[:4], 80, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := dashboard.DigestBody(tt.r, tt.trend, tt.threshold, tt.extra...)
			b, err := json.MarshalIndent(body, "", "  ")
			require.NoError(t, err)
			golden(t, tt.name, append(b, '\n'))
		})
	}
	// The same digests in German and Polish: every line of ours in the
	// language, numbers with its decimal comma; names, ritual titles and
	// ISO weeks as they are.
	for _, lang := range []string{"de", "pl"} {
		for _, tt := range tests[:len(tests):len(tests)] {
			name := strings.Replace(tt.name, ".golden", "_"+lang+".golden", 1)
			t.Run(name, func(t *testing.T) {
				body := dashboard.DigestBodyIn(lang, tt.r, tt.trend, tt.threshold)
				b, err := json.MarshalIndent(body, "", "  ")
				require.NoError(t, err)
				golden(t, name, append(b, '\n'))
				text := string(b)
				for _, english := range digestEnglish {
					assert.NotContains(t, text, english)
				}
				assert.NotRegexp(t, `\d\.\d%`, text, "a decimal point in a percentage")
			})
		}
	}
}

// digestEnglish are fragments of the English digest no other language
// shares.
var digestEnglish = []string{"Cadence digest", "Team score", "Held on time", "Answers:", "expected", "median time",
	"Rituals", "participation", "on time", "Below ", "Everyone", "generated", "The score", "weighs", "opened late",
	"missed", "skipped", "this period", "earlier week", "No ritual", "not scheduled", " of 100", " up ", " down "}

func withScore(r *cadence.Report, s float64) *cadence.Report {
	c := *r
	c.Team.Score = s
	return &c
}

type followupSection struct {
	lines []string
	err   error
}

func (followupSection) ID() string    { return "followups" }
func (followupSection) Title() string { return "Follow-ups" }
func (f followupSection) Tables(context.Context, cadence.ReportQuery) ([]*dashboard.Table, error) {
	t := &dashboard.Table{ID: "open", Title: "Open follow-ups", Columns: []dashboard.Column{{Key: "title", Label: "Title"}, {Key: "age_days", Label: "Age", Numeric: true}}}
	for i, l := range f.lines {
		t.Rows = append(t.Rows, []dashboard.Cell{{Value: l}, {Value: 10 - i, Text: "—days"}})
	}
	return []*dashboard.Table{t}, f.err
}
func (f followupSection) DigestSection(context.Context, *cadence.Report, string) (cadence.Section, bool, error) {
	return cadence.Section{Heading: "Overdue follow-ups", Lines: f.lines}, len(f.lines) > 0, f.err
}

type releaseSection struct{}

func (releaseSection) ID() string    { return "releases" }
func (releaseSection) Title() string { return "Release lane" }
func (releaseSection) Tables(context.Context, cadence.ReportQuery) ([]*dashboard.Table, error) {
	return nil, nil
}

func TestDigestSectionsCollectsOnlyDigestProviders(t *testing.T) {
	ctx := t.Context()
	got, err := dashboard.DigestSections(ctx, &cadence.Report{}, []dashboard.Section{releaseSection{}, followupSection{lines: []string{"a", "b"}}})
	require.NoError(t, err)
	assert.Equal(t, []cadence.Section{{Heading: "Overdue follow-ups", Lines: []string{"a", "b"}}}, got)

	got, err = dashboard.DigestSections(ctx, &cadence.Report{}, []dashboard.Section{followupSection{}})
	require.NoError(t, err)
	assert.Empty(t, got, "nothing to say: no section")

	_, err = dashboard.DigestSections(ctx, &cadence.Report{}, []dashboard.Section{followupSection{err: context.DeadlineExceeded}})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "digest section followups")
}

func TestSectionsGetPagesAndDownloads(t *testing.T) {
	f := smallFixture()
	h := newHandler(t, f, dashboard.Options{Sections: []dashboard.Section{followupSection{lines: []string{"Rotate key", "Fix drift alert"}}, releaseSection{}}})
	overview := getOK(t, h, "/?cap=release")
	assert.Contains(t, overview, `<a href="s/followups?cap=release">Follow-ups</a>`)
	assert.Contains(t, overview, `<a href="s/releases?cap=release">Release lane</a>`)

	page := getOK(t, h, "/s/followups?cap=release")
	assert.Contains(t, page, `<a href="../s/followups?cap=release" aria-current="page">Follow-ups</a>`)
	assert.Contains(t, page, `<link rel="stylesheet" href="../assets/style.css">`)
	assert.Contains(t, page, `href="../api/s/followups/open.csv?cap=release"`)
	assert.Equal(t, getCSV(t, h, "/api/s/followups/open.csv?cap=release"), pageTable(t, page, "open"))
	assert.Equal(t, [][]string{{"title", "age_days"}, {"Rotate key", "10"}, {"Fix drift alert", "9"}}, getCSV(t, h, "/api/s/followups/open.csv"))
	assert.Len(t, getJSON(t, h, "/api/s/followups/open.json?sort=age_days").Rows, 2)

	assert.Contains(t, getOK(t, h, "/s/releases"), "Nothing for these filters.")
	assert.Equal(t, 404, get(t, h, "/s/nope").Code)
	assert.Equal(t, 404, get(t, h, "/api/s/followups/nope.csv").Code)
	assert.Equal(t, 400, get(t, h, "/api/s/followups/open.csv?ritual=nope").Code)

	assert.PanicsWithError(t, `dashboard: section 1: duplicate id "releases"`, func() {
		dashboard.New(f, nil, dashboard.Options{Sections: []dashboard.Section{releaseSection{}, releaseSection{}}})
	})
}
