package cadence

import (
	"slices"
	"time"
)

// Aggregates are figures kept with the facts: written in the same
// transaction as the answer, the decline or the close that changes them,
// so reports read a few small records per week instead of every
// occurrence and answer. Only final occurrences (closed, missed, skipped)
// are aggregated: an open one's figures still move with the clock (a
// person whose own window passed counts as missing), so readers compute
// the few open ones from the facts.
//
// Two kinds of record:
//   - OccurrenceAggregate, one per final occurrence: its row of the
//     report (counts, latency histogram, who did not answer);
//   - WeekAggregate, one per ISO week × ritual × person: the person's
//     outcomes that week (for their tally and streak) and latencies.
//
// Rituals, weeks and the team are sums of occurrence aggregates; people
// are sums of week aggregates. Reindex rebuilds both from the facts.

// AggregateVersion is the model the stored aggregates follow. A store
// whose aggregates carry another version (or none) is reindexed on open,
// and reports read the facts until it is.
const AggregateVersion = 1

// DefaultOnTimeTolerance is the engine's default OnTimeTolerance. The
// aggregates do not depend on it (they keep each occurrence's OpenDelay).
const DefaultOnTimeTolerance = 2 * time.Minute

// Outcome is how a person's counted prompt ended.
type Outcome uint8

const (
	OutcomeMissed Outcome = iota // counted, never answered
	OutcomeLate                  // answered after the person's close time
	OutcomeOnTime                // answered by the person's close time
)

// WeekOutcome is one counted prompt of a WeekAggregate.
type WeekOutcome struct {
	At      uint32 // seconds from the week's Monday 00:00 UTC to the occurrence's schedule
	Outcome Outcome
}

// WeekAggregate is one person's figures for one ritual in one ISO week
// (of the occurrences' scheduled time in UTC).
type WeekAggregate struct {
	Week     time.Time // Monday 00:00 UTC
	RitualID string
	PersonID string
	Excused  int
	// Outcomes are the counted prompts, by At. Expected is their number;
	// the streak walks them.
	Outcomes []WeekOutcome
	Latency  Histogram // of answered prompts
}

// Empty reports whether w holds nothing (stores delete it then).
func (w *WeekAggregate) Empty() bool {
	return w.Excused == 0 && len(w.Outcomes) == 0 && w.Latency.Count() == 0
}

// Clone returns a deep copy of w.
func (w *WeekAggregate) Clone() *WeekAggregate {
	c := *w
	c.Outcomes = slices.Clone(w.Outcomes)
	c.Latency = w.Latency.Clone()
	return &c
}

// OccurrenceAggregate is one final occurrence's row of a report.
type OccurrenceAggregate struct {
	OccurrenceID string
	RitualID     string
	Scheduled    time.Time
	Status       Status
	Late         bool
	OpenDelay    time.Duration // held occurrences: how late they opened

	Expected, Excused, Answered, AnsweredOnTime int
	Latency                                     Histogram
	// Missing are the counted people who did not answer, in the
	// occurrence's Expected order.
	Missing []string
}

// Clone returns a deep copy of a.
func (a *OccurrenceAggregate) Clone() *OccurrenceAggregate {
	c := *a
	c.Latency = a.Latency.Clone()
	c.Missing = slices.Clone(a.Missing)
	return &c
}

// AggregateTx is where a store keeps aggregates. Values are copied in and
// out like every other record.
type AggregateTx interface {
	// OccurrenceAggregate returns one, or ErrNotFound.
	OccurrenceAggregate(occurrenceID string) (*OccurrenceAggregate, error)
	PutOccurrenceAggregate(*OccurrenceAggregate) error
	// DeleteOccurrenceAggregate removes one; a missing one is no error.
	DeleteOccurrenceAggregate(occurrenceID string) error
	// OccurrenceAggregates lists those scheduled in [from, to), by
	// scheduled time then ID.
	OccurrenceAggregates(from, to time.Time) ([]*OccurrenceAggregate, error)

	// WeekAggregate returns one, or ErrNotFound.
	WeekAggregate(week time.Time, ritualID, personID string) (*WeekAggregate, error)
	// PutWeekAggregate stores w, or deletes it when w is Empty.
	PutWeekAggregate(w *WeekAggregate) error
	// EachWeekAggregate calls fn for every week aggregate of the weeks
	// starting in [from, to), by week, ritual, then person. fn must not
	// keep w: the store may reuse it for the next call.
	EachWeekAggregate(from, to time.Time, fn func(w *WeekAggregate) error) error

	// ClearAggregates removes every aggregate (Reindex starts with it).
	ClearAggregates() error
}

// IsFinal reports whether an occurrence in status s no longer changes
// with the clock, and so is aggregated.
func IsFinal(s Status) bool {
	return s == StatusClosed || s == StatusMissed || s == StatusSkipped
}

// WeekOf returns the Monday 00:00 UTC of t's ISO week.
func WeekOf(t time.Time) time.Time {
	_, start := isoWeek(t)
	return start
}
