package cadencetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// The test team of the engine tests: a lead in Zurich, specialists across
// Europe, Asia and America, a manager and an admin. Monday 2026-11-30 is
// the first triage of the tests; Zurich is on CET (UTC+1) then, so 09:30
// Zurich is 08:30 UTC.
var Monday = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// Location loads the time zone name or fails t.
func Location(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err, "time zone %s", name)
	return loc
}

// MustSchedule parses the cron spec in zone or fails t.
func MustSchedule(t testing.TB, spec, zone string) *cadence.Schedule {
	t.Helper()
	s, err := cadence.ParseSchedule(spec, Location(t, zone))
	require.NoError(t, err)
	return s
}

// Date is the calendar day y-m-d.
func Date(y int, m time.Month, d int) cadence.Date { return cadence.Date{Year: y, Month: m, Day: d} }

// TestRoster is the test team: Lea (lead, Zurich), Ana (Bucharest), Bo
// (Warsaw), Cy (Almaty) and Dan (New York) as specialists, Max (manager,
// Zurich) and Root (admin, UTC).
func TestRoster(t testing.TB) *cadence.Roster {
	return cadence.NewRoster([]*cadence.Person{
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: Location(t, "Europe/Zurich")},
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: Location(t, "Europe/Bucharest")},
		{ID: "bo", Name: "Bo", Role: cadence.RoleSpecialist, Location: Location(t, "Europe/Warsaw")},
		{ID: "cy", Name: "Cy", Role: cadence.RoleSpecialist, Location: Location(t, "Asia/Almaty")},
		{ID: "dan", Name: "Dan", Role: cadence.RoleSpecialist, Location: Location(t, "America/New_York")},
		{ID: "max", Name: "Max", Role: cadence.RoleManager, Location: Location(t, "Europe/Zurich")},
		{ID: "root", Name: "Root", Role: cadence.RoleAdmin, Location: time.UTC},
	})
}

// RosterIn is TestRoster with everyone speaking lang, but Lea (the lead)
// who keeps the team's language.
func RosterIn(t testing.TB, lang, team string) *cadence.Roster {
	var people []*cadence.Person
	for _, p := range TestRoster(t).People() {
		c := *p
		if c.ID != "lea" {
			c.Language = lang
		}
		people = append(people, &c)
	}
	return cadence.NewRoster(people).WithLanguage(team)
}

// TriageRitual is the weekly triage in #mlops: Mondays 09:30 Zurich, 4h
// window, reminders 1h and 30m before close; Ana and Bo facilitate.
func TriageRitual(t testing.TB) *cadence.Ritual {
	return &cadence.Ritual{
		ID: "triage", Title: "Weekly triage", Kind: cadence.KindTriage, Channel: "mlops",
		Spec: "30 9 * * 1", Schedule: MustSchedule(t, "30 9 * * 1", "Europe/Zurich"), Location: Location(t, "Europe/Zurich"),
		Participants: []string{"lea", "ana", "bo", "cy"},
		Facilitators: []string{"ana", "bo"},
		Lead:         "lea",
		Questions:    cadence.DefaultQuestions(cadence.KindTriage),
		Window:       4 * time.Hour,
		Reminders:    []time.Duration{30 * time.Minute, time.Hour},
	}
}

// StandupRitual is the standup in #standup: weekdays 09:15 in each
// person's own zone, 3h window, a reminder 1h before close.
func StandupRitual(t testing.TB) *cadence.Ritual {
	return &cadence.Ritual{
		ID: "standup", Title: "Standup", Kind: cadence.KindStandup, Channel: "standup",
		Spec: "15 9 * * 1-5", Schedule: MustSchedule(t, "15 9 * * 1-5", "Europe/Zurich"), Location: Location(t, "Europe/Zurich"),
		Participants:  []string{"lea", "ana", "cy", "dan"},
		Lead:          "lea",
		Questions:     cadence.DefaultQuestions(cadence.KindStandup),
		Window:        3 * time.Hour,
		Reminders:     []time.Duration{time.Hour},
		PerPersonTime: true,
	}
}

// SharedStandup is StandupRitual at 09:15 Zurich (08:15 UTC) for everyone.
func SharedStandup(t testing.TB) *cadence.Ritual {
	r := StandupRitual(t)
	r.PerPersonTime = false
	return r
}
