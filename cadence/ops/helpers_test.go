package ops_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// Helpers copied from the cadence tests, which ops tests cannot import.

func loadLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err, "time zone %s", name)
	return loc
}

func sectionLines(b cadence.Body, heading string) []string {
	for _, s := range b.Sections {
		if s.Heading == heading {
			return s.Lines
		}
	}
	return nil
}

// rosterIn is the test roster with everyone speaking lang, but Lea (the
// lead) who keeps the team's language.
func rosterIn(t *testing.T, lang, team string) *cadence.Roster {
	var people []*cadence.Person
	for _, p := range testRoster(t).People() {
		c := *p
		if c.ID != "lea" {
			c.Language = lang
		}
		people = append(people, &c)
	}
	return cadence.NewRoster(people).WithLanguage(team)
}

// sharedStandup is the standup at 09:15 Zurich (08:15 UTC) for everyone.
func sharedStandup(t *testing.T) *cadence.Ritual {
	r := standupRitual(t)
	r.PerPersonTime = false
	return r
}
