package cadencetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// AssertPersonReports holds that the engine's report for one person (it
// reads only that person's part of each occurrence and their answers)
// equals BuildReport over every occurrence and answer of the period for
// that person, for each person of the roster and each query; eng must
// run at now with the default on-time tolerance.
func AssertPersonReports(t *testing.T, st cadence.Store, eng *cadence.Engine, now time.Time, rituals []*cadence.Ritual, roster *cadence.Roster, queries []cadence.ReportQuery) {
	t.Helper()
	ctx := context.Background()
	for _, q := range queries {
		to := q.To
		if to.IsZero() {
			to = now.Add(48 * time.Hour)
		}
		in := cadence.ReportInput{Now: now, Tolerance: cadence.DefaultOnTimeTolerance, Rituals: rituals, Roster: roster}
		require.NoError(t, st.View(ctx, func(tx cadence.Tx) error {
			var err error
			if in.Occurrences, err = tx.Occurrences(cadence.OccurrenceFilter{From: q.From, To: to}); err != nil {
				return err
			}
			in.Answers, err = tx.AnswersBetween(q.From, to)
			return err
		}))
		counted := 0
		for _, p := range roster.People() {
			pq := q
			pq.PersonIDs = []string{p.ID}
			in.Query = pq
			want := cadence.BuildReport(in)
			got, err := eng.Report(ctx, pq)
			require.NoError(t, err)
			require.Equal(t, want, got, "report for %s, %+v", p.ID, q)
			if len(got.People) == 1 && got.People[0].Expected > 0 {
				counted++
			}
		}
		require.Positive(t, counted, "someone was asked in %+v", q)
	}
}
