package cadence

import (
	"strings"
	"time"
)

// MessageKind says what a message is for; adapters choose a layout per kind.
type MessageKind string

const (
	KindAgenda   MessageKind = "agenda"   // to the channel when an occurrence opens
	KindPrompt   MessageKind = "prompt"   // DM asking one person the questions
	KindReminder MessageKind = "reminder" // DM to someone who has not answered
	KindSummary  MessageKind = "summary"  // in the agenda's thread; updated in place as answers arrive
	KindReceipt  MessageKind = "receipt"  // DM confirming an answer was stored
	KindNotice   MessageKind = "notice"   // anything else: to a lead, a skip, a pause
	KindDigest   MessageKind = "digest"   // weekly adherence digest for managers
	KindHook     MessageKind = "hook"     // a release event for a machine (webhook, registry), not a person
)

// Recipient is a channel or a person (a DM); exactly one is set.
type Recipient struct {
	Channel string
	Person  string
}

func (r Recipient) String() string {
	if r.Person != "" {
		return "@" + r.Person
	}
	return "#" + r.Channel
}

// DeliveryState tracks a message through the outbox.
type DeliveryState string

const (
	// StatePending: intent recorded, not yet handed to the platform (or a
	// newer revision awaits an update).
	StatePending DeliveryState = "pending"
	// StateSending: handed to the platform, reply not yet recorded. A
	// message found in this state on start may or may not have arrived:
	// the dispatcher reconciles it before sending again.
	StateSending DeliveryState = "sending"
	StateSent    DeliveryState = "sent"
	// StateFailed: the platform refused it for good (e.g. channel_not_found).
	StateFailed DeliveryState = "failed"
	// StateDropped: never delivered because its moment passed first (a
	// reminder for a window that had closed by then); see FreshnessAt.
	StateDropped DeliveryState = "dropped"
)

// Ref is the platform's reference to a delivered message, kept so later
// revisions update the same message instead of posting a new one.
type Ref struct {
	Channel string // Slack channel ID, Teams conversation ID, local room
	ID      string // Slack ts, Teams activity ID, local message key
}

// IsZero reports whether r is unset.
func (r Ref) IsZero() bool { return r.Channel == "" && r.ID == "" }

// Body is the platform-neutral content of a message. Adapters render it
// (Block Kit, Adaptive Cards, HTML); the engine never knows how.
type Body struct {
	Title    string
	Text     string // short plain text; the notification / fallback text
	Sections []Section
	// Questions are asked by prompts; Prefill holds a person's previous
	// answers keyed by question ID when editing is possible.
	Questions []Question
	Prefill   map[string]string
	Actions   []Action
	Footer    string
	// Image is an optional picture (the digest's chart). Adapters that
	// cannot show it fall back to Alt. Left out of JSON when absent, so
	// bodies without one encode as before.
	Image *Image `json:",omitempty"`
}

// Image is a picture attached to a message, rendered server-side.
type Image struct {
	Name string // file name shown on download: "adherence-2026-W09.png"
	Alt  string // what the picture shows, for screen readers and fallbacks
	PNG  []byte
}

// Section is a titled block of lines, then of labelled entries (a
// question and its answer) that adapters lay out label above text.
type Section struct {
	Heading string
	Lines   []string
	Entries []Entry `json:",omitempty"`
}

// Entry is a labelled piece of text: a question and the answer given.
type Entry struct {
	Label string
	Text  string
}

// Action is a button. ID is what comes back when clicked; Value carries
// the target (occurrence ID, follow-up ID).
type Action struct {
	ID    string // ActionAnswer, ActionSkip, ...
	Label string
	Value string
	Style string // "primary", "danger" or ""
	// Late marks the answer button offered after a close, so adapters
	// word their forms for a late answer whatever the label's language.
	Late bool `json:",omitempty"`
}

// Action IDs shared by every adapter.
const (
	ActionAnswer  = "answer"  // open the questions (modal / form)
	ActionDecline = "decline" // "skip this one"
	ActionOOO     = "ooo"     // "I'm out of office…": asks for the range
	// The snooze buttons of a prompt (SnoozePrompt): an hour, or
	// tomorrow at SnoozeMorning in the person's zone.
	ActionSnoozeHour     = "snooze_1h"
	ActionSnoozeTomorrow = "snooze_tomorrow"
)

// Message is one outbound message. The engine records it (the intent)
// before any platform sees it; the dispatcher delivers it and records the
// platform's Ref. Key is unique and stable: enqueuing the same key twice
// is a no-op, which makes every tick replayable.
type Message struct {
	Key          string
	Kind         MessageKind
	Platform     string // "slack", "teams", "local"
	To           Recipient
	RitualID     string
	OccurrenceID string
	// Thread is the key of the message this one replies under (the
	// agenda), resolved to a platform thread at delivery.
	Thread string
	Body   Body

	// StaleAt is when Body stops being true (a prompt's close, an agenda's
	// close, a reminder's "closes in 30m"); zero: never. A first delivery
	// at or after it sends LateBody instead, or nothing when LateBody is
	// nil. ExpiresAt is when the message is of no use at all (a prompt once
	// late answers are refused); it is never first delivered after it.
	// See FreshnessAt.
	StaleAt   time.Time
	LateBody  *Body
	ExpiresAt time.Time

	CreatedAt time.Time
	// Revision grows when the content changes (summaries); the dispatcher
	// updates the delivered message in place until SentRevision catches up.
	Revision     int
	SentRevision int

	State         DeliveryState
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	// FailingSince is when the current run of retryable failures began
	// (zero after a success); the dispatcher gives up after a while.
	FailingSince time.Time
	Ref          Ref
	SentAt       time.Time
	// UpdatedAt is when the platform last got a revision (the first post
	// or an edit in place); the dispatcher spaces edits from it.
	UpdatedAt time.Time
	// Compacted: the message was settled long enough ago that the store
	// dropped its content (Body, LateBody, errors); its key, Ref and
	// revisions remain, so it is never posted again and can still be
	// updated in place with a new body. Messages that nothing reads again
	// (Outlived) are deleted instead.
	Compacted bool
}

// Revise makes body m's next revision and says whether the dispatcher
// has something to send: a delivered message goes back to pending to be
// updated in place, and one still pending or being sent goes out in its
// newest version; one never delivered (refused, dropped) keeps its state,
// as there is nothing on the platform to update.
func (m *Message) Revise(body Body, now time.Time) (queued bool) {
	m.Body = body
	m.Revision++
	switch m.State {
	case StateSent:
		m.State, m.NextAttemptAt = StatePending, now
	case StateFailed, StateDropped:
		return false
	}
	return true
}

// MessageKey builds a key from parts: "occ/triage@20261130T083000Z/prompt/ana".
func MessageKey(parts ...string) string { return strings.Join(parts, "/") }

// MessageFilter selects messages for listing (local chat pages, API).
type MessageFilter struct {
	Platform string
	To       *Recipient
	Thread   string
	States   []DeliveryState
	Since    time.Time
	Limit    int
}
