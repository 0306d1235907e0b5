package cadence_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/cadence"
)

// TestRosterHandles: lookups by chat handle find the first person with that
// handle, and an empty handle (an event without a user) finds nobody
// rather than the first person who has no handle on that platform.
func TestRosterHandles(t *testing.T) {
	ana := &cadence.Person{ID: "ana", Handles: cadence.Handles{SlackID: "U1"}}
	bo := &cadence.Person{ID: "bo", Handles: cadence.Handles{TeamsID: "29:bo"}}
	dup := &cadence.Person{ID: "dup", Handles: cadence.Handles{SlackID: "U1"}}
	r := cadence.NewRoster([]*cadence.Person{ana, bo, dup})
	for _, tc := range []struct {
		name string
		got  *cadence.Person
		want *cadence.Person
	}{
		{"slack id", r.BySlackID("U1"), ana},
		{"teams id", r.ByTeamsID("29:bo"), bo},
		{"unknown slack id", r.BySlackID("U2"), nil},
		{"empty slack id", r.BySlackID(""), nil},
		{"empty teams id", r.ByTeamsID(""), nil},
	} {
		assert.Same(t, tc.want, tc.got, tc.name)
	}
}
