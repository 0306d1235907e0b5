package benchdata_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/benchdata"
)

// A year of a small team: the engine's report over the file sees every
// record written, and the history holds each case a report must handle.
func TestBuildIsReadByTheEngine(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	spec := benchdata.Spec{People: 12, Rituals: benchdata.MaxRituals, Weeks: 52, Seed: 3}
	d, err := benchdata.Build(spec)
	require.NoError(t, err)
	assert.True(t, d.Built)
	// 52 weeks: 4 weekly rituals and a standup every weekday.
	assert.Equal(t, 52*4+52*5, d.Occurrences)

	db, err := d.Open(true)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	eng, err := d.Engine(db, d.To.Add(30*24*time.Hour))
	require.NoError(t, err)
	rep, err := eng.Report(context.Background(), cadence.ReportQuery{From: d.From, To: d.To})
	require.NoError(t, err)

	tm := rep.Team
	assert.Equal(t, d.Occurrences, tm.Occurrences)
	assert.Equal(t, d.Answers, tm.Answered, "every answer written is counted")
	assert.Equal(t, tm.Occurrences, tm.Held+tm.Missed+tm.Skipped)
	assert.Equal(t, spec.People*tm.Held, tm.Expected+tm.Excused, "everyone takes part in every ritual")
	assert.Positive(t, tm.Missed, "missed occurrences")
	assert.Positive(t, tm.Skipped, "skipped occurrences")
	assert.Less(t, tm.HeldOnTime, tm.Held, "some opened late")
	assert.Positive(t, tm.Excused, "out-of-office people")
	assert.Less(t, tm.AnsweredOnTime, tm.Answered, "some answered late")
	assert.InDelta(t, 0.8, float64(tm.Answered)/float64(tm.Expected), 0.1)
	assert.Len(t, rep.People, spec.People)
	assert.Len(t, rep.Rituals, benchdata.MaxRituals)

	// The per-person standup prompts at 09:15 in each person's zone.
	var standup *cadence.Occurrence
	require.NoError(t, db.View(context.Background(), func(tx cadence.Tx) error {
		occs, err := tx.Occurrences(cadence.OccurrenceFilter{RitualID: "standup", Status: []cadence.Status{cadence.StatusClosed}, Limit: 1})
		if len(occs) > 0 {
			standup = occs[0]
		}
		return err
	}))
	require.NotNil(t, standup)
	for p, at := range standup.PromptAt {
		local := at.In(d.Roster.Person(p).Location)
		assert.Equal(t, "09:15", local.Format("15:04"), p)
	}

	// The outbox as the engine leaves it: an agenda and a summary per
	// occurrence held, a prompt to everyone expected, a reminder to those
	// reminded, a receipt per answer and per edit; every message
	// delivered, those older than the retention compacted (and no longer
	// listed) or, direct messages about a closed occurrence, deleted; the
	// last month whole.
	var count, compacted, gone, whole, wholePosts, notCompacted int
	require.NoError(t, db.View(context.Background(), func(tx cadence.Tx) error {
		occs, err := tx.Occurrences(cadence.OccurrenceFilter{From: d.From, To: d.To})
		require.NoError(t, err)
		for _, o := range occs {
			if o.Status != cadence.StatusClosed {
				_, err := tx.Message(cadence.AgendaKey(o.ID))
				require.ErrorIs(t, err, cadence.ErrNotFound, "%s %s has no agenda", o.Status, o.ID)
				continue
			}
			keys := []string{cadence.AgendaKey(o.ID), cadence.SummaryKey(o.ID)}
			var dms []string // to one person about o: gone once compacted
			for _, p := range o.Expected {
				dms = append(dms, cadence.PromptKey(o.ID, p))
				if o.Reminded[p] > 0 {
					dms = append(dms, cadence.ReminderKey(o.ID, p, 0))
				}
			}
			as, err := tx.Answers(o.ID)
			require.NoError(t, err)
			for _, a := range as {
				dms = append(dms, cadence.ReceiptKey(o.ID, a.PersonID, 0))
				if a.Edits > 0 {
					dms = append(dms, cadence.ReceiptKey(o.ID, a.PersonID, 1))
				}
			}
			for _, k := range append(keys, dms...) {
				count++
				m, err := tx.Message(k)
				if errors.Is(err, cadence.ErrNotFound) && slices.Contains(dms, k) {
					// Only what all of o's messages were old enough for.
					require.True(t, o.ClosesAt.Before(d.To.Add(-benchdata.Retention)), "%s is gone, its occurrence closed %s", k, o.ClosesAt)
					gone++
					continue
				}
				require.NoError(t, err, k)
				require.Equal(t, cadence.StateSent, m.State, m.Key)
				require.Equal(t, m.Revision, m.SentRevision, m.Key)
				require.False(t, m.Ref.IsZero(), m.Key)
				if !m.Compacted {
					notCompacted++
				}
				switch {
				case m.CreatedAt.Before(d.To.Add(-benchdata.Retention - 3*24*time.Hour)):
					require.True(t, m.Compacted, "%s created %s", m.Key, m.CreatedAt)
					require.NotContains(t, dms, m.Key, "a direct message about a closed occurrence is deleted, not compacted")
					compacted++
				case m.CreatedAt.After(d.To.Add(-benchdata.Retention + 24*time.Hour)):
					require.False(t, m.Compacted, "%s created %s", m.Key, m.CreatedAt)
					require.NotEmpty(t, m.Body.Title, m.Key)
					whole++
					if !slices.Contains(dms, m.Key) {
						wholePosts++
					}
				}
			}
		}
		listed, err := tx.Messages(cadence.MessageFilter{})
		require.NoError(t, err)
		assert.Len(t, listed, notCompacted, "the messages not compacted are listed")
		return nil
	}))
	assert.Equal(t, d.Messages, count, "every message written is where the engine would look")
	assert.Greater(t, compacted, 5*wholePosts, "eleven months of agendas and summaries compacted, one whole")
	assert.Greater(t, gone, 5*whole, "eleven months of direct messages gone, one whole")
	assert.Positive(t, whole)

	// A second build reuses the cached file with the same counts.
	require.NoError(t, db.Close())
	again, err := benchdata.Build(spec)
	require.NoError(t, err)
	assert.False(t, again.Built)
	assert.Equal(t, d.Path, again.Path)
	assert.Equal(t, [3]int{d.Occurrences, d.Answers, d.Messages}, [3]int{again.Occurrences, again.Answers, again.Messages})
}

func TestBuildRefusesBadSpecs(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	for _, spec := range []benchdata.Spec{{People: 0, Rituals: 1, Weeks: 1}, {People: 1, Rituals: 1, Weeks: 0}, {People: 1, Rituals: 0, Weeks: 1}, {People: 1, Rituals: 6, Weeks: 1}} {
		_, err := benchdata.Build(spec)
		assert.Error(t, err, "%+v", spec)
	}
}
