package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// Ritual IDs may contain "/" and "@", so one occurrence ID can be a
// prefix of another's answer keys; Answers must keep them apart.
func TestAnswersOfPrefixOccurrenceIDsStayApart(t *testing.T) {
	db := openTemp(t)
	short := cadence.OccurrenceID("ml", t0)                   // ml@20260302T083000Z
	long := cadence.OccurrenceID("ml@20260302T083000Z/x", t0) // ml@20260302T083000Z/x@20260302T083000Z
	update(t, db, func(tx cadence.Tx) error {
		require.NoError(t, tx.PutAnswer(answerFor(short, "ana")))
		require.NoError(t, tx.PutAnswer(answerFor(long, "bo")))
		require.NoError(t, tx.PutAnswer(answerFor(short, "zed"))) // "zed" sorts after "x@..."
		return nil
	})
	view(t, db, func(tx cadence.Tx) error {
		people := func(as []*cadence.Answer) []string {
			out := []string{}
			for _, a := range as {
				out = append(out, a.PersonID)
			}
			return out
		}
		got, err := tx.Answers(short)
		require.NoError(t, err)
		assert.Equal(t, []string{"ana", "zed"}, people(got))
		got, err = tx.Answers(long)
		require.NoError(t, err)
		assert.Equal(t, []string{"bo"}, people(got))
		got, err = tx.AnswersBetween(t0, t0.Add(time.Second))
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"ana", "zed", "bo"}, people(got), "each answer once")
		return nil
	})
}

func TestPutAnswerRefusesBadKeys(t *testing.T) {
	occ := cadence.OccurrenceID("standup", t0)
	tests := []struct {
		name string
		a    *cadence.Answer
		want string
	}{
		{"separator in person", answerFor(occ, "ana/bo"), `person id "ana/bo" contains "/"`},
		{"no person", answerFor(occ, ""), "occurrence and person are required"},
		{"occurrence ID without instant", answerFor("standup", "ana"), `occurrence id "standup": want RITUAL@YYYYMMDDTHHMMSSZ`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTemp(t)
			err := db.Update(t.Context(), func(tx cadence.Tx) error { return tx.PutAnswer(tc.a) })
			require.ErrorIs(t, err, cadence.ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestAnswersBetweenUsesTheOccurrenceInstant(t *testing.T) {
	db := openTemp(t)
	week := 7 * 24 * time.Hour
	update(t, db, func(tx cadence.Tx) error {
		for w := range 4 {
			for _, p := range []string{"bo", "ana"} {
				a := answerFor(cadence.OccurrenceID("triage", t0.Add(time.Duration(w)*week)), p)
				a.SubmittedAt = t0.Add(time.Duration(w+10) * week) // late answers still count for their week
				require.NoError(t, tx.PutAnswer(a))
			}
		}
		return nil
	})
	tests := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"one week", t0.Add(week), t0.Add(2 * week), []string{"triage@20260309T083000Z ana", "triage@20260309T083000Z bo"}},
		{"open start", time.Time{}, t0.Add(time.Second), []string{"triage@20260302T083000Z ana", "triage@20260302T083000Z bo"}},
		{"open end", t0.Add(3 * week), time.Time{}, []string{"triage@20260323T083000Z ana", "triage@20260323T083000Z bo"}},
		{"to is exclusive", t0.Add(week - time.Second), t0.Add(week), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			view(t, db, func(tx cadence.Tx) error {
				got, err := tx.AnswersBetween(tc.from, tc.to)
				require.NoError(t, err)
				var keys []string
				for _, a := range got {
					keys = append(keys, a.OccurrenceID+" "+a.PersonID)
				}
				assert.Equal(t, tc.want, keys)
				return nil
			})
		})
	}
}

// Many people answering at once: every answer lands, whether each
// writer runs its own Update or they share commits with UpdateBatch.
func TestConcurrentAnswerWrites(t *testing.T) {
	db := openTemp(t)
	occ := cadence.OccurrenceID("standup", t0)
	const writers, each = 32, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			update := db.Update
			if w%2 == 1 {
				update = db.UpdateBatch
			}
			for i := range each {
				a := answerFor(occ, fmt.Sprintf("w%02d-%d", w, i))
				errs <- update(t.Context(), func(tx cadence.Tx) error { return tx.PutAnswer(a) })
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	view(t, db, func(tx cadence.Tx) error {
		got, err := tx.Answers(occ)
		require.NoError(t, err)
		assert.Len(t, got, writers*each)
		between, err := tx.AnswersBetween(t0, t0.Add(time.Second))
		require.NoError(t, err)
		assert.Len(t, between, writers*each)
		return nil
	})
}

var _ cadence.Store = (*store.DB)(nil)
