package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/benchdata"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// Issue 12.8: ingestion on PostgreSQL at 10, 100 and 1,000 people per
// occurrence, through the engine against the physical floor, same run:
//
//	go test ./store/postgres -run '^$' -bench Ingest -benchtime 200x
//
// The floor is not an estimate. The engine first answers on a database of
// its own (untimed) with a pgx tracer recording, per answer, every
// INSERT, UPDATE and DELETE its transaction sent, and its outbox wake
// (pg_notify), with their arguments: today the answer, its text, the
// receipt in the outbox and the summary (aggregate rows, when an answer
// writes any, are recorded the same way). "raw" replays exactly those
// statements and arguments on another database prepared the same way,
// one read-committed read-write transaction per answer, a round trip per
// statement (each answer is another person, so every iteration writes
// fresh keys); "pipelined" sends each such transaction as one batch,
// BEGIN to COMMIT, one round trip: the least any client pays. "engine"
// is Engine.SubmitAnswer on a fourth such database: validation, write
// lock, reads, rules, encoding and the same writes. The floors leave out
// the advisory write lock: it serializes the engine's read-modify-write
// and writes no bytes. Answers fill each occurrence person by person.
//
// Five days of history come first (ingestHistory), each target answering
// on time, so today's answers count a streak over earlier occurrences as
// they do in a team that has run a while.
//
// The three take turns answer by answer (the order rotating), each timed
// on its own: on a shared machine a burst of load falls on all of them
// alike instead of on whichever ran at that moment. Both sides run on the
// same server with the same settings: pgtest's throwaway cluster has
// fsync off, CADENCEBOT_TEST_DATABASE_URL points the benchmark at a
// durable one. round-trips/answer counts the engine's waits for the
// server (the raw floor waits 7 times, BEGIN to COMMIT, the pipelined 1).
func BenchmarkIngest(b *testing.B) {
	for _, team := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("people=%d", team), func(b *testing.B) {
			rig := newPGRig(b, b.N, team)
			rig.history = ingestHistory
			writes := rig.recordWrites(b)
			ctx := context.Background()
			conns := make([]*pgx.Conn, 2)
			for k := range conns {
				conn, err := pgx.Connect(ctx, rig.prepare(b))
				if err != nil {
					b.Fatal(err)
				}
				defer conn.Close(ctx)
				conns[k] = conn
			}
			count := &countingTracer{}
			e := rig.engineTraced(b, rig.prepare(b), count)
			count.n.Store(0)
			count.trips.Store(0)
			var spent, cpu [3]time.Duration // raw, pipelined, engine
			var each [3][]time.Duration
			steps := [3]func(i int) error{
				func(i int) error {
					for _, t := range writes[i] {
						if err := replay(ctx, conns[0], t); err != nil {
							return err
						}
					}
					return nil
				},
				func(i int) error {
					for _, t := range writes[i] {
						if err := replayPipelined(ctx, conns[1], t); err != nil {
							return err
						}
					}
					return nil
				},
				func(i int) error {
					t := rig.targets[i]
					_, err := e.SubmitAnswer(ctx, cadence.AnswerInput{OccurrenceID: t.occurrence, PersonID: t.person, Responses: rig.resp, Via: "bench"})
					return err
				},
			}
			var stmts int
			for _, a := range writes {
				for _, t := range a {
					stmts += len(t)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for k := range 3 {
					which := (i + k) % 3
					start, startCPU := time.Now(), benchdata.CPUTime()
					if err := steps[which](i); err != nil {
						b.Fatal(err)
					}
					d := time.Since(start)
					cpu[which] += benchdata.CPUTime() - startCPU
					spent[which] += d
					each[which] = append(each[which], d)
				}
			}
			b.StopTimer()
			rate := func(d time.Duration) float64 { return float64(b.N) / d.Seconds() }
			b.ReportMetric(rate(spent[2]), "answers/s")
			b.ReportMetric(rate(spent[0]), "floor/s")
			b.ReportMetric(rate(spent[1]), "pipelined-floor/s")
			b.ReportMetric(float64(spent[0])/float64(spent[2]), "ratio")
			b.ReportMetric(float64(spent[1])/float64(spent[2]), "pipelined-ratio")
			// Medians of the per-answer times: a burst of load on the
			// shared machine moves a sum, hardly a median.
			med := func(k int) time.Duration {
				slices.Sort(each[k])
				return each[k][len(each[k])/2]
			}
			b.ReportMetric(float64(med(0))/float64(med(2)), "median-ratio")
			b.ReportMetric(float64(med(1))/float64(med(2)), "median-pipelined-ratio")
			b.ReportMetric(float64(med(2).Microseconds()), "median-µs/answer")
			// The client's CPU (this process's, the server's is not
			// counted) while each one ran: what the engine's own work
			// (rules, encoding, composing) adds to a replay's.
			b.ReportMetric(float64(cpu[2].Microseconds())/float64(b.N), "client-cpu-µs/answer")
			b.ReportMetric(float64(cpu[0].Microseconds())/float64(b.N), "floor-client-cpu-µs/answer")
			b.ReportMetric(float64(cpu[1].Microseconds())/float64(b.N), "pipelined-client-cpu-µs/answer")
			b.ReportMetric(float64(count.trips.Load())/float64(b.N), "round-trips/answer")
			b.ReportMetric(float64(stmts)/float64(b.N), "writes/answer")
		})
	}
}

// ingestHistory is the days BenchmarkIngest's rituals ran before today.
const ingestHistory = 5

// replay runs one recorded transaction's writes in a transaction of the
// same isolation and access mode as the store's Update.
func replay(ctx context.Context, conn *pgx.Conn, stmts []statement) error {
	return pgx.BeginTxFunc(ctx, conn, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadWrite}, func(tx pgx.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
				return fmt.Errorf("%s: %w", s.sql, err)
			}
		}
		return nil
	})
}

// replayPipelined sends one recorded transaction as a single pipelined
// batch, BEGIN to COMMIT: one round trip, the least any client can pay
// for these writes.
func replayPipelined(ctx context.Context, conn *pgx.Conn, stmts []statement) error {
	b := &pgx.Batch{}
	b.Queue("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE")
	for _, s := range stmts {
		b.Queue(s.sql, s.args...)
	}
	b.Queue("COMMIT")
	return conn.SendBatch(ctx, b).Close()
}

type statement struct {
	sql  string
	args []any
}

// recorder is a pgx.QueryTracer keeping the writes of each committed
// transaction while on.
type recorder struct {
	mu  sync.Mutex
	on  bool
	cur []statement
	txs [][]statement
}

func (r *recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.note(d.SQL, d.Args)
	return ctx
}

// TraceBatchStart sees a pipelined batch (the store queues BEGIN, the
// lock, and writes nobody waits on, and sends them with the next read or
// COMMIT).
func (r *recorder) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, q := range d.Batch.QueuedQueries {
		r.note(q.SQL, q.Arguments)
	}
	return ctx
}

func (r *recorder) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (r *recorder) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func (r *recorder) note(sql string, args []any) {
	if !r.on {
		return
	}
	verb, _, _ := strings.Cut(strings.TrimSpace(sql), " ")
	switch strings.ToLower(verb) {
	case "begin":
		r.cur = nil
	case "commit":
		if len(r.cur) > 0 {
			r.txs = append(r.txs, r.cur)
		}
		r.cur = nil
	case "insert", "update", "delete":
		r.cur = append(r.cur, statement{sql, slices.Clone(args)})
	case "select":
		// The outbox wake is queued bytes too (delivered on commit).
		if strings.Contains(sql, "pg_notify(") {
			r.cur = append(r.cur, statement{sql, slices.Clone(args)})
		}
	}
}

func (r *recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// pgRig is n (occurrence, person) pairs, team people per occurrence,
// opened the same way on as many databases as a benchmark asks for.
type pgRig struct {
	// history is how many days before today the rituals ran, answered
	// on time by every target (prepare).
	history int
	rituals []*cadence.Ritual
	roster  *cadence.Roster
	fire    time.Time
	targets []pgTarget
	resp    []cadence.Response
}

type pgTarget struct{ occurrence, person string }

func newPGRig(b testing.TB, n, team int) *pgRig {
	b.Helper()
	rig := &pgRig{
		fire: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		resp: []cadence.Response{{QuestionID: "yesterday", Text: "Shipped the feature-store backfill for the churn model; row counts match the warehouse."}, {QuestionID: "today", Text: "Canary for ranker v42, then the drift monitor in the release lane."}, {QuestionID: "blockers", Text: "none"}},
	}
	sched, err := cadence.ParseSchedule("0 9 * * *", time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	var people []*cadence.Person
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
				rig.targets = append(rig.targets, pgTarget{cadence.OccurrenceID(r.ID, rig.fire), p.ID})
			}
		}
		rig.rituals = append(rig.rituals, r)
	}
	rig.roster = cadence.NewRoster(people)
	return rig
}

// prepare returns a new database with today's occurrences open, opened
// through the engine (untimed).
func (rig *pgRig) prepare(b testing.TB) string {
	b.Helper()
	url := pgtest.URL(b)
	first := rig.fire.AddDate(0, 0, -rig.history)
	clock := cadence.NewManualClock(first.Add(-time.Hour))
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	e := rig.engineOn(b, db, clock)
	ctx := context.Background()
	if err := e.Tick(ctx); err != nil { // starts the rituals
		b.Fatal(err)
	}
	// Earlier days: every occurrence opened and closed, each target
	// answering on time, so an answer today finds a streak to count.
	for day := first; day.Before(rig.fire); day = day.AddDate(0, 0, 1) {
		clock.Set(day.Add(time.Minute))
		if err := e.Tick(ctx); err != nil {
			b.Fatal(err)
		}
		clock.Set(day.Add(20 * time.Minute))
		for _, t := range rig.targets {
			ritual, _, err := cadence.ParseOccurrenceID(t.occurrence)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.SubmitAnswer(ctx, cadence.AnswerInput{OccurrenceID: cadence.OccurrenceID(ritual, day), PersonID: t.person, Responses: rig.resp, Via: "bench"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	clock.Set(rig.fire.Add(time.Minute))
	if err := e.Tick(ctx); err != nil { // closes yesterday's, opens today's occurrences
		b.Fatal(err)
	}
	return url
}

// engineTraced opens the engine on a prepared database, 20 minutes after
// the occurrences opened, with tracer on its connections.
func (rig *pgRig) engineTraced(b *testing.B, url string, tracer pgx.QueryTracer) *cadence.Engine {
	b.Helper()
	db, err := postgres.OpenTraced(context.Background(), url, tracer)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return rig.engineOn(b, db, cadence.NewManualClock(rig.fire.Add(20*time.Minute)))
}

func (rig *pgRig) engineOn(b testing.TB, db *postgres.DB, clock *cadence.ManualClock) *cadence.Engine {
	b.Helper()
	e, err := cadence.New(cadence.EngineConfig{Rituals: rig.rituals, Roster: rig.roster, Store: db, Clock: clock, Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// recordWrites answers every target through the engine on a prepared
// database of its own (untimed) and returns, per answer, the writes of
// each transaction it committed.
func (rig *pgRig) recordWrites(b *testing.B) [][][]statement {
	b.Helper()
	rec := &recorder{}
	e := rig.engineTraced(b, rig.prepare(b), rec)
	out := make([][][]statement, len(rig.targets))
	for i, t := range rig.targets {
		rec.mu.Lock()
		rec.on, rec.txs, rec.cur = true, nil, nil
		rec.mu.Unlock()
		if _, err := e.SubmitAnswer(context.Background(), cadence.AnswerInput{OccurrenceID: t.occurrence, PersonID: t.person, Responses: rig.resp, Via: "bench"}); err != nil {
			b.Fatal(err)
		}
		rec.mu.Lock()
		out[i], rec.on = rec.txs, false
		rec.mu.Unlock()
		if len(out[i]) == 0 {
			b.Fatalf("answer %d: no write recorded", i)
		}
	}
	return out
}
