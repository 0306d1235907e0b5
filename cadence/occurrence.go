package cadence

import (
	"fmt"
	"strings"
	"time"
)

// Status is where an occurrence is in its lifecycle:
//
//	(due) → open → closed
//	      ↘ missed   (the whole window passed while the bot was down)
//	      ↘ skipped  (a lead skipped it, or a team holiday)
type Status string

const (
	StatusOpen    Status = "open"
	StatusClosed  Status = "closed"
	StatusMissed  Status = "missed"
	StatusSkipped Status = "skipped"
)

// OccurrenceID is a pure function of the ritual and the scheduled instant,
// so replaying a tick never creates a second occurrence.
func OccurrenceID(ritualID string, scheduled time.Time) string {
	return ritualID + "@" + scheduled.UTC().Format("20060102T150405Z")
}

// ParseOccurrenceID splits an ID made by OccurrenceID.
func ParseOccurrenceID(id string) (ritualID string, scheduled time.Time, err error) {
	i := strings.LastIndex(id, "@")
	if i <= 0 {
		return "", time.Time{}, fmt.Errorf("occurrence id %q: want RITUAL@YYYYMMDDTHHMMSSZ", id)
	}
	t, err := time.Parse("20060102T150405Z", id[i+1:])
	if err != nil {
		return "", time.Time{}, fmt.Errorf("occurrence id %q: bad instant: %w", id, err)
	}
	return id[:i], t, nil
}

// Occurrence is one instance of a ritual.
type Occurrence struct {
	ID        string
	RitualID  string
	Scheduled time.Time // UTC instant the schedule named
	Status    Status

	// DueAt is when the occurrence was due to open: Scheduled, or for
	// per-person rituals the earliest expected person's prompt time (09:15
	// in Almaty comes hours before 09:15 in Zurich).
	DueAt    time.Time
	OpenedAt time.Time // when the agenda went out (zero while due)
	Late     bool      // opened after its scheduled time because the bot was down
	ClosesAt time.Time // end of the response window
	ClosedAt time.Time

	Facilitator string
	// Expected are the people asked to answer. Excused maps people who
	// were not expected (out of office, holiday) or declined, to why.
	Expected []string
	Excused  map[string]string
	// PromptAt is when each expected person's prompt is due. Equal to the
	// scheduled time except for per-person rituals.
	PromptAt map[string]time.Time
	// CloseAt is each expected person's own deadline (PromptAt + window).
	CloseAt map[string]time.Time
	// Prompted records when each prompt was enqueued.
	Prompted map[string]time.Time
	// Reminded counts reminders enqueued per person (index into the
	// ritual's Reminders).
	Reminded map[string]int

	SkipReason string
	SkippedBy  string
}

// IsExpected reports whether person is asked to answer.
func (o *Occurrence) IsExpected(person string) bool {
	for _, p := range o.Expected {
		if p == person {
			return true
		}
	}
	return false
}

// Delay is how late the occurrence opened relative to when it was due
// (DueAt, or Scheduled when DueAt is unset).
func (o *Occurrence) Delay() time.Duration {
	if o.OpenedAt.IsZero() {
		return 0
	}
	due := o.DueAt
	if due.IsZero() {
		due = o.Scheduled
	}
	return o.OpenedAt.Sub(due)
}

// PersonCloseAt is person's own deadline: CloseAt[person], or ClosesAt.
func (o *Occurrence) PersonCloseAt(person string) time.Time {
	if t, ok := o.CloseAt[person]; ok {
		return t
	}
	return o.ClosesAt
}

// PersonPromptAt is when person's prompt was due: PromptAt[person], or
// DueAt, or Scheduled.
func (o *Occurrence) PersonPromptAt(person string) time.Time {
	if t, ok := o.PromptAt[person]; ok {
		return t
	}
	if !o.DueAt.IsZero() {
		return o.DueAt
	}
	return o.Scheduled
}

// For returns a copy of o as one person sees it: the shared fields,
// Expected holding the person or nothing, and the per-person maps only
// the person's entry (a map that was nil stays nil, one that was not is
// kept, maybe empty). It is what OccurrenceTx.OccurrenceFor returns.
func (o *Occurrence) For(person string) *Occurrence {
	c := *o
	c.Expected = nil
	if o.IsExpected(person) {
		c.Expected = []string{person}
	}
	c.Excused = only(o.Excused, person)
	c.PromptAt = only(o.PromptAt, person)
	c.CloseAt = only(o.CloseAt, person)
	c.Prompted = only(o.Prompted, person)
	c.Reminded = only(o.Reminded, person)
	return &c
}

// only is m with k's entry alone; nil for nil.
func only[V any](m map[string]V, k string) map[string]V {
	if m == nil {
		return nil
	}
	out := map[string]V{}
	if v, ok := m[k]; ok {
		out[k] = v
	}
	return out
}

// OccurrenceFilter selects occurrences by scheduled time and ritual.
// Zero fields do not filter.
type OccurrenceFilter struct {
	RitualID string
	From, To time.Time // Scheduled in [From, To)
	Status   []Status
	Limit    int
	// Newest lists latest first, so Limit keeps the latest: the previous
	// occurrence is read backwards from To instead of decoding all history.
	Newest bool
	// Person, when set, says the caller reads only that person's part of
	// each occurrence (as For(Person) holds it): a store may then read
	// only that part, as OccurrenceFor does. An answer's streak looks back
	// 30 occurrences, each of up to a thousand people.
	Person string
	// Bare asks for the occurrences' own fields only (ID, ritual, times,
	// status): a store may leave out the per-person state (Expected,
	// Excused, PromptAt, Prompted…), which costs one record per person
	// to read. A store may fill it anyway. Never put a bare occurrence
	// back: it would drop its people.
	Bare bool
}
