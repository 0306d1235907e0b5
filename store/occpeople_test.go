package store_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
)

// A reminder or a prompt to one person of a thousand rewrites that
// person's record alone: the bytes written do not grow with the team.
func TestOnePersonsChangeRewritesOneSmallRecord(t *testing.T) {
	db := openAt(t, filepath.Join(t.TempDir(), "cadence.db"))
	o := &cadence.Occurrence{ID: cadence.OccurrenceID("standup", t0), RitualID: "standup", Scheduled: t0, Status: cadence.StatusOpen,
		ClosesAt: t0.Add(3 * 3600e9), PromptAt: map[string]time.Time{}, CloseAt: map[string]time.Time{}, Prompted: map[string]time.Time{}, Reminded: map[string]int{}}
	for i := range 1000 {
		p := fmt.Sprintf("p%04d", i)
		o.Expected = append(o.Expected, p)
		o.PromptAt[p], o.CloseAt[p] = t0, t0.Add(3*3600e9)
	}
	update(t, db, func(tx cadence.Tx) error { return tx.PutOccurrence(o) })

	snapshot := func() map[string][]byte {
		out := map[string][]byte{}
		require.NoError(t, db.Bolt().View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				return b.ForEach(func(k, v []byte) error {
					out[string(name)+" "+string(k)] = bytes.Clone(v)
					return nil
				})
			})
		}))
		return out
	}
	for _, tc := range []struct {
		name   string
		change func(o *cadence.Occurrence)
	}{
		{"prompted", func(o *cadence.Occurrence) { o.Prompted["p0500"] = t0.Add(60e9) }},
		{"reminded", func(o *cadence.Occurrence) { o.Reminded["p0500"] = 1 }},
		{"reminded again", func(o *cadence.Occurrence) { o.Reminded["p0500"] = 2 }},
	} {
		before := snapshot()
		update(t, db, func(tx cadence.Tx) error {
			got, err := tx.Occurrence(o.ID)
			require.NoError(t, err)
			tc.change(got)
			return tx.PutOccurrence(got)
		})
		after := snapshot()
		var changed []string
		written := 0
		for k, v := range after {
			if !bytes.Equal(before[k], v) {
				changed = append(changed, k)
				written += len(k) + len(v)
			}
		}
		assert.Equal(t, []string{"occurrence_people " + o.ID + "/p0500"}, changed, tc.name)
		assert.Less(t, written, 200, "%s: bytes written", tc.name)
	}
}

// Occurrences with a Person reads each occurrence as For(person) holds it
// (an answer's streak looks back 30 occurrences of up to a thousand
// people; it needs one person's record of each).
func TestOccurrencesForOnePerson(t *testing.T) {
	db := openTemp(t)
	at := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	var occs []*cadence.Occurrence
	for d := range 3 {
		s := at.AddDate(0, 0, d)
		occs = append(occs, &cadence.Occurrence{ID: cadence.OccurrenceID("standup", s), RitualID: "standup", Scheduled: s,
			Status: cadence.StatusClosed, Expected: []string{"ana", "bo"}, Excused: map[string]string{"cy": "out of office"},
			CloseAt: map[string]time.Time{"ana": s.Add(time.Hour), "bo": s.Add(2 * time.Hour)}, Prompted: map[string]time.Time{}})
	}
	occs[1].Expected = []string{"bo"} // ana not asked on day 2
	occs[2].Status = cadence.StatusOpen
	require.NoError(t, db.Update(t.Context(), func(tx cadence.Tx) error {
		for _, o := range occs {
			if err := tx.PutOccurrence(o); err != nil {
				return err
			}
		}
		return nil
	}))
	for _, p := range []string{"ana", "bo", "cy", "nobody"} {
		require.NoError(t, db.View(t.Context(), func(tx cadence.Tx) error {
			got, err := tx.Occurrences(cadence.OccurrenceFilter{RitualID: "standup", Newest: true, Person: p})
			require.NoError(t, err)
			require.Len(t, got, 3)
			for i, o := range got {
				assert.Equal(t, occs[2-i].For(p), o, "%s as %s sees it", o.ID, p)
			}
			closed, err := tx.Occurrences(cadence.OccurrenceFilter{RitualID: "standup", Status: []cadence.Status{cadence.StatusClosed}, Person: p, Limit: 1})
			require.NoError(t, err)
			require.Len(t, closed, 1)
			assert.Equal(t, occs[0].For(p), closed[0])
			return nil
		}))
	}
}
