// Package benchdata builds bbolt stores holding a realistic history (a
// year × hundreds of people × several rituals) for benchmarks of the
// store, the engine's reports, the dashboard and the HTTP API.
//
// The history is written as records, not simulated: the real engine on a
// simulated clock (cadence/sim) takes minutes for a year of 200 people,
// far over a benchmark's budget. The records have the shapes the engine's
// planner gives them (per-person prompt and close times, excused people,
// prompts and reminders recorded, late openings, skipped and missed
// occurrences, late and edited answers, out-of-office ranges in the person
// states), so reading them costs what reading the engine's own costs.
// The outbox holds what the engine and the dispatcher leave there, copied
// from a real run of them and compacted after the default retention
// (outbox.go): its bytes count in the file's size and growth.
//
// A built file is cached in os.TempDir under a name that carries the
// builder's version, the store's schema and the spec, so repeated
// benchmark runs skip the build.
package benchdata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// Version changes whenever the generated history changes, so a cached
// file from an older builder is never reused.
const Version = "v6"

// Spec is the size of a data set.
type Spec struct {
	People  int
	Rituals int // 1..MaxRituals: triage, deployment planning, quality review, standup, model review
	Weeks   int
	Seed    uint64
}

func (s Spec) String() string {
	return fmt.Sprintf("%dp-%dr-%dw-seed%d", s.People, s.Rituals, s.Weeks, s.Seed)
}

// Dataset is a built history and what an engine needs to read it.
type Dataset struct {
	Spec
	Path     string
	From, To time.Time // the history covers occurrences scheduled in [From, To)
	Rituals  []*cadence.Ritual
	Roster   *cadence.Roster
	// Counts of what was written.
	Occurrences, Answers int
	Messages             int           // written to the outbox (each once, whatever its revisions)
	Built                bool          // false when the cached file was reused
	BuildTime            time.Duration // of this call (build or reuse)
	SizeBytes            int64
}

// From is the first Monday of the histories: 6 January 2025.
var From = time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)

// Build returns the data set for spec, building it into the cache
// directory unless a file for the same version, schema and spec is there.
func Build(spec Spec) (*Dataset, error) {
	start := time.Now()
	d, err := New(spec)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(d.Path); err != nil {
		if err := d.write(newGenerator(d)); err != nil {
			return nil, err
		}
		d.Built = true
	} else if err := d.readCounts(); err != nil {
		return nil, err
	}
	fi, err := os.Stat(d.Path)
	if err != nil {
		return nil, fmt.Errorf("benchdata: %w", err)
	}
	d.SizeBytes, d.BuildTime = fi.Size(), time.Since(start)
	return d, nil
}

// New describes the data set for spec without building its file: for
// Fill into another store.
func New(spec Spec) (*Dataset, error) {
	if spec.People < 1 || spec.Weeks < 1 {
		return nil, fmt.Errorf("benchdata: spec %s: want at least one person and one week", spec)
	}
	people, err := team(spec.People)
	if err != nil {
		return nil, err
	}
	rs, err := rituals(spec.Rituals, people)
	if err != nil {
		return nil, err
	}
	return &Dataset{
		Spec: spec, From: From, To: From.AddDate(0, 0, 7*spec.Weeks), Rituals: rs, Roster: cadence.NewRoster(people),
		Path: filepath.Join(os.TempDir(), fmt.Sprintf("cadencebot-bench-%s-schema%d-%s.db", Version, store.SchemaVersion(), spec)),
	}, nil
}

// write builds into a temporary file and renames it into place, so a
// concurrent or interrupted build never leaves a half-written cache.
func (d *Dataset) write(g *generator) error {
	tmp := fmt.Sprintf("%s.%d.tmp", d.Path, os.Getpid())
	db, err := store.Open(tmp, store.Options{NoSync: true})
	if err != nil {
		return fmt.Errorf("benchdata: %w", err)
	}
	ctx := context.Background()
	err = d.fill(ctx, db, g)
	if err == nil {
		err = db.Update(ctx, func(tx cadence.Tx) error {
			return tx.Put(kvNamespace, kvCounts, fmt.Appendf(nil, "%d %d %d", d.Occurrences, d.Answers, d.Messages))
		})
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, d.Path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("benchdata: build %s: %w", d.Spec, err)
	}
	return nil
}

// Fill writes the data set's history into another store (PostgreSQL for
// its benchmarks): the same records and aggregates as the cached bbolt
// file.
func (d *Dataset) Fill(ctx context.Context, db cadence.Store) error {
	d.Occurrences, d.Answers, d.Messages = 0, 0, 0
	if err := d.fill(ctx, db, newGenerator(d)); err != nil {
		return fmt.Errorf("benchdata: fill %s: %w", d.Spec, err)
	}
	return nil
}

// fill writes the records, a transaction per occurrence and its answers
// as the engine writes them over the occurrence's life, then builds the
// aggregates once from them (cadence.RebuildAggregates), as a database
// migrated from before aggregates gets them: the same figures as upkeep
// answer by answer (a test holds that), without its per-answer cost in a
// build of hundreds of thousands of answers.
func (d *Dataset) fill(ctx context.Context, db cadence.Store, g *generator) error {
	err := db.Update(ctx, func(tx cadence.Tx) error {
		for _, p := range d.Roster.People() {
			if ranges := g.leave[p.ID]; len(ranges) > 0 {
				if err := tx.PutPersonState(&cadence.PersonState{PersonID: p.ID, OutOfOffice: ranges}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	var out *outboxWriter
	if err == nil {
		out, err = g.outboxWriter(ctx, db)
	}
	if err == nil {
		err = g.walk(func(o *cadence.Occurrence, as []*cadence.Answer) error {
			d.Occurrences++
			d.Answers += len(as)
			if o.Status == cadence.StatusClosed {
				return out.write(ctx, o, as)
			}
			return db.Update(ctx, func(tx cadence.Tx) error {
				tx = cadence.Unwrap(tx) // facts only: the aggregates are rebuilt below
				if err := tx.PutOccurrence(o); err != nil {
					return err
				}
				for _, a := range as {
					if err := tx.PutAnswer(a); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
	if err == nil {
		err = db.Update(ctx, func(tx cadence.Tx) error {
			for _, st := range g.states {
				if err := tx.PutRitualState(st); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err == nil {
		_, err = cadence.RebuildAggregates(ctx, db)
	}
	if out != nil {
		d.Messages = out.messages
	}
	return err
}

func (g *generator) outboxWriter(ctx context.Context, db cadence.Store) (*outboxWriter, error) {
	shapes, err := g.shapes(ctx)
	if err != nil {
		return nil, err
	}
	eng, err := g.d.Engine(db, g.d.From)
	if err != nil {
		return nil, err
	}
	w := &outboxWriter{db: db, eng: eng, shapes: shapes, rituals: map[string]*cadence.Ritual{}}
	for _, r := range g.d.Rituals {
		w.rituals[r.ID] = r
	}
	return w, nil
}

// The counts are kept in the file, so a reused one needs no walk.
const kvNamespace, kvCounts = "benchdata", "counts"

func (d *Dataset) readCounts() error {
	db, err := d.Open(true)
	if err != nil {
		return fmt.Errorf("benchdata: %w", err)
	}
	defer db.Close()
	return db.View(context.Background(), func(tx cadence.Tx) error {
		raw, err := tx.Get(kvNamespace, kvCounts)
		if err != nil {
			return fmt.Errorf("benchdata: %s: counts: %w", d.Path, err)
		}
		if _, err := fmt.Sscanf(string(raw), "%d %d %d", &d.Occurrences, &d.Answers, &d.Messages); err != nil {
			return fmt.Errorf("benchdata: %s: counts %q: %w", d.Path, raw, err)
		}
		return nil
	})
}

// Summary describes the data set for benchmark logs.
func (d *Dataset) Summary() string {
	return fmt.Sprintf("data set %s: %d occurrences, %d answers, %d outbox messages, %.1f MiB, built=%v in %s",
		d.Spec, d.Occurrences, d.Answers, d.Messages, float64(d.SizeBytes)/(1<<20), d.Built, d.BuildTime.Round(time.Millisecond))
}

// Open opens the data set's file. The lock wait is long because several
// benchmark binaries (go test ./store ./dashboard) may share one file.
func (d *Dataset) Open(noSync bool) (*store.DB, error) {
	return store.Open(d.Path, store.Options{NoSync: noSync, Timeout: time.Minute})
}

// Scan reads what a report over the whole history reads, in one
// transaction: every occurrence and every answer. It is the yardstick
// the report and dashboard benchmarks are measured against.
func (d *Dataset) Scan(ctx context.Context, db cadence.Store) error {
	return db.View(ctx, func(tx cadence.Tx) error {
		occs, err := tx.Occurrences(cadence.OccurrenceFilter{From: d.From, To: d.To})
		if err != nil {
			return err
		}
		as, err := tx.AnswersBetween(d.From, d.To)
		if err != nil {
			return err
		}
		if len(occs) != d.Occurrences || len(as) != d.Answers {
			return fmt.Errorf("benchdata: scan of %s found %d occurrences and %d answers, want %d and %d",
				d.Path, len(occs), len(as), d.Occurrences, d.Answers)
		}
		return nil
	})
}

// AggregateScanner reads the raw aggregate bytes a report over [from, to)
// reads, decoding nothing: store.DB and postgres.DB have it.
type AggregateScanner interface {
	ScanAggregates(ctx context.Context, from, to time.Time) (records, bytes int, err error)
}

// ScanAggregates is the floor of reports read from aggregates: a raw
// cursor read of the same aggregate records, in one transaction.
func (d *Dataset) ScanAggregates(ctx context.Context, db AggregateScanner, from, to time.Time) (records, bytes int, err error) {
	records, bytes, err = db.ScanAggregates(ctx, from, to)
	if err == nil && records == 0 {
		err = fmt.Errorf("benchdata: no aggregates in [%s, %s)", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	return records, bytes, err
}

// Engine returns an engine over db at now, configured with the data set's
// rituals and roster, as `cadencebot run` would be.
func (d *Dataset) Engine(db cadence.Store, now time.Time) (*cadence.Engine, error) {
	return cadence.New(cadence.EngineConfig{
		Rituals: d.Rituals, Roster: d.Roster, Store: db, Clock: cadence.NewManualClock(now), Logger: zerolog.Nop(),
	})
}

// generator draws the team's behaviour once and the history from it.
type generator struct {
	seed     uint64
	d        *Dataset
	roster   *cadence.Roster
	profiles map[string]profile
	leave    map[string][]cadence.DateRange
	states   []*cadence.RitualState
}

func newGenerator(d *Dataset) *generator {
	g := &generator{seed: d.Seed, d: d, roster: d.Roster, profiles: map[string]profile{}, leave: map[string][]cadence.DateRange{}}
	rng := rand.New(rand.NewPCG(d.Seed, 0xbe4c4))
	for _, p := range d.Roster.People() {
		g.profiles[p.ID] = drawProfile(rng)
		g.leave[p.ID] = leave(rng, p, d.From, d.To)
	}
	return g
}

// walk generates every occurrence in [From, To) in scheduled order (the
// order the engine writes them) and passes it to fn, stopping at fn's
// first error.
func (g *generator) walk(fn func(*cadence.Occurrence, []*cadence.Answer) error) error {
	type fire struct {
		at time.Time
		r  int
	}
	var fires []fire
	g.states = make([]*cadence.RitualState, len(g.d.Rituals))
	for i, r := range g.d.Rituals {
		g.states[i] = &cadence.RitualState{RitualID: r.ID}
		for at := r.Schedule.Next(g.d.From.Add(-time.Nanosecond)); !at.IsZero() && at.Before(g.d.To); at = r.Schedule.Next(at) {
			fires = append(fires, fire{at, i})
		}
	}
	slices.SortStableFunc(fires, func(a, b fire) int { return a.at.Compare(b.at) })
	for _, f := range fires {
		r, st := g.d.Rituals[f.r], g.states[f.r]
		o, as := g.occurrence(r, f.at, st.Rotation)
		if o.Facilitator != "" {
			st.Rotation++
		}
		st.Cursor = f.at
		if err := fn(o, as); err != nil {
			return err
		}
	}
	return nil
}
