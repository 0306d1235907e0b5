package cadence

import "time"

// ReportQuery selects the occurrences an adherence report covers.
// Empty slices do not filter.
type ReportQuery struct {
	From, To  time.Time // occurrences scheduled in [From, To)
	RitualIDs []string
	PersonIDs []string
	// WithoutPeople leaves Report.People out, for callers that show no
	// person (the dashboard's overview): a report from aggregates then
	// reads no week × ritual × person record, only the occurrences'.
	// Everything else is the same as with people.
	WithoutPeople bool
	// WithoutPulse leaves Report.Pulse out, for callers that show no
	// pulse (the adherence gauges of /metrics): the pulse is tallied from
	// the answers' text, the one part of a report the aggregates do not
	// hold, so without it no answer text is read.
	WithoutPulse bool
}

// Tally counts what happened over a set of occurrences. Rates and the
// score are derived from it (see adherence.go and the README formula).
type Tally struct {
	Occurrences int // scheduled in the period (held + missed + skipped)
	Held        int // opened (on time or late)
	HeldOnTime  int // opened within the on-time tolerance of the schedule
	Missed      int // never opened: the bot was down for the whole window
	Skipped     int // skipped by a lead or a holiday; not counted against anyone

	Expected       int // prompts owed (person × held occurrence, excused excluded)
	Excused        int // out of office, holiday, declined
	Answered       int // answered at all, late answers (after close) included
	AnsweredOnTime int // answered before the person's own close time
	// MedianLatency is the median time from prompt to first submission.
	MedianLatency time.Duration
	Score         float64 // 0..100, see TeamScore
}

// OccurrenceAdherence is one occurrence's row in a report.
type OccurrenceAdherence struct {
	OccurrenceID string
	RitualID     string
	Scheduled    time.Time
	Status       Status
	Late         bool
	OpenDelay    time.Duration
	Tally
	Missing []string // expected people who did not answer
}

// RitualAdherence rolls up one ritual.
type RitualAdherence struct {
	RitualID string
	Title    string
	Tally
}

// PersonAdherence rolls up one person.
type PersonAdherence struct {
	PersonID string
	Name     string
	Tally
	// Streak is the number of consecutive most recent prompts answered on time.
	Streak int
}

// WeekAdherence rolls up one ISO week ("2026-W48").
type WeekAdherence struct {
	Week  string
	Start time.Time // Monday 00:00 UTC
	Tally
}

// Report is the adherence over a period.
type Report struct {
	From, To    time.Time
	GeneratedAt time.Time
	Team        Tally
	Rituals     []RitualAdherence
	People      []PersonAdherence
	Weeks       []WeekAdherence
	Occurrences []OccurrenceAdherence
	// Pulse is the weekly tally of 1–5 scale answers (pulse.go).
	Pulse []PulseWeek `json:",omitempty"`
}
