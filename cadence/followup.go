package cadence

import (
	"slices"
	"time"
)

// FollowUpStatus: open until done, or dropped with a reason.
type FollowUpStatus string

const (
	FollowUpOpen    FollowUpStatus = "open"
	FollowUpDone    FollowUpStatus = "done"
	FollowUpDropped FollowUpStatus = "dropped"
)

// Change is one entry of an item's history: who changed what, when.
type Change struct {
	At   time.Time
	By   string // person ID
	What string // "created", "owner ana → bo", "done", "dropped: duplicate of FU-3"
}

// FollowUp is an action item on an incident. Number is sequential per
// store across incidents; ID is "FU-7".
type FollowUp struct {
	Number   int
	Incident int // incident number
	Title    string
	Owner    string // person ID, on the roster
	// Due is a civil date in the owner's calendar: the follow-up is on
	// time if done before that day ends where the owner lives.
	Due       Date
	Status    FollowUpStatus
	CreatedBy string
	CreatedAt time.Time
	// ClosedAt is when it was done or dropped; ClosedBy who did it.
	ClosedAt   time.Time
	ClosedBy   string
	DropReason string
	// SnoozedUntil silences reminders until then (the Snooze button).
	SnoozedUntil time.Time
	History      []Change
	// Issue is the tracker issue for the work (https URL), or empty.
	Issue string
}

// ID is the display ID: "FU-7".
func (f *FollowUp) ID() string { return FollowUpID(f.Number) }

// Deadline is the instant the due date ends in loc (the owner's zone).
func (f *FollowUp) Deadline(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return f.Due.In(loc).AddDate(0, 0, 1)
}

// Clone returns a deep copy of f.
func (f *FollowUp) Clone() *FollowUp {
	if f == nil {
		return nil
	}
	c := *f
	c.History = slices.Clone(f.History)
	return &c
}

// Record appends a history entry.
func (f *FollowUp) Record(at time.Time, by, what string) {
	f.History = append(f.History, Change{At: at, By: by, What: what})
}

// FollowUpFilter selects follow-ups; zero fields do not filter.
type FollowUpFilter struct {
	Incident int
	Owner    string
	Status   []FollowUpStatus
}

// Match reports whether f passes the filter.
func (q FollowUpFilter) Match(f *FollowUp) bool {
	switch {
	case q.Incident != 0 && f.Incident != q.Incident:
		return false
	case q.Owner != "" && f.Owner != q.Owner:
		return false
	case len(q.Status) > 0 && !slices.Contains(q.Status, f.Status):
		return false
	}
	return true
}

// FollowUpTx stores follow-ups, keyed by number.
type FollowUpTx interface {
	// FollowUp returns follow-up n, or ErrNotFound.
	FollowUp(n int) (*FollowUp, error)
	PutFollowUp(*FollowUp) error
	// FollowUps lists matching follow-ups by number ascending.
	FollowUps(FollowUpFilter) ([]*FollowUp, error)
	// LastFollowUpNumber is the highest number stored, 0 when none is.
	LastFollowUpNumber() (int, error)
}

// FollowUpID formats n as "FU-n".
func FollowUpID(n int) string { return seqID(followUpPrefix, n) }

// ParseFollowUpID accepts "FU-7", "fu-7", "#7" or "7".
func ParseFollowUpID(s string) (int, error) { return parseSeqID(followUpPrefix, "follow-up", s) }
