package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
	"github.com/cadencebot/cadencebot/store/benchdata"
)

// Issue 2's benchmarks on the real bbolt store: answers/s end to end
// through the engine against raw bbolt writes of the same records, and
// the engine's yearly report.
//
//	go test ./store -run '^$' -bench 'Answers|EngineReport' -benchtime 2000x
//
// Each answer benchmark runs three layers over the same (occurrence,
// person) pairs, one bbolt transaction per answer:
//
//	raw     bolt Update: Put of the exact bytes and key the store writes
//	store   store.Update: PutAnswer (encoding, primary record, time index)
//	engine  Engine.SubmitAnswer: validation, occurrence read, answer,
//	        receipt queued, summary re-rendered from all answers so far
//
// serially and from 32 concurrent submitters (b.RunParallel), with fsync
// (the daemon's setting) and NoSync, and logs each layer's answers/s
// against raw. parallel/raw-batch is bolt's Batch, for reference: what
// group commit would give concurrent answers.

// answerTeam is people per ritual: a team answering its own standup, so
// the summary an answer re-renders has at most this many answers.
const answerTeam = 10

// answerRig is n (occurrence, person) pairs with the occurrences open in
// a store, and the engine over it.
type answerRig struct {
	dir     string
	rituals []*cadence.Ritual
	roster  *cadence.Roster
	clock   *cadence.ManualClock
	targets []answerTarget
	resp    []cadence.Response
}

type answerTarget struct{ occurrence, person string }

// newAnswerRig opens ceil(n/answerTeam) daily rituals of answerTeam
// people each, with the engine on a NoSync store (setup, untimed); the
// timed part reopens the file in the mode under test.
func newAnswerRig(b *testing.B, n int) *answerRig { return newTeamRig(b, n, answerTeam) }

// newTeamRig is newAnswerRig with team people per ritual (occurrence).
func newTeamRig(b *testing.B, n, team int) *answerRig {
	b.Helper()
	rig := &answerRig{
		dir:  b.TempDir(),
		resp: []cadence.Response{{QuestionID: "yesterday", Text: "Shipped the feature-store backfill for the churn model; row counts match the warehouse."}, {QuestionID: "today", Text: "Canary for ranker v42, then the drift monitor in the release lane."}, {QuestionID: "blockers", Text: "none"}},
	}
	sched, err := cadence.ParseSchedule("0 9 * * *", time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	var people []*cadence.Person
	fire := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for k := 0; k*team < n; k++ {
		r := &cadence.Ritual{
			ID: fmt.Sprintf("standup-%04d", k), Title: "Standup", Kind: cadence.KindStandup, Channel: "standup",
			Schedule: sched, Questions: cadence.DefaultQuestions(cadence.KindStandup),
			Window: 8 * time.Hour, Reminders: []time.Duration{time.Hour},
		}
		for i := 0; i < team; i++ {
			p := &cadence.Person{ID: fmt.Sprintf("p%06d", k*team+i), Role: cadence.RoleSpecialist, Location: time.UTC}
			p.Name = p.ID
			people = append(people, p)
			r.Participants = append(r.Participants, p.ID)
			if len(rig.targets) < n {
				rig.targets = append(rig.targets, answerTarget{cadence.OccurrenceID(r.ID, fire), p.ID})
			}
		}
		rig.rituals = append(rig.rituals, r)
	}
	rig.roster = cadence.NewRoster(people)
	rig.clock = cadence.NewManualClock(fire.Add(-time.Hour))

	db, eng := rig.open(b, true)
	ctx := context.Background()
	if err := eng.Tick(ctx); err != nil { // starts the rituals
		b.Fatal(err)
	}
	rig.clock.Set(fire.Add(time.Minute))
	if err := eng.Tick(ctx); err != nil { // opens today's occurrences
		b.Fatal(err)
	}
	rig.clock.Set(fire.Add(20 * time.Minute))
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	return rig
}

func (rig *answerRig) open(b *testing.B, noSync bool) (*store.DB, *cadence.Engine) {
	b.Helper()
	db, err := store.Open(filepath.Join(rig.dir, "engine.db"), store.Options{NoSync: noSync})
	if err != nil {
		b.Fatal(err)
	}
	eng, err := cadence.New(cadence.EngineConfig{Rituals: rig.rituals, Roster: rig.roster, Store: db, Clock: rig.clock, Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	return db, eng
}

// encodedAnswer is the key and value the store writes for a, read back
// from a scratch file, so raw writes put exactly the same bytes.
func encodedAnswer(b *testing.B, a *cadence.Answer) (key, val []byte) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "scratch.db")
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Update(context.Background(), func(tx cadence.Tx) error { return tx.PutAnswer(a) }); err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer bdb.Close()
	_ = bdb.View(func(tx *bolt.Tx) error {
		k, v := tx.Bucket([]byte("answers")).Cursor().First()
		key, val = append([]byte(nil), k...), append([]byte(nil), v...)
		return nil
	})
	if val == nil {
		b.Fatal("no answer record in the scratch store")
	}
	return key, val
}

// answerLayers are the three ways to store one answer, each returning a
// function that stores target i.
var answerLayers = []struct {
	name string
	open func(b *testing.B, rig *answerRig, noSync, batch bool) (store func(i int) error, closeFn func())
}{
	{"raw", func(b *testing.B, rig *answerRig, noSync, batch bool) (func(int) error, func()) {
		t := rig.targets[0]
		_, val := encodedAnswer(b, &cadence.Answer{OccurrenceID: t.occurrence, RitualID: "standup-0000", PersonID: t.person,
			Responses: rig.resp, SubmittedAt: rig.clock.Now(), UpdatedAt: rig.clock.Now(), Via: "bench"})
		bdb, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bolt.Options{NoSync: noSync})
		if err != nil {
			b.Fatal(err)
		}
		if err := bdb.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("answers")); return err }); err != nil {
			b.Fatal(err)
		}
		keys := make([][]byte, len(rig.targets))
		for i, t := range rig.targets {
			keys[i] = []byte(t.occurrence + "/" + t.person)
		}
		update := bdb.Update
		if batch {
			update = bdb.Batch
		}
		return func(i int) error {
			return update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("answers")).Put(keys[i], val) })
		}, func() { _ = bdb.Close() }
	}},
	{"store", func(b *testing.B, rig *answerRig, noSync, _ bool) (func(int) error, func()) {
		db, err := store.Open(filepath.Join(b.TempDir(), "store.db"), store.Options{NoSync: noSync})
		if err != nil {
			b.Fatal(err)
		}
		now := rig.clock.Now()
		return func(i int) error {
			t := rig.targets[i]
			a := &cadence.Answer{OccurrenceID: t.occurrence, RitualID: "standup", PersonID: t.person, Responses: rig.resp, SubmittedAt: now, UpdatedAt: now, Via: "bench"}
			return db.Update(context.Background(), func(tx cadence.Tx) error { return tx.PutAnswer(a) })
		}, func() { _ = db.Close() }
	}},
	{"engine", func(b *testing.B, rig *answerRig, noSync, _ bool) (func(int) error, func()) {
		db, eng := rig.open(b, noSync)
		return func(i int) error {
			t := rig.targets[i]
			_, err := eng.SubmitAnswer(context.Background(), cadence.AnswerInput{OccurrenceID: t.occurrence, PersonID: t.person, Responses: rig.resp, Via: "bench"})
			return err
		}, func() { _ = db.Close() }
	}},
}

func BenchmarkAnswers(b *testing.B) {
	for _, mode := range syncModes {
		for _, parallel := range []bool{false, true} {
			group := mode.name + "/serial"
			if parallel {
				group = mode.name + "/parallel"
			}
			rates := map[string]float64{}
			layers := answerLayers
			if parallel {
				layers = append(layers[:1:1], layers...)
			}
			for i, layer := range layers {
				name, batch := layer.name, parallel && i == 0
				if batch {
					name = "raw-batch"
				}
				b.Run(group+"/"+name, func(b *testing.B) {
					rig := newAnswerRig(b, b.N)
					store, closeFn := layer.open(b, rig, mode.noSync, batch)
					defer closeFn()
					b.ReportAllocs()
					b.ResetTimer()
					if parallel {
						var next atomic.Int64
						b.SetParallelism(16)
						b.RunParallel(func(pb *testing.PB) {
							for pb.Next() {
								if err := store(int(next.Add(1) - 1)); err != nil {
									b.Error(err)
									return
								}
							}
						})
					} else {
						for i := 0; i < b.N; i++ {
							if err := store(i); err != nil {
								b.Fatal(err)
							}
						}
					}
					b.StopTimer()
					rate := float64(b.N) / b.Elapsed().Seconds()
					b.ReportMetric(rate, "answers/s")
					rates[name] = rate
				})
			}
			if raw := rates["raw"]; raw > 0 {
				b.Logf("%s: raw %.0f answers/s, store %.0f (%.2f× raw), engine %.0f (%.2f× raw; raw is %.1f× faster)",
					group, raw, rates["store"], rates["store"]/raw, rates["engine"], rates["engine"]/raw, raw/rates["engine"])
			}
		}
	}
}

// yearData is 1 year × 200 people × 4 rituals (triage, deployment
// planning, quality review, a per-person daily standup), written as
// records by benchdata and cached in os.TempDir between runs.
var yearData = sync.OnceValues(func() (*benchdata.Dataset, error) {
	return benchdata.Build(benchdata.Spec{People: 200, Rituals: 4, Weeks: 52, Seed: 1})
})

// BenchmarkEngineReportYear times Engine.Report over a year, which reads
// the aggregates, against its floor, a raw cursor read of the same
// aggregate records (ScanAggregates), and against one scan of the facts
// (Occurrences + AnswersBetween), what the report read before aggregates
// and still reads for chosen people. The data set holds the outbox the
// history's messages left (benchdata v6), as a real file does.
func BenchmarkEngineReportYear(b *testing.B) {
	d, err := yearData()
	if err != nil {
		b.Fatal(err)
	}
	b.Log(d.Summary())
	db, err := d.Open(false)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	eng, err := d.Engine(db, d.To.Add(24*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	q := cadence.ReportQuery{From: d.From, To: d.To}
	var floor, scan, report time.Duration
	b.Run("floor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := d.ScanAggregates(b.Context(), db, d.From, d.To); err != nil {
				b.Fatal(err)
			}
		}
		floor = b.Elapsed() / time.Duration(b.N)
	})
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := d.Scan(b.Context(), db); err != nil {
				b.Fatal(err)
			}
		}
		scan = b.Elapsed() / time.Duration(b.N)
	})
	b.Run("report", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rep, err := eng.Report(b.Context(), q)
			if err != nil || rep.Team.Occurrences != d.Occurrences || rep.Team.Answered != d.Answers {
				b.Fatalf("report: err %v, team %+v; want %d occurrences, %d answers", err, rep.Team, d.Occurrences, d.Answers)
			}
		}
		report = b.Elapsed() / time.Duration(b.N)
	})
	// One person's report reads the facts (its rows count only them):
	// that person's part of each occurrence and their answers.
	var person time.Duration
	pq := q
	pq.PersonIDs = []string{d.Roster.People()[0].ID}
	b.Run("report-person", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rep, err := eng.Report(b.Context(), pq)
			if err != nil || len(rep.People) != 1 {
				b.Fatalf("report: err %v, %d people", err, len(rep.People))
			}
		}
		person = b.Elapsed() / time.Duration(b.N)
	})
	if floor > 0 && scan > 0 {
		b.Logf("one person's report %s = %.2f× one scan of the facts", person.Round(100*time.Microsecond), float64(person)/float64(scan))
		b.Logf("report %s = %.1f× the floor (%s), %.3f× one scan of the facts (%s)", report.Round(100*time.Microsecond),
			float64(report)/float64(floor), floor.Round(10*time.Microsecond), float64(report)/float64(scan), scan.Round(time.Millisecond))
	}
}
