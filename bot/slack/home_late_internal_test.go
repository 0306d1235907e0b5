package slack

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// The App Home offers the late answers the rules still take, with an
// "Answer late" button that opens the late modal.
func TestHomeOffersLateAnswers(t *testing.T) {
	closed := time.Date(2026, 11, 30, 12, 30, 0, 0, time.UTC)
	r := &cadence.Ritual{ID: "triage", Title: "Weekly triage"}
	st := &cadence.PersonStatus{Person: &cadence.Person{ID: "ana", Location: time.UTC}, Late: []cadence.PendingPrompt{
		{Occurrence: &cadence.Occurrence{ID: "triage@20261130T083000Z", RitualID: "triage"}, Ritual: r, ClosesAt: closed, LateUntil: closed.Add(7 * 24 * time.Hour)},
	}}
	b, err := json.Marshal(homeView(st).Blocks)
	require.NoError(t, err)
	assert.Contains(t, string(b), "*You can still answer late*")
	assert.Contains(t, string(b), "a late answer is taken until \\u003c!date^1796646600^{date_short_pretty} at {time}|Mon 7 Dec 12:30 UTC\\u003e")
	assert.Contains(t, string(b), `"action_id":"answer","value":"triage@20261130T083000Z"`)
	assert.Contains(t, string(b), `"text":"Answer late"`)

	st.Late = nil
	b, err = json.Marshal(homeView(st).Blocks)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "answer late")
}
