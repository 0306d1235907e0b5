package local_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// The snooze buttons of a prompt, through the real engine: the inbox says
// until when in the person's zone; an answered prompt says so instead.
func TestSnoozeButtonsWithTheRealEngine(t *testing.T) {
	l := newLive(t)
	id := cadence.OccurrenceID("triage", start)
	l.at(start)
	l.login("ana")
	_, body := l.get("/me")
	assert.Contains(t, body, `<button type="submit" name="action" value="snooze_1h" class="secondary">Snooze 1 h</button>`)
	assert.Contains(t, body, `value="snooze_tomorrow" class="secondary">Tomorrow morning</button>`)

	status, body := l.post("/snooze", url.Values{"occurrence": {id}, "action": {cadence.ActionSnoozeHour}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Snoozed: I will remind you about Weekly triage on Mon 30 Nov 11:30 EET.")

	status, _ = l.post("/snooze", url.Values{"occurrence": {id}, "action": {cadence.ActionSnoozeHour}, "csrf": {"forged"}})
	assert.Equal(t, http.StatusForbidden, status, "CSRF-checked like every form")
	l.get("/me")

	var answers []cadence.Response
	for _, q := range l.eng.Ritual("triage").Questions {
		answers = append(answers, cadence.Response{QuestionID: q.ID, Text: "fine"})
	}
	_, err := l.eng.SubmitAnswer(context.Background(), cadence.AnswerInput{OccurrenceID: id, PersonID: "ana", Responses: answers, Via: "test"})
	require.NoError(t, err)
	_, body = l.post("/snooze", url.Values{"occurrence": {id}, "action": {cadence.ActionSnoozeTomorrow}})
	assert.Contains(t, body, "You already answered Weekly triage; there is nothing to snooze.")
}

// The out-of-office form: errors next to the field with the dates kept,
// then the range recorded and today's prompt excused.
func TestOutOfOfficeFormWithTheRealEngine(t *testing.T) {
	l := newLive(t)
	id := cadence.OccurrenceID("triage", start)
	l.at(start)
	l.login("ana")
	_, body := l.get("/me")
	assert.Contains(t, body, `<input type="date" id="occ-`+id+`-ooo-from" name="ooo_from" value="2026-11-30" required>`, "from starts today in Ana's zone")

	status, body := l.post("/ooo", url.Values{"occurrence": {id}, "ooo_from": {"2026-12-10"}, "ooo_to": {"2026-12-01"}, "ooo_note": {"trip"}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, `<details class="ooo-form" open>`)
	assert.Contains(t, body, `<span class="field-error">The last day is before the first (Thu 10 Dec 2026).</span><input type="date" id="occ-`+id+`-ooo-to" name="ooo_to" value="2026-12-01" required>`)
	assert.Contains(t, body, `value="trip"`, "the note is kept")
	o, _, err := l.eng.Occurrence(context.Background(), id)
	require.NoError(t, err)
	assert.NotContains(t, o.Excused, "ana")

	status, body = l.post("/ooo", url.Values{"occurrence": {id}, "ooo_from": {"2026-11-30"}, "ooo_to": {"2026-12-04"}, "ooo_note": {"trip"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Out of office from Mon 30 Nov 2026 to Fri 4 Dec 2026: no prompts or reminders on those days. /cadence ooo cancel 2026-11-30 takes it back. You are excused from Weekly triage.")
	assert.Contains(t, body, `<p class="ooo">Out of office: 2026-11-30 to 2026-12-04 (trip).`)
	o, _, err = l.eng.Occurrence(context.Background(), id)
	require.NoError(t, err)
	assert.Contains(t, o.Excused, "ana")

	// No reminder reaches Ana for the excused prompt.
	l.at(start.Add(3 * time.Hour))
	_, body = l.get("/me")
	assert.NotContains(t, body, "Reminder: Weekly triage")
}
