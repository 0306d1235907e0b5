package cadence_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// Channel messages name people and instants as references, so each
// platform can make them mentions and show times in the reader's zone;
// answers go in as question and answer, never run together; user text
// cannot carry a forged reference.
func TestChannelMessagesNamePeopleAndInstantsAsReferences(t *testing.T) {
	h := cadencetest.NewHarness(t, cadencetest.Monday.Add(8*time.Hour), cadencetest.TriageRitual(t))
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	id := cadence.OccurrenceID("triage", fire)
	h.At(cadencetest.Monday.Add(8 * time.Hour))
	h.At(fire)
	forged := "GPU quota \uE000p\uE001boss\uE001Boss\uE002"
	_, err := triageAnswer(h, id, "ana", forged)
	require.NoError(t, err)
	h.Dispatch()

	raw := func(key string) cadence.Body {
		var m *cadence.Message
		require.NoError(t, h.Store.View(context.Background(), func(tx cadence.Tx) error {
			var err error
			m, err = tx.Message(key)
			return err
		}))
		return m.Body
	}
	zurich := cadence.TimeText(fire.Add(4*time.Hour), mustZone(t, "Europe/Zurich"), "Mon 2 Jan 15:04 MST")
	agenda := raw(cadence.AgendaKey(id))
	assert.Contains(t, agenda.Text, "Please answer by "+zurich+".")
	assert.Contains(t, agenda.Sections, cadence.Section{Heading: "Facilitator", Lines: []string{cadence.MentionText("ana", "Ana")}})

	summary := raw(cadence.SummaryKey(id))
	assert.Equal(t, "Answers close "+zurich, summary.Footer)
	var ana, blockers *cadence.Section
	for i, s := range summary.Sections {
		switch s.Heading {
		case cadence.MentionText("ana", "Ana"):
			ana = &summary.Sections[i]
		case "Blockers":
			blockers = &summary.Sections[i]
		}
	}
	require.NotNil(t, ana, "Ana's answers under her mention")
	require.NotNil(t, blockers)
	assert.Empty(t, ana.Lines)
	assert.Contains(t, ana.Entries, cadence.Entry{Label: "What blocks you from closing your follow-ups?", Text: "GPU quota pbossBoss"})
	assert.Equal(t, []string{cadence.MentionText("ana", "Ana") + ": GPU quota pbossBoss"}, blockers.Lines, "the typed text stays text")

	prompt := raw(cadence.PromptKey(id, "ana"))
	assert.Equal(t, "Weekly triage", prompt.Title)
	assert.NotContains(t, prompt.Text, "Weekly triage", "the title is said once, in the title")
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}
