package cadence

import (
	"context"
	"time"
)

// Service is what chat adapters and the HTTP layer call on the engine. It is
// platform-neutral: adapters translate clicks, modals, slash commands and
// form posts into these calls, and render the results. *Engine implements
// it; adapter tests may fake it.
type Service interface {
	Roster() *Roster
	Rituals() []*Ritual
	Ritual(id string) *Ritual

	// SubmitAnswer validates and stores one person's answers. It returns
	// FieldErrors (wrapping ErrInvalidInput) for bad answers, ErrClosed
	// after the window, ErrForbidden when the person is not expected,
	// ErrNotFound for an unknown occurrence. Editing before close is a
	// second SubmitAnswer. The answer is durable when it returns nil.
	SubmitAnswer(ctx context.Context, in AnswerInput) (*Answer, error)
	// Decline excuses a person from one occurrence (the Skip / OOO
	// buttons): no reminders, not counted as missing.
	Decline(ctx context.Context, occurrenceID, personID, reason string) error

	// Skip skips the open occurrence of a ritual, or the next one if none
	// is open (leads and admins only: ErrForbidden otherwise).
	Skip(ctx context.Context, actorID, ritualID, reason string) (*SkipResult, error)
	Pause(ctx context.Context, actorID, ritualID string) error
	Resume(ctx context.Context, actorID, ritualID string) error
	// SetOutOfOffice records a range during which the person is not
	// expected at any ritual.
	SetOutOfOffice(ctx context.Context, personID string, r DateRange) error
	// CancelOutOfOffice removes the range containing day (zero: the
	// current or next one) and returns it; ranges from the config file
	// are refused (ErrForbidden), no range is ErrNotFound.
	CancelOutOfOffice(ctx context.Context, personID string, day Date) (DateRange, error)

	// Status is a person's view: pending prompts, upcoming rituals.
	Status(ctx context.Context, personID string) (*PersonStatus, error)
	// Occurrence returns one occurrence with its answers.
	Occurrence(ctx context.Context, id string) (*Occurrence, []*Answer, error)
	// Report computes adherence over a period.
	Report(ctx context.Context, q ReportQuery) (*Report, error)
}

// AnswerInput is one submission of answers.
type AnswerInput struct {
	OccurrenceID string
	PersonID     string
	Responses    []Response
	Via          string
}

// SkipResult says which occurrence a skip applied to.
type SkipResult struct {
	OccurrenceID string    // set when an open occurrence was skipped
	Scheduled    time.Time // the skipped fire time
	Next         bool      // true when the next (not yet open) one was marked
}

// PersonStatus is what /cadence status and the App Home show.
type PersonStatus struct {
	Person   *Person
	Pending  []PendingPrompt
	Upcoming []Upcoming
	// Late are occurrences closed for the person without their answer
	// while a late answer is still accepted (LateUntil), oldest first.
	Late []PendingPrompt
	// OutOfOffice are the person's out-of-office ranges that end today or
	// later (config file and /cadence ooo), by start date.
	OutOfOffice []DateRange
}

// PendingPrompt is an open occurrence awaiting (or allowing edits to) a
// person's answer.
type PendingPrompt struct {
	Occurrence *Occurrence
	Ritual     *Ritual
	Answered   bool
	ClosesAt   time.Time // the person's own deadline
	LateUntil  time.Time // the last instant a first late answer is accepted
}

// Upcoming is a ritual's next fire time for a person, in their zone.
type Upcoming struct {
	Ritual *Ritual
	At     time.Time // in the person's location
	Paused bool
	// Away is set when the person is out of office that day: they will
	// not be prompted.
	Away *DateRange
}
