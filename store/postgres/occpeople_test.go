package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// Migration 0008 splits the occurrence docs written before it into the
// occurrence's row and one row per person: occurrences the engine opened
// (prompts queued) and hand-made ones (nil and empty maps, a person only
// excused, instants with nanoseconds and offsets, nil and empty lists of
// people), stored as 0007 stored them, read back identical, whole, one
// person at a time and listed.
func TestMigrationSplitsOccurrences(t *testing.T) {
	rig := newPGRig(t, 6, 3)
	url := rig.prepare(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	var all []*cadence.Occurrence
	require.NoError(t, db.View(ctx, func(tx cadence.Tx) error {
		all, err = tx.Occurrences(cadence.OccurrenceFilter{})
		return err
	}))
	require.Len(t, all, 2, "the engine opened one occurrence per ritual")
	for _, o := range all {
		require.Len(t, o.Prompted, 3, "the engine prompted everyone in %s", o.ID)
	}
	require.NoError(t, db.Close())

	at := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	zurich := time.FixedZone("", 3600)
	hand := []*cadence.Occurrence{
		{ID: cadence.OccurrenceID("triage", at), RitualID: "triage", Scheduled: at, Status: cadence.StatusClosed,
			DueAt: at, OpenedAt: at.Add(1234567 * time.Nanosecond), ClosesAt: at.Add(4 * time.Hour),
			Facilitator: "ana", Expected: []string{"bo", "ana"},
			Excused:  map[string]string{"cy": "out of office", "dee": ""},
			PromptAt: map[string]time.Time{"ana": at.In(zurich), "bo": at.Add(time.Hour)},
			CloseAt:  map[string]time.Time{},
			Prompted: map[string]time.Time{"ana": at.Add(time.Second + 5*time.Nanosecond)},
			Reminded: map[string]int{"bo": 2, "ana": 0}},
		{ID: cadence.OccurrenceID("retro", at), RitualID: "retro", Scheduled: at, Status: cadence.StatusSkipped,
			Expected: []string{}, SkipReason: "holiday", SkippedBy: "lea"},
		{ID: cadence.OccurrenceID("quality", at), RitualID: "quality", Scheduled: at, Status: cadence.StatusMissed,
			Excused: map[string]string{"ana": "declined"}},
	}
	all = append(all, hand...)
	sort.Slice(all, func(i, j int) bool { // as Occurrences lists them
		a, b := all[i], all[j]
		return a.Scheduled.Before(b.Scheduled) || a.Scheduled.Equal(b.Scheduled) && a.ID < b.ID
	})

	// Back to schema 7, each occurrence one doc as 0007 wrote it.
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, sql := range []string{
		"DROP TABLE occurrence_people",
		"ALTER TABLE occurrences DROP COLUMN expected",
		"DELETE FROM occurrences",
		"DELETE FROM schema_version WHERE version >= 8",
	} {
		_, err := conn.Exec(ctx, sql)
		require.NoError(t, err, sql)
	}
	for _, o := range all {
		doc, err := json.Marshal(o)
		require.NoError(t, err)
		_, err = conn.Exec(ctx, "INSERT INTO occurrences (id, ritual_id, scheduled_ns, status, doc) VALUES ($1, $2, $3, $4, $5)",
			o.ID, o.RitualID, o.Scheduled.UnixNano(), string(o.Status), doc)
		require.NoError(t, err)
	}

	db, err = postgres.Open(ctx, url)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.View(ctx, func(tx cadence.Tx) error {
		for _, o := range all {
			got, err := tx.Occurrence(o.ID)
			require.NoError(t, err)
			assert.Equal(t, o, got, "%s whole", o.ID)
			for _, p := range []string{"ana", "bo", "cy", "dee", "p000000", "p000004", "nobody"} {
				part, err := tx.OccurrenceFor(o.ID, p)
				require.NoError(t, err)
				assert.Equal(t, o.For(p), part, "%s for %s", o.ID, p)
			}
		}
		listed, err := tx.Occurrences(cadence.OccurrenceFilter{})
		require.NoError(t, err)
		assert.Equal(t, all, listed)
		return nil
	}))
	var docs []string
	rows, err := conn.Query(ctx, "SELECT convert_from(doc, 'UTF8') FROM occurrences")
	require.NoError(t, err)
	docs, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	for _, d := range docs {
		assert.NotContains(t, d, "out of office", "the occurrence's row holds no one's part")
		assert.NotContains(t, d, `"p000000"`, "the occurrence's row names no one")
	}
}

// A change to one person's part rewrites that person's row alone; the
// occurrence's own row and everyone else's stay as they were (the ctid of
// a row PostgreSQL rewrote moves).
func TestPutOccurrenceWritesOnlyWhatChanged(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	defer db.Close()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	at := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	o := &cadence.Occurrence{ID: cadence.OccurrenceID("standup", at), RitualID: "standup", Scheduled: at,
		Status: cadence.StatusOpen, Expected: []string{"ana", "bo", "cy"},
		Prompted: map[string]time.Time{}, Reminded: map[string]int{}}
	require.NoError(t, db.Update(ctx, func(tx cadence.Tx) error { return tx.PutOccurrence(o) }))
	ctids := func() map[string]string {
		out := map[string]string{}
		var occ string
		require.NoError(t, conn.QueryRow(ctx, "SELECT ctid::text FROM occurrences").Scan(&occ))
		out[""] = occ
		rows, err := conn.Query(ctx, "SELECT person_id, ctid::text FROM occurrence_people")
		require.NoError(t, err)
		var p, c string
		_, err = pgx.ForEachRow(rows, []any{&p, &c}, func() error { out[p] = c; return nil })
		require.NoError(t, err)
		return out
	}
	tests := []struct {
		name    string
		change  func(tx cadence.Tx) error
		changed []string // "" is the occurrence's row
	}{
		{"a prompt", func(tx cadence.Tx) error {
			o, err := tx.Occurrence(o.ID)
			if err != nil {
				return err
			}
			o.Prompted["bo"] = at
			return tx.PutOccurrence(o)
		}, []string{"bo"}},
		{"a reminder, written blind", func(tx cadence.Tx) error {
			o.Prompted["bo"] = at
			o.Reminded["cy"] = 1
			return tx.PutOccurrence(o)
		}, []string{"cy"}},
		{"the close", func(tx cadence.Tx) error {
			o, err := tx.Occurrence(o.ID)
			if err != nil {
				return err
			}
			o.Status, o.ClosedAt = cadence.StatusClosed, at.Add(time.Hour)
			return tx.PutOccurrence(o)
		}, []string{""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := ctids()
			require.NoError(t, db.Update(ctx, tc.change))
			after := ctids()
			var changed []string
			for k, c := range after {
				if before[k] != c {
					changed = append(changed, k)
				}
			}
			assert.ElementsMatch(t, tc.changed, changed)
		})
	}
}

// Occurrences with a Person reads each occurrence as For(person) holds
// it, and the person's answers to them come with it: what Answer returns
// after the listing, and after a write in the same transaction, is what
// the database holds.
func TestOccurrencesForOnePerson(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	var occs []*cadence.Occurrence
	for d := range 3 {
		s := at.AddDate(0, 0, d)
		occs = append(occs, &cadence.Occurrence{ID: cadence.OccurrenceID("standup", s), RitualID: "standup", Scheduled: s,
			Status: cadence.StatusClosed, Expected: []string{"ana", "bo"}, Excused: map[string]string{"cy": "out of office"},
			CloseAt: map[string]time.Time{"ana": s.Add(time.Hour), "bo": s.Add(2 * time.Hour)}, Prompted: map[string]time.Time{}})
	}
	occs[1].Expected = []string{"bo"} // ana not asked on day 2
	answer := &cadence.Answer{OccurrenceID: occs[0].ID, RitualID: "standup", PersonID: "ana", SubmittedAt: at, UpdatedAt: at,
		Responses: []cadence.Response{{QuestionID: "today", Text: "ship"}}}
	require.NoError(t, db.Update(ctx, func(tx cadence.Tx) error {
		for _, o := range occs {
			if err := tx.PutOccurrence(o); err != nil {
				return err
			}
		}
		return tx.PutAnswer(answer)
	}))
	for _, p := range []string{"ana", "bo", "cy", "nobody"} {
		require.EqualError(t, db.Update(ctx, func(tx cadence.Tx) error {
			got, err := tx.Occurrences(cadence.OccurrenceFilter{RitualID: "standup", Newest: true, Person: p})
			require.NoError(t, err)
			require.Len(t, got, 3)
			for i, o := range got {
				assert.Equal(t, occs[2-i].For(p), o, "%s as %s sees it", o.ID, p)
			}
			for _, o := range occs {
				a, err := tx.Answer(o.ID, p)
				if p == "ana" && o.ID == answer.OccurrenceID {
					require.NoError(t, err)
					assert.Equal(t, answer, a)
					continue
				}
				assert.ErrorIs(t, err, cadence.ErrNotFound, "%s's answer to %s", p, o.ID)
			}
			// A write in the transaction is what it reads next.
			late := &cadence.Answer{OccurrenceID: occs[2].ID, RitualID: "standup", PersonID: p, SubmittedAt: at, UpdatedAt: at}
			require.NoError(t, tx.PutAnswer(late))
			a, err := tx.Answer(occs[2].ID, p)
			require.NoError(t, err)
			assert.Equal(t, late, a)
			return errors.New("roll back")
		}), "roll back", p)
	}
}
