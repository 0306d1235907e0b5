package cadence

import (
	"slices"
	"time"
)

// Role decides what a person may do: specialists answer, leads run rituals
// (pause, resume, skip), managers read reports, admins do everything.
type Role string

const (
	RoleSpecialist Role = "specialist"
	RoleLead       Role = "lead"
	RoleManager    Role = "manager"
	RoleAdmin      Role = "admin"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleSpecialist, RoleLead, RoleManager, RoleAdmin:
		return true
	}
	return false
}

// CanRunRituals is true for roles allowed to pause, resume and skip.
func (r Role) CanRunRituals() bool { return r == RoleLead || r == RoleAdmin }

// CanReadReports is true for roles allowed to read team-wide adherence.
func (r Role) CanReadReports() bool { return r == RoleLead || r == RoleManager || r == RoleAdmin }

// Handles are a person's identities on chat platforms. Any may be empty.
type Handles struct {
	SlackID string // U0123ABC
	Email   string // resolved to a Slack ID with users.lookupByEmail
	TeamsID string // Bot Framework user id (29:...) or AAD object id
}

// DateRange is an inclusive range of civil dates, in the person's own zone.
type DateRange struct {
	From Date
	To   Date
	Note string
}

// Contains reports whether d falls in the range.
func (r DateRange) Contains(d Date) bool { return !d.Before(r.From) && !r.To.Before(d) }

// Person is one member of the roster.
type Person struct {
	ID           string
	Name         string
	Role         Role
	Location     *time.Location
	Capabilities []string
	Handles      Handles
	OutOfOffice  []DateRange
	Holidays     []Date // public holidays of the person's region
	// Language is what the bot speaks to them ("pl"); empty: the team's.
	Language string
}

// HasCapability reports whether p lists capability c.
func (p *Person) HasCapability(c string) bool { return slices.Contains(p.Capabilities, c) }

// Away reports whether p is out of office or on holiday at instant t,
// judged by the civil date in p's own zone.
func (p *Person) Away(t time.Time) (bool, string) {
	d := DateOf(t.In(p.Zone()))
	for _, r := range p.OutOfOffice {
		if r.Contains(d) {
			return true, "out of office"
		}
	}
	if slices.Contains(p.Holidays, d) {
		return true, "holiday"
	}
	return false, ""
}

// Zone is the person's time zone, UTC when none is set.
func (p *Person) Zone() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// Roster is the set of people, looked up by ID or chat handle. Handles are
// indexed once: every inbound Slack or Teams event looks its sender up.
type Roster struct {
	lang    string // the team's language; empty: DefaultLanguage
	people  []*Person
	byID    map[string]*Person
	bySlack map[string]*Person
	byTeams map[string]*Person
}

// NewRoster builds a roster; IDs must be unique (config validation ensures it).
func NewRoster(people []*Person) *Roster {
	r := &Roster{people: people, byID: make(map[string]*Person, len(people)), bySlack: map[string]*Person{}, byTeams: map[string]*Person{}}
	for _, p := range people {
		r.byID[p.ID] = p
		// The first person with a handle wins, as the linear search did.
		if h := p.Handles.SlackID; h != "" && r.bySlack[h] == nil {
			r.bySlack[h] = p
		}
		if h := p.Handles.TeamsID; h != "" && r.byTeams[h] == nil {
			r.byTeams[h] = p
		}
	}
	return r
}

// WithLanguage sets the team's language ([team] language) and returns r.
func (r *Roster) WithLanguage(lang string) *Roster {
	r.lang = lang
	return r
}

// Language is the team's language: channel posts are written in it.
func (r *Roster) Language() string {
	if r == nil || r.lang == "" {
		return DefaultLanguage
	}
	return r.lang
}

// LanguageOf is the language person id is written to in: their own, else
// the team's (also for IDs not in the roster).
func (r *Roster) LanguageOf(id string) string {
	if r != nil {
		if p := r.byID[id]; p != nil && p.Language != "" {
			return p.Language
		}
	}
	return r.Language()
}

// Person returns the person with the given ID, or nil.
func (r *Roster) Person(id string) *Person { return r.byID[id] }

// People returns everyone in roster order.
func (r *Roster) People() []*Person { return r.people }

// BySlackID finds a person by Slack user ID.
func (r *Roster) BySlackID(id string) *Person { return r.bySlack[id] }

// ByTeamsID finds a person by Teams user ID.
func (r *Roster) ByTeamsID(id string) *Person { return r.byTeams[id] }
