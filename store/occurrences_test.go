package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

func occ(ritual string, at time.Time, st cadence.Status) *cadence.Occurrence {
	return &cadence.Occurrence{ID: cadence.OccurrenceID(ritual, at), RitualID: ritual, Scheduled: at, Status: st}
}

func ids(os []*cadence.Occurrence) []string {
	out := []string{}
	for _, o := range os {
		out = append(out, o.ID)
	}
	return out
}

func TestOccurrencesTimeRangeBounds(t *testing.T) {
	db := openTemp(t)
	zurich, err := time.LoadLocation("Europe/Zurich")
	require.NoError(t, err)
	all := []*cadence.Occurrence{
		occ("triage", t0, cadence.StatusClosed),
		occ("standup", t0, cadence.StatusOpen), // same instant: ties by ID
		occ("deploy", t0.Add(time.Nanosecond), cadence.StatusOpen),
		occ("review", t0.Add(time.Hour), cadence.StatusMissed),
		occ("triage", t0.AddDate(0, 0, 7), cadence.StatusOpen),
	}
	update(t, db, func(tx cadence.Tx) error {
		for i := len(all) - 1; i >= 0; i-- {
			require.NoError(t, tx.PutOccurrence(all[i]))
		}
		return nil
	})
	const (
		standup = "standup@20260302T083000Z"
		triage  = "triage@20260302T083000Z"
		deploy  = "deploy@20260302T083000Z" // 1ns after the others
		review  = "review@20260302T093000Z"
		triage2 = "triage@20260309T083000Z"
	)
	tests := []struct {
		name string
		f    cadence.OccurrenceFilter
		want []string
	}{
		{"everything, by time then ID", cadence.OccurrenceFilter{}, []string{standup, triage, deploy, review, triage2}},
		{"from is inclusive", cadence.OccurrenceFilter{From: t0.Add(time.Hour)}, []string{review, triage2}},
		{"to is exclusive, to the nanosecond", cadence.OccurrenceFilter{To: t0.Add(time.Nanosecond)}, []string{standup, triage}},
		{"from to the nanosecond", cadence.OccurrenceFilter{From: t0.Add(time.Nanosecond), To: t0.Add(time.Hour)}, []string{deploy}},
		{"bounds in another zone are the same instants",
			cadence.OccurrenceFilter{From: t0.In(zurich).Add(time.Minute), To: t0.In(zurich).AddDate(0, 0, 7)}, []string{review}},
		{"ritual", cadence.OccurrenceFilter{RitualID: "triage"}, []string{triage, triage2}},
		{"status", cadence.OccurrenceFilter{Status: []cadence.Status{cadence.StatusMissed, cadence.StatusClosed}}, []string{triage, review}},
		{"limit counts matches, not rows scanned", cadence.OccurrenceFilter{RitualID: "triage", Limit: 1}, []string{triage}},
		{"empty range", cadence.OccurrenceFilter{From: t0.AddDate(1, 0, 0)}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			view(t, db, func(tx cadence.Tx) error {
				got, err := tx.Occurrences(tc.f)
				require.NoError(t, err)
				assert.Equal(t, tc.want, ids(got))
				return nil
			})
		})
	}
}

// The ID index keeps one entry per occurrence even when its scheduled
// time changes (and with it the primary key).
func TestPutOccurrenceMovesItsTimeKey(t *testing.T) {
	db := openTemp(t)
	o := occ("triage", t0, cadence.StatusOpen)
	update(t, db, func(tx cadence.Tx) error { return tx.PutOccurrence(o) })
	moved := *o
	moved.Scheduled = t0.Add(30 * time.Minute)
	update(t, db, func(tx cadence.Tx) error { return tx.PutOccurrence(&moved) })

	view(t, db, func(tx cadence.Tx) error {
		all, err := tx.Occurrences(cadence.OccurrenceFilter{})
		require.NoError(t, err)
		require.Len(t, all, 1, "the old time key is gone")
		assert.Equal(t, moved.Scheduled, all[0].Scheduled)
		before, err := tx.Occurrences(cadence.OccurrenceFilter{To: t0.Add(time.Minute)})
		require.NoError(t, err)
		assert.Empty(t, before)
		got, err := tx.Occurrence(o.ID)
		require.NoError(t, err)
		assert.Equal(t, moved.Scheduled, got.Scheduled)
		return nil
	})
}

func TestOccurrenceTimesComeBackInUTC(t *testing.T) {
	db := openTemp(t)
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	require.NoError(t, err)
	o := occ("standup", t0, cadence.StatusOpen)
	o.OpenedAt = t0.In(kolkata).Add(time.Second)
	o.PromptAt = map[string]time.Time{"ana": t0.In(kolkata)}
	update(t, db, func(tx cadence.Tx) error { return tx.PutOccurrence(o) })
	view(t, db, func(tx cadence.Tx) error {
		got, err := tx.Occurrence(o.ID)
		require.NoError(t, err)
		assert.Equal(t, t0.Add(time.Second), got.OpenedAt)
		assert.Equal(t, time.UTC, got.OpenedAt.Location())
		assert.Equal(t, map[string]time.Time{"ana": t0}, got.PromptAt)
		return nil
	})
}

func TestPutOccurrenceRefusesYearsOutsideTheKeyRange(t *testing.T) {
	db := openTemp(t)
	o := occ("triage", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), cadence.StatusOpen)
	o.ID = "triage@far-future"
	err := db.Update(t.Context(), func(tx cadence.Tx) error { return tx.PutOccurrence(o) })
	require.ErrorIs(t, err, cadence.ErrInvalidInput)
	assert.Contains(t, err.Error(), `occurrence triage@far-future scheduled`)
	assert.Contains(t, err.Error(), "year 10000 is outside 0000-9999")
}

// The open index follows status changes: a closed occurrence leaves it, a
// reopened one comes back, and the listing keeps time order and filters.
func TestOpenOccurrenceIndex(t *testing.T) {
	db := openAt(t, filepath.Join(t.TempDir(), "cadence.db"))
	t0 := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	openOnly := []cadence.Status{cadence.StatusOpen}
	ids := func(f cadence.OccurrenceFilter) []string {
		var out []string
		view(t, db, func(tx cadence.Tx) error {
			list, err := tx.Occurrences(f)
			require.NoError(t, err)
			for _, o := range list {
				out = append(out, o.ID)
			}
			return nil
		})
		return out
	}
	update(t, db, func(tx cadence.Tx) error {
		for _, o := range []*cadence.Occurrence{
			occ("triage", t0.Add(48*time.Hour), cadence.StatusOpen),
			occ("triage", t0, cadence.StatusOpen),
			occ("standup", t0.Add(time.Hour), cadence.StatusOpen),
			occ("standup", t0.Add(-time.Hour), cadence.StatusClosed),
		} {
			require.NoError(t, tx.PutOccurrence(o))
		}
		return nil
	})
	assert.Equal(t, []string{"triage@20260302T083000Z", "standup@20260302T093000Z", "triage@20260304T083000Z"},
		ids(cadence.OccurrenceFilter{Status: openOnly}))
	assert.Equal(t, []string{"triage@20260302T083000Z", "triage@20260304T083000Z"},
		ids(cadence.OccurrenceFilter{Status: openOnly, RitualID: "triage"}))
	assert.Equal(t, []string{"standup@20260302T093000Z"},
		ids(cadence.OccurrenceFilter{Status: openOnly, From: t0.Add(time.Minute), To: t0.Add(24 * time.Hour)}))

	update(t, db, func(tx cadence.Tx) error {
		return tx.PutOccurrence(occ("triage", t0, cadence.StatusClosed))
	})
	assert.Equal(t, []string{"standup@20260302T093000Z", "triage@20260304T083000Z"}, ids(cadence.OccurrenceFilter{Status: openOnly}))
	update(t, db, func(tx cadence.Tx) error {
		return tx.PutOccurrence(occ("triage", t0, cadence.StatusOpen))
	})
	assert.Equal(t, []string{"triage@20260302T083000Z", "standup@20260302T093000Z", "triage@20260304T083000Z"},
		ids(cadence.OccurrenceFilter{Status: openOnly}))
	// A prefix of another ritual's ID does not match it.
	assert.Empty(t, ids(cadence.OccurrenceFilter{RitualID: "triag"}))
}
