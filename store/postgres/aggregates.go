package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cadencebot/cadencebot/cadence"
)

// Aggregates: migrations/0006_aggregates.sql.

func (t *tx) OccurrenceAggregate(id string) (*cadence.OccurrenceAggregate, error) {
	var data []byte
	err := t.tx.QueryRow(t.ctx, "SELECT data FROM occurrence_aggregates WHERE occurrence_id = $1", id).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("aggregate of occurrence %q: %w", id, cadence.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("aggregate of occurrence %q: %w", id, err)
	}
	a, err := cadence.DecodeOccurrenceAggregate(data)
	if err != nil {
		return nil, fmt.Errorf("aggregate of occurrence %q: %w", id, err)
	}
	return a, nil
}

func (t *tx) PutOccurrenceAggregate(a *cadence.OccurrenceAggregate) error {
	if err := t.checkWritable("put occurrence aggregate"); err != nil {
		return err
	}
	if a.OccurrenceID == "" {
		return fmt.Errorf("put occurrence aggregate: empty id: %w", cadence.ErrInvalidInput)
	}
	return t.exec("put aggregate of "+a.OccurrenceID, `INSERT INTO occurrence_aggregates (occurrence_id, scheduled_ns, data)
		VALUES ($1, $2, $3) ON CONFLICT (occurrence_id) DO UPDATE SET scheduled_ns = excluded.scheduled_ns, data = excluded.data`,
		a.OccurrenceID, nanos(a.Scheduled), cadence.AppendOccurrenceAggregate(nil, a))
}

func (t *tx) DeleteOccurrenceAggregate(id string) error {
	if err := t.checkWritable("delete occurrence aggregate"); err != nil {
		return err
	}
	return t.exec("delete aggregate of "+id, "DELETE FROM occurrence_aggregates WHERE occurrence_id = $1", id)
}

// The range reads of reports, and of their floor (scanAggregates): the
// same statements. Each ORDER BY is its table's index order, so a plan on
// analyzed tables returns rows as the index holds them, with no sort; the
// streaks need each person's weeks in order.
const (
	occurrenceAggregatesSQL = `SELECT data FROM occurrence_aggregates
		WHERE scheduled_ns >= $1 AND scheduled_ns < $2 ORDER BY scheduled_ns, occurrence_id`
	weekAggregatesSQL = `SELECT week_s, ritual_id, person_id, data FROM week_aggregates
		WHERE week_s >= $1 AND week_s < $2 ORDER BY week_s, ritual_id, person_id`
)

// aggSpan is [from, to) as bounds for a bigint column; zero does not bound.
func aggSpan(from, to time.Time, unit func(time.Time) int64) (int64, int64) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !from.IsZero() {
		lo = unit(from)
	}
	if !to.IsZero() {
		hi = unit(to)
	}
	return lo, hi
}

func (t *tx) OccurrenceAggregates(from, to time.Time) ([]*cadence.OccurrenceAggregate, error) {
	lo, hi := aggSpan(from, to, nanos)
	rows, err := t.tx.Query(t.ctx, occurrenceAggregatesSQL, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("list occurrence aggregates: %w", err)
	}
	defer rows.Close()
	var out []*cadence.OccurrenceAggregate
	for rows.Next() {
		a, err := cadence.DecodeOccurrenceAggregate(rows.RawValues()[0])
		if err != nil {
			return nil, fmt.Errorf("list occurrence aggregates: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list occurrence aggregates: %w", err)
	}
	return out, nil
}

func (t *tx) WeekAggregate(week time.Time, ritual, person string) (*cadence.WeekAggregate, error) {
	var data []byte
	err := t.tx.QueryRow(t.ctx, "SELECT data FROM week_aggregates WHERE week_s = $1 AND ritual_id = $2 AND person_id = $3",
		week.Unix(), ritual, person).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("week aggregate %s %s %s: %w", week.Format("2006-01-02"), ritual, person, cadence.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("week aggregate %s %s %s: %w", week.Format("2006-01-02"), ritual, person, err)
	}
	w := &cadence.WeekAggregate{Week: week.UTC(), RitualID: ritual, PersonID: person}
	if err := cadence.DecodeWeekFigures(data, w); err != nil {
		return nil, fmt.Errorf("week aggregate %s %s %s: %w", week.Format("2006-01-02"), ritual, person, err)
	}
	return w, nil
}

func (t *tx) PutWeekAggregate(w *cadence.WeekAggregate) error {
	if err := t.checkWritable("put week aggregate"); err != nil {
		return err
	}
	if w.RitualID == "" || w.PersonID == "" || w.Week.IsZero() {
		return fmt.Errorf("put week aggregate: want week, ritual and person: %w", cadence.ErrInvalidInput)
	}
	what := "week aggregate " + w.Week.Format("2006-01-02") + " " + w.RitualID + " " + w.PersonID
	if w.Empty() {
		return t.exec("delete "+what, "DELETE FROM week_aggregates WHERE week_s = $1 AND ritual_id = $2 AND person_id = $3",
			w.Week.Unix(), w.RitualID, w.PersonID)
	}
	return t.exec("put "+what, `INSERT INTO week_aggregates (week_s, ritual_id, person_id, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (week_s, ritual_id, person_id) DO UPDATE SET data = excluded.data`,
		w.Week.Unix(), w.RitualID, w.PersonID, cadence.AppendWeekFigures(nil, w))
}

// EachWeekAggregate streams the rows into one reused value; ritual and
// person strings are shared between rows with the same bytes.
func (t *tx) EachWeekAggregate(from, to time.Time, fn func(*cadence.WeekAggregate) error) error {
	lo, hi := aggSpan(from, to, func(t time.Time) int64 { return t.Unix() })
	rows, err := t.tx.Query(t.ctx, weekAggregatesSQL, lo, hi)
	if err != nil {
		return fmt.Errorf("list week aggregates: %w", err)
	}
	defer rows.Close()
	var w cadence.WeekAggregate
	var week int64
	names := map[string]string{}
	intern := func(b []byte) string {
		if s, ok := names[string(b)]; ok {
			return s
		}
		s := string(b)
		names[s] = s
		return s
	}
	// Raw values: the binary int8 and the text bytes as they came, so a
	// year's rows cost no allocation each.
	binaryWeek := rows.FieldDescriptions()[0].Format == pgx.BinaryFormatCode
	for rows.Next() {
		var wk int64
		var ritual, person, data []byte
		if raw := rows.RawValues(); binaryWeek && len(raw) == 4 && len(raw[0]) == 8 {
			wk, ritual, person, data = int64(binary.BigEndian.Uint64(raw[0])), raw[1], raw[2], raw[3]
		} else {
			// Scan's pointers send its targets to the heap: its own
			// variables, so the raw path above stays without allocation.
			var sw int64
			var sr, sp, sd []byte
			if err := rows.Scan(&sw, &sr, &sp, &sd); err != nil {
				return fmt.Errorf("list week aggregates: %w", err)
			}
			wk, ritual, person, data = sw, sr, sp, sd
		}
		if wk != week || w.Week.IsZero() {
			week, w.Week = wk, time.Unix(wk, 0).UTC()
		}
		w.RitualID, w.PersonID = intern(ritual), intern(person)
		if err := cadence.DecodeWeekFigures(data, &w); err != nil {
			return fmt.Errorf("week aggregate %s %s %s: %w", w.Week.Format("2006-01-02"), w.RitualID, w.PersonID, err)
		}
		if err := fn(&w); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list week aggregates: %w", err)
	}
	return nil
}

func (t *tx) ClearAggregates() error {
	if err := t.checkWritable("clear aggregates"); err != nil {
		return err
	}
	t.analyze = true
	return t.exec("clear aggregates", "TRUNCATE occurrence_aggregates, week_aggregates")
}

// analyzeAggregates is sent before COMMIT by a transaction that cleared the
// aggregates: Reindex (EnsureAggregates on open, `cadencebot reindex`)
// refills them in that transaction, and tables without statistics get
// plans for a few hundred rows. The report's ORDER BY then sorts every
// week row in a bitmap heap scan's output, where the primary key returns
// them in order: 35-58 ms against 12 ms for 12 weeks of 500 × 5 people.
// In the same transaction, so the new rows (ANALYZE samples its own
// transaction's) and their statistics commit together, before any report
// plans against them; autovacuum would come only after its naptime and
// 10% of changed rows. Answer-by-answer growth needs nothing more: the
// planner scales row counts to the table's current pages, and autovacuum
// re-analyzes at every 10% of growth.
const analyzeAggregates = "ANALYZE occurrence_aggregates, week_aggregates"

// ScanAggregates reads the raw bytes of the aggregates a report over
// [from, to) reads (the occurrence and week aggregates of the weeks it
// covers) in one read-only transaction, decoding nothing: the floor
// report benchmarks are measured against.
func (db *DB) ScanAggregates(ctx context.Context, from, to time.Time) (records, size int, err error) {
	return db.scanAggregates(ctx, from, to, true)
}

// ScanOccurrenceAggregates is ScanAggregates of the occurrence aggregates
// alone: what a report without people (cadence.ReportQuery.WithoutPeople)
// reads, its floor.
func (db *DB) ScanOccurrenceAggregates(ctx context.Context, from, to time.Time) (records, size int, err error) {
	return db.scanAggregates(ctx, from, to, false)
}

func (db *DB) scanAggregates(ctx context.Context, from, to time.Time, weeks bool) (records, size int, err error) {
	wFrom, wTo := cadence.WeekOf(from), cadence.WeekOf(to.Add(-time.Nanosecond)).AddDate(0, 0, 7)
	type query struct {
		sql    string
		lo, hi int64
	}
	qs := []query{{occurrenceAggregatesSQL, nanos(wFrom), nanos(wTo)}}
	if weeks {
		qs = append(qs, query{weekAggregatesSQL, wFrom.Unix(), wTo.Unix()})
	}
	err = db.View(ctx, func(ctx cadence.Tx) error {
		t := ctx.(*tx)
		for _, q := range qs {
			rows, err := t.tx.Query(t.ctx, q.sql, q.lo, q.hi)
			if err != nil {
				return err
			}
			for rows.Next() {
				records++
				for _, v := range rows.RawValues() {
					size += len(v)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return records, size, err
}
