package local_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// The rules take a first answer for 7 days after the close: the inbox
// keeps a form for it, worded as late, and every flash says what is true.
func TestLateAnswerInTheLocalChat(t *testing.T) {
	l := newLive(t)
	id := cadence.OccurrenceID("triage", start)
	l.at(start)

	l.login("ana")
	status, body := l.post("/answer", answers(id, "incidents", "none", "blockers", "none"))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Saved your answers to Weekly triage. You can edit them until Mon 30 Nov 14:30 EET.", "Ana's own zone")
	assert.NotContains(t, body, "until the ritual closes")

	l.at(start.Add(4 * time.Hour)) // closes; Lena did not answer
	_, body = l.get("/c/mlops")
	assert.Contains(t, body, "Weekly triage closed at Mon 30 Nov 14:30 EET; the summary is in the thread.", "the agenda is redrawn at close, in Ana's zone")
	assert.NotContains(t, body, "is open")

	l.clock.Set(start.Add(5 * time.Hour))
	inbox := l.login("lena")
	assert.Contains(t, inbox, "You can still answer late")
	assert.Contains(t, inbox, `id="occ-`+id+`"`, "a form for the late answer")
	assert.Contains(t, inbox, "you can still answer late until Mon 7 Dec 13:30 CET")
	assert.Contains(t, inbox, "Send late answers")
	assert.Contains(t, inbox, `href="#occ-`+id+`">Answer late</a>`, "the prompt links to the late form")
	assert.NotContains(t, inbox, "Skip this one", "declining after the close is refused: no such button")

	status, body = l.post("/answer", answers(id, "incidents", "drift on the ranker", "blockers", "none"))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Saved your late answers to Weekly triage: it closed Mon 30 Nov 13:30 CET, so they count as late and can no longer be edited.")
	assert.NotContains(t, body, "Send late answers", "answered: no late form any more")
	_, as, err := l.eng.Occurrence(context.Background(), id)
	require.NoError(t, err)
	require.Len(t, as, 2)

	// Editing it is refused in the engine's words, the text kept.
	status, body = l.post("/answer", answers(id, "incidents", "changed my mind", "blockers", "none"))
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, body, "Your answer to Weekly triage can no longer be edited: it closed Mon 30 Nov 13:30 CET.")
	assert.Regexp(t, textarea("q.incidents", "changed my mind"), body)
}

// The late form lasts as long as the grace, and not an instant longer.
func TestNoLateFormAfterTheGrace(t *testing.T) {
	l := newLive(t)
	l.at(start)
	l.at(start.Add(4*time.Hour + 7*24*time.Hour))
	inbox := l.login("lena")
	assert.Contains(t, inbox, "You can still answer late", "the last instant of the grace")
	l.clock.Set(start.Add(4*time.Hour + 7*24*time.Hour + time.Second))
	_, inbox = l.get("/me")
	assert.NotContains(t, inbox, "You can still answer late")
}
