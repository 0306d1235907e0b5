package cadence

import (
	"context"
	"time"
)

// Store persists the domain. Each call of View or Update runs fn in one
// transaction: everything fn writes lands together or not at all, which is
// how "record the intent before sending" is kept.
//
// Implementations must copy values in and out: nothing returned by a Tx
// may alias storage that outlives the transaction.
type Store interface {
	View(ctx context.Context, fn func(Tx) error) error
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is everything one transaction can read and write. It is split into
// small interfaces, one per aggregate, so each can be faked alone.
type Tx interface {
	RitualStateTx
	OccurrenceTx
	AnswerTx
	SummaryTx // summary.go
	OutboxTx
	PersonStateTx
	KVTx
	IncidentTx   // incident.go
	FollowUpTx   // followup.go
	ReleaseTx    // release.go
	AuditTx      // audit.go
	AggregateTx  // aggregate.go
	DefinitionTx // definition.go
}

// PersonState is what people change about themselves at run time
// (/cadence ooo), on top of the roster from config.
type PersonState struct {
	PersonID    string
	OutOfOffice []DateRange
}

type PersonStateTx interface {
	// PersonState returns the state, or ErrNotFound.
	PersonState(personID string) (*PersonState, error)
	PutPersonState(*PersonState) error
}

// KVTx is a namespaced key/value space for adapter state that the domain
// does not model: the Slack ID cache of roster emails, Teams conversation
// references, event IDs already handled. Values are opaque bytes.
type KVTx interface {
	// Get returns the value under (ns, key), or ErrNotFound.
	Get(ns, key string) ([]byte, error)
	Put(ns, key string, value []byte) error
	Delete(ns, key string) error
	// Keys lists the keys of a namespace with the given prefix, sorted.
	Keys(ns, prefix string) ([]string, error)
}

// RitualState is what the engine remembers per ritual between ticks.
type RitualState struct {
	RitualID string
	// Cursor is the last scheduled instant the engine has handled; the
	// next tick looks for fire times strictly after it. Zero means "new
	// ritual": start from now, without back-filling history.
	Cursor   time.Time
	Paused   bool
	PausedBy string
	PausedAt time.Time
	// Rotation counts occurrences opened, to pick the next facilitator.
	Rotation int
	// SkipNext holds a reason when a lead skipped the next occurrence
	// before it opened.
	SkipNext   string
	SkipNextBy string
}

type RitualStateTx interface {
	// RitualState returns the state, or ErrNotFound.
	RitualState(ritualID string) (*RitualState, error)
	PutRitualState(*RitualState) error
}

type OccurrenceTx interface {
	// Occurrence returns the occurrence, or ErrNotFound.
	Occurrence(id string) (*Occurrence, error)
	// OccurrenceFor returns Occurrence(id).For(person), or ErrNotFound,
	// reading as little as the store can: an answer needs only its
	// person's part of an occurrence of a thousand.
	OccurrenceFor(id, person string) (*Occurrence, error)
	PutOccurrence(*Occurrence) error
	// Occurrences lists by scheduled time ascending (descending with
	// Newest), ties by ID.
	Occurrences(OccurrenceFilter) ([]*Occurrence, error)
}

type AnswerTx interface {
	// Answer returns one person's answer, or ErrNotFound.
	Answer(occurrenceID, personID string) (*Answer, error)
	PutAnswer(*Answer) error
	// Answers lists the answers of one occurrence, by person ID.
	Answers(occurrenceID string) ([]*Answer, error)
	// Answerers lists the IDs of the people who answered one occurrence,
	// sorted, without reading the answers (every tick needs only this).
	Answerers(occurrenceID string) ([]string, error)
	// AnswersBetween lists answers of occurrences scheduled in [from, to)
	// (for reports, without one call per occurrence), by scheduled time
	// then person. A zero from or to does not bound.
	AnswersBetween(from, to time.Time) ([]*Answer, error)
	// SubmissionsBetween is AnswersBetween without Responses: who answered
	// what occurrence when, which is all adherence needs, without reading
	// the answers' text.
	SubmissionsBetween(from, to time.Time) ([]*Answer, error)
}

type OutboxTx interface {
	// Enqueue stores m if no message with its key exists and reports
	// whether it did. Replayed ticks enqueue the same keys: no-op.
	Enqueue(m *Message) (bool, error)
	// Message returns a message by key, or ErrNotFound.
	Message(key string) (*Message, error)
	// PutMessage overwrites a message (delivery state, revisions).
	PutMessage(m *Message) error
	// Due lists messages in state pending or sending whose NextAttemptAt
	// is not after now, oldest first (CreatedAt, then key), at most limit.
	Due(now time.Time, limit int) ([]*Message, error)
	// Messages lists messages matching f, oldest first.
	Messages(f MessageFilter) ([]*Message, error)
}
