package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/postgres"
)

// Reads announced ahead answer as the reads themselves would, also when
// the transaction writes the same rows before the next round trip brings
// the answer back (it is then stale and dropped), and Enqueue of a key
// read ahead reports what an insert would.
func TestReadAheadAnswersAsReads(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	msg := func(key, text string) *cadence.Message {
		return &cadence.Message{Key: key, Platform: "slack", To: cadence.Recipient{Person: "ana"}, State: cadence.StatePending,
			CreatedAt: at, NextAttemptAt: at, Body: cadence.Body{Text: text}}
	}
	occ := func(day int, status cadence.Status) *cadence.Occurrence {
		s := at.AddDate(0, 0, day)
		return &cadence.Occurrence{ID: cadence.OccurrenceID("standup", s), RitualID: "standup", Scheduled: s, Status: status,
			Expected: []string{"ana", "bo"}, Prompted: map[string]time.Time{"ana": s}}
	}
	require.NoError(t, db.Update(ctx, func(tx cadence.Tx) error {
		for _, m := range []*cadence.Message{msg("kept", "old"), msg("rewritten", "old")} {
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		for day := -3; day < 0; day++ {
			if err := tx.PutOccurrence(occ(day, cadence.StatusOpen)); err != nil {
				return err
			}
		}
		return tx.PutAnswer(&cadence.Answer{OccurrenceID: occ(-2, "").ID, RitualID: "standup", PersonID: "ana", SubmittedAt: at, UpdatedAt: at})
	}))

	streak := cadence.OccurrenceFilter{RitualID: "standup", To: at, Newest: true, Limit: 30, Person: "ana"}
	require.NoError(t, db.Update(ctx, func(tx cadence.Tx) error {
		ra, ok := tx.(cadence.ReadAhead)
		require.True(t, ok, "a PostgreSQL transaction reads ahead")
		ra.ReadAhead(cadence.Reads{Messages: []string{"kept", "rewritten", "new", "absent"}, Occurrences: []cadence.OccurrenceFilter{streak}})
		// Written before anything is read: the answers read ahead
		// are older than these writes.
		require.NoError(t, tx.PutMessage(msg("rewritten", "new text")))
		changed := occ(-1, cadence.StatusClosed)
		require.NoError(t, tx.PutOccurrence(changed))
		require.NoError(t, tx.PutAnswer(&cadence.Answer{OccurrenceID: occ(-1, "").ID, RitualID: "standup", PersonID: "ana", SubmittedAt: at, UpdatedAt: at}))

		m, err := tx.Message("rewritten")
		require.NoError(t, err)
		require.Equal(t, "new text", m.Body.Text)
		m, err = tx.Message("kept")
		require.NoError(t, err)
		require.Equal(t, "old", m.Body.Text)
		_, err = tx.Message("absent")
		require.ErrorIs(t, err, cadence.ErrNotFound)

		added, err := tx.Enqueue(msg("kept", "other"))
		require.NoError(t, err)
		require.False(t, added, "the key is taken")
		added, err = tx.Enqueue(msg("new", "queued"))
		require.NoError(t, err)
		require.True(t, added)
		added, err = tx.Enqueue(msg("new", "twice"))
		require.NoError(t, err)
		require.False(t, added, "enqueued a moment ago")
		m, err = tx.Message("new")
		require.NoError(t, err)
		require.Equal(t, "queued", m.Body.Text)

		list, err := tx.Occurrences(streak)
		require.NoError(t, err)
		require.Len(t, list, 3)
		require.Equal(t, cadence.StatusClosed, list[0].Status, "the occurrence written after the read ahead")
		for i, want := range []bool{true, true, false} { // -1 answered in this transaction, -2 before, -3 not
			_, err := tx.Answer(list[i].ID, "ana")
			if want {
				require.NoError(t, err, list[i].ID)
			} else {
				require.ErrorIs(t, err, cadence.ErrNotFound, list[i].ID)
			}
		}
		return nil
	}))
	require.NoError(t, db.View(ctx, func(tx cadence.Tx) error {
		for key, want := range map[string]string{"kept": "old", "rewritten": "new text", "new": "queued"} {
			m, err := tx.Message(key)
			require.NoError(t, err)
			require.Equal(t, want, m.Body.Text, key)
		}
		return nil
	}))
}

// An answer costs two round trips — its reads (with BEGIN, the write lock
// and what it announced ahead), then its writes with COMMIT — at any size,
// with history to count a streak over.
func TestAnswerTakesTwoRoundTrips(t *testing.T) {
	for _, team := range []int{3, 50} {
		rig := newPGRig(t, team, team)
		rig.history = 2
		url := rig.prepare(t)
		count := &countingTracer{}
		db, err := postgres.OpenTraced(context.Background(), url, count)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		e := rig.engineOn(t, db, cadence.NewManualClock(rig.fire.Add(20*time.Minute)))
		for _, target := range rig.targets[:3] {
			count.trips.Store(0)
			a, err := e.SubmitAnswer(context.Background(), cadence.AnswerInput{OccurrenceID: target.occurrence, PersonID: target.person, Responses: rig.resp, Via: "test"})
			require.NoError(t, err)
			require.Equal(t, 0, a.Edits)
			require.EqualValues(t, 2, count.trips.Load(), "round trips of %s's answer, %d people", target.person, team)
		}
	}
}
