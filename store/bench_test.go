package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// benchAnswer is a realistic standup answer: three questions, a few
// sentences each (about 600 bytes as JSON).
func benchAnswer(occ, person string) *cadence.Answer {
	return &cadence.Answer{
		OccurrenceID: occ,
		RitualID:     "standup",
		PersonID:     person,
		Responses: []cadence.Response{
			{QuestionID: "yesterday", Text: "Finished the feature-store backfill for the churn model and reviewed the data contract for the payments events; " + strings.Repeat("x", 60)},
			{QuestionID: "today", Text: "Wire the drift monitor into the release lane and pair with the platform team on the canary rollout; " + strings.Repeat("y", 60)},
			{QuestionID: "blockers", Text: "Waiting on GPU quota for the retraining job in eu-west; ticket INFRA-1234."},
		},
		SubmittedAt: t0.Add(12 * time.Minute),
		UpdatedAt:   t0.Add(12 * time.Minute),
		Via:         "slack-modal",
	}
}

var syncModes = []struct {
	name   string
	noSync bool
}{{"fsync", false}, {"nosync", true}}

// Raw bbolt: one Update per pre-encoded answer-sized record, one bucket.
// The floor PutAnswer is measured against.
func BenchmarkRawBoltWrite(b *testing.B) {
	for _, mode := range syncModes {
		b.Run(mode.name, func(b *testing.B) {
			bdb, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bolt.Options{NoSync: mode.noSync})
			if err != nil {
				b.Fatal(err)
			}
			defer bdb.Close()
			occ := cadence.OccurrenceID("standup", t0)
			val, err := json.Marshal(benchAnswer(occ, "p00000"))
			if err != nil {
				b.Fatal(err)
			}
			if err := bdb.Update(func(tx *bolt.Tx) error {
				_, err := tx.CreateBucket([]byte("answers"))
				return err
			}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(val)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				key := []byte(fmt.Sprintf("%s/p%05d", occ, i))
				if err := bdb.Update(func(tx *bolt.Tx) error {
					return tx.Bucket([]byte("answers")).Put(key, val)
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// PutAnswer through the store: encoding, the time index, one Update each.
func BenchmarkPutAnswer(b *testing.B) {
	for _, mode := range syncModes {
		b.Run(mode.name, func(b *testing.B) {
			db, err := store.Open(filepath.Join(b.TempDir(), "cadence.db"), store.Options{NoSync: mode.noSync})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			occ := cadence.OccurrenceID("standup", t0)
			a := benchAnswer(occ, "")
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				a.PersonID = fmt.Sprintf("p%05d", i)
				if err := db.Update(b.Context(), func(tx cadence.Tx) error { return tx.PutAnswer(a) }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Many people answering at once (32 writers on this machine's cores),
// each answer in its own transaction: Update commits one at a time,
// UpdateBatch shares commits and fsyncs.
func BenchmarkConcurrentAnswers(b *testing.B) {
	for _, mode := range []string{"Update", "UpdateBatch"} {
		b.Run(mode, func(b *testing.B) {
			db, err := store.Open(filepath.Join(b.TempDir(), "cadence.db"), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			update := db.Update
			if mode == "UpdateBatch" {
				update = db.UpdateBatch
			}
			occ := cadence.OccurrenceID("standup", t0)
			var n atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					a := benchAnswer(occ, fmt.Sprintf("p%07d", n.Add(1)))
					if err := update(b.Context(), func(tx cadence.Tx) error { return tx.PutAnswer(a) }); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// yearDB is one year of history for 200 people and 4 rituals: weekly
// triage (Mon), deployment planning (Tue), quality review (Thu), and a
// standup every weekday; everyone answers everything (the upper bound).
// Built once per test binary, since it takes seconds.
var yearDB struct {
	once          sync.Once
	path          string
	occs, answers int
	from, to      time.Time
	buildErr      error
	buildTime     time.Duration
	sizeBytes     int64
}

const benchPeople = 200

func buildYear() {
	dir, err := os.MkdirTemp("", "cadence-bench-")
	if err != nil {
		yearDB.buildErr = err
		return
	}
	yearDB.path = filepath.Join(dir, "year.db")
	db, err := store.Open(yearDB.path, store.Options{NoSync: true})
	if err != nil {
		yearDB.buildErr = err
		return
	}
	defer db.Close()
	start := time.Now()
	yearDB.from = time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC) // a Monday
	yearDB.to = yearDB.from.AddDate(1, 0, 0)
	weekly := map[time.Weekday][]string{
		time.Monday:    {"triage", "standup"},
		time.Tuesday:   {"deployment-planning", "standup"},
		time.Wednesday: {"standup"},
		time.Thursday:  {"quality-review", "standup"},
		time.Friday:    {"standup"},
	}
	people := make([]string, benchPeople)
	for i := range people {
		people[i] = fmt.Sprintf("person-%03d", i)
	}
	for day := yearDB.from; day.Before(yearDB.to); day = day.AddDate(0, 0, 1) {
		for _, ritual := range weekly[day.Weekday()] {
			at := day.Add(9*time.Hour + 15*time.Minute)
			o := &cadence.Occurrence{
				ID: cadence.OccurrenceID(ritual, at), RitualID: ritual, Scheduled: at,
				Status: cadence.StatusClosed, OpenedAt: at, ClosesAt: at.Add(4 * time.Hour), ClosedAt: at.Add(4 * time.Hour),
				Expected: people,
			}
			err := db.Update(context.Background(), func(tx cadence.Tx) error {
				if err := tx.PutOccurrence(o); err != nil {
					return err
				}
				for _, p := range people {
					a := benchAnswer(o.ID, p)
					a.RitualID = ritual
					if err := tx.PutAnswer(a); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				yearDB.buildErr = err
				return
			}
			yearDB.occs++
			yearDB.answers += len(people)
		}
	}
	yearDB.buildTime = time.Since(start)
	if fi, err := os.Stat(yearDB.path); err == nil {
		yearDB.sizeBytes = fi.Size()
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if yearDB.path != "" {
		_ = os.RemoveAll(filepath.Dir(yearDB.path))
	}
	os.Exit(code)
}

// BenchmarkYearScan reads what a yearly report needs: every occurrence
// and every answer of 1 year × 200 people × 4 rituals.
func BenchmarkYearScan(b *testing.B) {
	yearDB.once.Do(buildYear)
	if yearDB.buildErr != nil {
		b.Fatal(yearDB.buildErr)
	}
	b.Logf("data set: %d occurrences, %d answers, %.1f MiB, built in %s",
		yearDB.occs, yearDB.answers, float64(yearDB.sizeBytes)/(1<<20), yearDB.buildTime.Round(time.Millisecond))
	db, err := store.Open(yearDB.path, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()

	b.Run("range", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var no, na int
			err := db.View(b.Context(), func(tx cadence.Tx) error {
				occs, err := tx.Occurrences(cadence.OccurrenceFilter{From: yearDB.from, To: yearDB.to})
				if err != nil {
					return err
				}
				as, err := tx.AnswersBetween(yearDB.from, yearDB.to)
				no, na = len(occs), len(as)
				return err
			})
			if err != nil || no != yearDB.occs || na != yearDB.answers {
				b.Fatalf("got %d occurrences, %d answers, err %v; want %d, %d", no, na, err, yearDB.occs, yearDB.answers)
			}
		}
	})
	b.Run("per-occurrence", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var na int
			err := db.View(b.Context(), func(tx cadence.Tx) error {
				occs, err := tx.Occurrences(cadence.OccurrenceFilter{From: yearDB.from, To: yearDB.to})
				if err != nil {
					return err
				}
				for _, o := range occs {
					as, err := tx.Answers(o.ID)
					if err != nil {
						return err
					}
					na += len(as)
				}
				return nil
			})
			if err != nil || na != yearDB.answers {
				b.Fatalf("got %d answers, err %v; want %d", na, err, yearDB.answers)
			}
		}
	})
}
