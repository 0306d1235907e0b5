package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func TestTeamScore(t *testing.T) {
	tests := []struct {
		name string
		t    cadence.Tally
		want float64
	}{
		{"perfect", cadence.Tally{Occurrences: 4, Held: 4, HeldOnTime: 4, Expected: 10, Answered: 10, AnsweredOnTime: 10}, 100},
		{"nothing answered, all held on time", cadence.Tally{Occurrences: 2, Held: 2, HeldOnTime: 2, Expected: 8}, 20},
		{"late answers count for participation only", cadence.Tally{Occurrences: 1, Held: 1, HeldOnTime: 1, Expected: 4, Answered: 4, AnsweredOnTime: 2}, 80},
		{"skipped occurrences are excluded", cadence.Tally{Occurrences: 3, Skipped: 2, Held: 1, HeldOnTime: 1, Expected: 1, Answered: 1, AnsweredOnTime: 1}, 100},
		{"missed occurrences count against held on time", cadence.Tally{Occurrences: 2, Missed: 1, Held: 1, HeldOnTime: 1, Expected: 2, Answered: 2, AnsweredOnTime: 2}, 90},
		{"nobody expected: only held on time, renormalised", cadence.Tally{Occurrences: 2, Held: 1, HeldOnTime: 1, Missed: 1}, 50},
		{"everything skipped: no data", cadence.Tally{Occurrences: 2, Skipped: 2}, 0},
		{"empty", cadence.Tally{}, 0},
		{"rounded to one decimal", cadence.Tally{Occurrences: 3, Held: 3, HeldOnTime: 2, Expected: 3, Answered: 2, AnsweredOnTime: 1}, 53.3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, cadence.TeamScore(tc.t))
		})
	}
}

// adherenceFixture: five occurrences over three ISO weeks, hand-computed
// below. Tolerance 2m; now is Tuesday 2026-12-08 09:00 UTC.
//
//	W48 triage  Mon 23 Nov  skipped (team holiday)
//	W49 triage  Mon 30 Nov  opened +1m (on time); ana on time (29m), bo late (4h59m), cy silent, dan excused
//	W49 standup Tue  1 Dec  opened +10m (late); ana on time (50m after her prompt), cy on time (10m)
//	W50 triage  Mon  7 Dec  missed
//	W50 standup Tue  8 Dec  open, on time; ana answered (5m); cy's window still open
func adherenceFixture() cadence.ReportInput {
	tri := func(d int) time.Time { return time.Date(2026, 11, d, 8, 30, 0, 0, time.UTC) }
	std := func(d int) time.Time { return time.Date(2026, 12, d, 8, 15, 0, 0, time.UTC) }
	t3, t1, t2 := tri(23), tri(30), tri(30).AddDate(0, 0, 7)
	s1, s2 := std(1), std(8)
	per := func(at time.Time, ps ...string) map[string]time.Time {
		m := map[string]time.Time{}
		for _, p := range ps {
			m[p] = at
		}
		return m
	}
	occ := func(r string, at time.Time, st cadence.Status) *cadence.Occurrence {
		return &cadence.Occurrence{ID: cadence.OccurrenceID(r, at), RitualID: r, Scheduled: at, DueAt: at, Status: st}
	}
	skipped := occ("triage", t3, cadence.StatusSkipped)
	skipped.SkipReason = "team holiday 2026-11-23"
	closedT1 := occ("triage", t1, cadence.StatusClosed)
	closedT1.OpenedAt, closedT1.Expected, closedT1.Excused = t1.Add(time.Minute), []string{"ana", "bo", "cy"}, map[string]string{"dan": "out of office"}
	closedT1.PromptAt, closedT1.Prompted, closedT1.CloseAt = per(t1, "ana", "bo", "cy"), per(t1.Add(time.Minute), "ana", "bo", "cy"), per(t1.Add(4*time.Hour), "ana", "bo", "cy")
	lateS1 := occ("standup", s1, cadence.StatusClosed)
	lateS1.OpenedAt, lateS1.Late, lateS1.Expected = s1.Add(10*time.Minute), true, []string{"ana", "cy"}
	lateS1.Prompted, lateS1.CloseAt = per(s1.Add(10*time.Minute), "ana", "cy"), per(s1.Add(3*time.Hour), "ana", "cy")
	missed := occ("triage", t2, cadence.StatusMissed)
	openS2 := occ("standup", s2, cadence.StatusOpen)
	openS2.OpenedAt, openS2.Expected = s2, []string{"ana", "cy"}
	openS2.Prompted, openS2.CloseAt = per(s2, "ana", "cy"), per(s2.Add(3*time.Hour), "ana", "cy")

	ans := func(o *cadence.Occurrence, p string, after time.Duration) *cadence.Answer {
		return &cadence.Answer{OccurrenceID: o.ID, RitualID: o.RitualID, PersonID: p, SubmittedAt: o.Scheduled.Add(after)}
	}
	return cadence.ReportInput{
		Query:     cadence.ReportQuery{From: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC)},
		Now:       time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC),
		Tolerance: 2 * time.Minute,
		// Deliberately out of order.
		Occurrences: []*cadence.Occurrence{openS2, closedT1, missed, skipped, lateS1},
		Answers: []*cadence.Answer{
			ans(closedT1, "ana", 30*time.Minute), ans(closedT1, "bo", 5*time.Hour),
			ans(lateS1, "ana", time.Hour), ans(lateS1, "cy", 20*time.Minute),
			ans(openS2, "ana", 5*time.Minute),
		},
		Rituals: []*cadence.Ritual{{ID: "triage", Title: "Weekly triage"}, {ID: "standup", Title: "Standup"}},
	}
}

func TestBuildReport(t *testing.T) {
	in := adherenceFixture()
	in.Roster = cadencetest.TestRoster(t)
	rep := cadence.BuildReport(in)
	m := time.Minute

	assert.Equal(t, cadence.Tally{
		Occurrences: 5, Held: 3, HeldOnTime: 2, Missed: 1, Skipped: 1,
		Expected: 6, Excused: 1, Answered: 5, AnsweredOnTime: 4,
		MedianLatency: 29 * m, Score: 70,
	}, rep.Team)

	require.Len(t, rep.Occurrences, 5)
	byID := map[string]cadence.OccurrenceAdherence{}
	var order []string
	for _, o := range rep.Occurrences {
		byID[o.OccurrenceID] = o
		order = append(order, o.OccurrenceID)
	}
	assert.Equal(t, []string{"triage@20261123T083000Z", "triage@20261130T083000Z", "standup@20261201T081500Z", "triage@20261207T083000Z", "standup@20261208T081500Z"}, order)
	t1 := byID["triage@20261130T083000Z"]
	assert.Equal(t, cadence.Tally{Occurrences: 1, Held: 1, HeldOnTime: 1, Expected: 3, Excused: 1, Answered: 2, AnsweredOnTime: 1, MedianLatency: 2*time.Hour + 44*m, Score: 60}, t1.Tally)
	assert.Equal(t, []string{"cy"}, t1.Missing)
	assert.Equal(t, time.Minute, t1.OpenDelay)
	s1 := byID["standup@20261201T081500Z"]
	assert.Equal(t, cadence.Tally{Occurrences: 1, Held: 1, Expected: 2, Answered: 2, AnsweredOnTime: 2, MedianLatency: 30 * m, Score: 80}, s1.Tally)
	assert.True(t, s1.Late)
	assert.Equal(t, 10*m, s1.OpenDelay)
	assert.Equal(t, cadence.Tally{Occurrences: 1, Missed: 1}, byID["triage@20261207T083000Z"].Tally)
	assert.Equal(t, cadence.Tally{Occurrences: 1, Skipped: 1}, byID["triage@20261123T083000Z"].Tally)
	s2 := byID["standup@20261208T081500Z"]
	assert.Equal(t, cadence.Tally{Occurrences: 1, Held: 1, HeldOnTime: 1, Expected: 1, Answered: 1, AnsweredOnTime: 1, MedianLatency: 5 * m, Score: 100}, s2.Tally, "cy is still pending")
	assert.Empty(t, s2.Missing)

	assert.Equal(t, []cadence.RitualAdherence{
		{RitualID: "triage", Title: "Weekly triage", Tally: cadence.Tally{Occurrences: 3, Held: 1, HeldOnTime: 1, Missed: 1, Skipped: 1, Expected: 3, Excused: 1, Answered: 2, AnsweredOnTime: 1, MedianLatency: 2*time.Hour + 44*m, Score: 50}},
		{RitualID: "standup", Title: "Standup", Tally: cadence.Tally{Occurrences: 2, Held: 2, HeldOnTime: 1, Expected: 3, Answered: 3, AnsweredOnTime: 3, MedianLatency: 10 * m, Score: 90}},
	}, rep.Rituals)

	assert.Equal(t, []cadence.PersonAdherence{
		{PersonID: "ana", Name: "Ana", Streak: 3, Tally: cadence.Tally{Occurrences: 3, Held: 3, HeldOnTime: 2, Expected: 3, Answered: 3, AnsweredOnTime: 3, MedianLatency: 29 * m, Score: 93.3}},
		{PersonID: "bo", Name: "Bo", Streak: 0, Tally: cadence.Tally{Occurrences: 1, Held: 1, HeldOnTime: 1, Expected: 1, Answered: 1, MedianLatency: 4*time.Hour + 59*m, Score: 60}},
		{PersonID: "cy", Name: "Cy", Streak: 1, Tally: cadence.Tally{Occurrences: 2, Held: 2, HeldOnTime: 1, Expected: 2, Answered: 1, AnsweredOnTime: 1, MedianLatency: 10 * m, Score: 50}},
		{PersonID: "dan", Name: "Dan", Streak: 0, Tally: cadence.Tally{Excused: 1}},
	}, rep.People)

	assert.Equal(t, []cadence.WeekAdherence{
		{Week: "2026-W48", Start: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Tally: cadence.Tally{Occurrences: 1, Skipped: 1}},
		{Week: "2026-W49", Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Tally: cadence.Tally{Occurrences: 2, Held: 2, HeldOnTime: 1, Expected: 5, Excused: 1, Answered: 4, AnsweredOnTime: 3, MedianLatency: 39*m + 30*time.Second, Score: 66}},
		{Week: "2026-W50", Start: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Tally: cadence.Tally{Occurrences: 2, Held: 1, HeldOnTime: 1, Missed: 1, Expected: 1, Answered: 1, AnsweredOnTime: 1, MedianLatency: 5 * m, Score: 90}},
	}, rep.Weeks)
}

func TestBuildReportFilters(t *testing.T) {
	in := adherenceFixture()
	in.Query.PersonIDs = []string{"cy"}
	rep := cadence.BuildReport(in)
	assert.Equal(t, 2, rep.Team.Expected)
	assert.Equal(t, 1, rep.Team.Answered)
	assert.Equal(t, 5, rep.Team.Occurrences, "occurrence counts are not per person")
	require.Len(t, rep.People, 1)
	assert.Equal(t, "cy", rep.People[0].PersonID)
	assert.Equal(t, "cy", rep.People[0].Name, "no roster: the ID")

	in = adherenceFixture()
	in.Query.RitualIDs = []string{"standup"}
	rep = cadence.BuildReport(in)
	assert.Equal(t, 2, rep.Team.Occurrences)
	assert.Equal(t, 3, rep.Team.Expected)
	require.Len(t, rep.Rituals, 1)

	in = adherenceFixture()
	in.Query.From = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	rep = cadence.BuildReport(in)
	assert.Equal(t, 3, rep.Team.Occurrences, "from is inclusive, earlier ones dropped")
}

// TestReportFromEngine: the engine's Report reads the same figures from
// the store that BuildReport computes from the fixture.
func TestReportFromEngine(t *testing.T) {
	in := adherenceFixture()
	h := cadencetest.NewHarness(t, in.Now)
	require.NoError(t, h.Store.Update(h.Ctx, func(tx cadence.Tx) error {
		for _, o := range in.Occurrences {
			require.NoError(t, tx.PutOccurrence(o))
		}
		for _, a := range in.Answers {
			require.NoError(t, tx.PutAnswer(a))
		}
		return nil
	}))
	rep, err := h.Eng.Report(h.Ctx, cadence.ReportQuery{From: in.Query.From})
	require.NoError(t, err)
	assert.Equal(t, 70.0, rep.Team.Score)
	assert.Equal(t, 5, rep.Team.Occurrences, "an open end reaches now")
	assert.Equal(t, in.Now, rep.GeneratedAt)

	_, err = h.Eng.Report(h.Ctx, cadence.ReportQuery{From: in.Now, To: in.Now.Add(-time.Hour)})
	require.ErrorIs(t, err, cadence.ErrInvalidInput)
}
