package cadence

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// IncidentStatus is open until someone closes the incident with a summary.
type IncidentStatus string

const (
	IncidentOpen   IncidentStatus = "open"
	IncidentClosed IncidentStatus = "closed"
)

// Severity runs from 1 (worst: users affected, models down) to 4 (minor).
const (
	MinSeverity     = 1
	MaxSeverity     = 4
	DefaultSeverity = 3
)

// Incident is a model or pipeline incident raised in chat. Number is
// sequential per store; ID is its display form, "INC-3".
type Incident struct {
	Number   int
	Title    string
	Severity int
	Owner    string // person ID
	OpenedBy string
	// Link is the platform's permalink to the message the incident was
	// opened from (Slack message shortcut), or empty.
	Link string
	// Issue is the tracker issue (Jira, GitHub, Linear…) where the work
	// is followed, an https URL, or empty.
	Issue    string
	Status   IncidentStatus
	OpenedAt time.Time
	ClosedAt time.Time
	ClosedBy string
	Summary  string
}

// ID is the display ID: "INC-3".
func (i *Incident) ID() string { return IncidentID(i.Number) }

// Clone returns a copy of i (it holds no reference types).
func (i *Incident) Clone() *Incident {
	if i == nil {
		return nil
	}
	c := *i
	return &c
}

// IncidentFilter selects incidents; zero fields do not filter.
type IncidentFilter struct {
	Status []IncidentStatus
	// Opened in [OpenedFrom, OpenedTo).
	OpenedFrom, OpenedTo time.Time
	Owner                string
}

// Match reports whether i passes the filter. Stores share it so the
// in-memory and bbolt stores select exactly the same incidents.
func (f IncidentFilter) Match(i *Incident) bool {
	switch {
	case len(f.Status) > 0 && !slices.Contains(f.Status, i.Status):
		return false
	case !f.OpenedFrom.IsZero() && i.OpenedAt.Before(f.OpenedFrom):
		return false
	case !f.OpenedTo.IsZero() && !i.OpenedAt.Before(f.OpenedTo):
		return false
	case f.Owner != "" && i.Owner != f.Owner:
		return false
	}
	return true
}

// IncidentTx stores incidents, keyed by number.
type IncidentTx interface {
	// Incident returns incident n, or ErrNotFound.
	Incident(n int) (*Incident, error)
	PutIncident(*Incident) error
	// Incidents lists matching incidents by number ascending.
	Incidents(IncidentFilter) ([]*Incident, error)
	// LastIncidentNumber is the highest number stored, 0 when none is.
	LastIncidentNumber() (int, error)
}

// Display prefixes of sequential IDs.
const (
	incidentPrefix = "INC"
	followUpPrefix = "FU"
	releasePrefix  = "REL"
)

// IncidentID formats n as "INC-n".
func IncidentID(n int) string { return seqID(incidentPrefix, n) }

// ParseIncidentID accepts "INC-3", "inc-3", "#3" or "3".
func ParseIncidentID(s string) (int, error) { return parseSeqID(incidentPrefix, "incident", s) }

func seqID(prefix string, n int) string { return prefix + "-" + strconv.Itoa(n) }

func parseSeqID(prefix, what, s string) (int, error) {
	t := strings.TrimSpace(s)
	if len(t) > len(prefix) && strings.EqualFold(t[:len(prefix)], prefix) {
		t = strings.TrimPrefix(t[len(prefix):], "-")
	}
	t = strings.TrimPrefix(t, "#")
	n, err := strconv.Atoi(t)
	if err != nil || n < 1 {
		return 0, Refusef(ErrInvalidInput, "%q is not %s ID; want %s-<number>, e.g. %s-3", s, article(what), prefix, prefix)
	}
	return n, nil
}

func article(what string) string {
	if strings.ContainsRune("aeiou", rune(what[0])) {
		return "an " + what
	}
	return "a " + what
}
