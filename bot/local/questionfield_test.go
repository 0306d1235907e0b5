package local_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// Typed questions are drawn as HTML form controls; check boxes post one
// value each and arrive as one answer, an option per line; an error comes
// back next to its control with the choices kept.
func TestTypedQuestionsAsFormControls(t *testing.T) {
	h := newHarness(t, "")
	lo, hi := 0.0, 100.0
	h.eng.rituals[0].Questions = []cadence.Question{
		{ID: "incidents", Text: "Incidents?", Required: true},
		{ID: "blocked", Text: "Blocked?", Type: cadence.QuestionYesNo, Required: true},
		{ID: "what", Text: "What blocks you?", FollowUpOf: "blocked", When: []string{"yes"}, Required: true},
		{ID: "focus", Text: "Focus?", Type: cadence.QuestionChoice, Options: []string{"Training", "Serving"}},
		{ID: "areas", Text: "Areas?", Type: cadence.QuestionMulti, Options: []string{"Drift", "Latency", "Cost"}},
		{ID: "mood", Text: "Mood?", Type: cadence.QuestionScale},
		{ID: "gpus", Text: "GPU hours?", Type: cadence.QuestionNumber, Min: &lo, Max: &hi},
	}
	occ := h.eng.open("triage")
	inbox := h.login("ana")
	id := "occ-" + occ.ID
	for _, want := range []string{
		`<input type="radio" id="` + id + `-blocked-0" name="q.blocked" value="yes"> Yes</label>`,
		`<input type="radio" id="` + id + `-mood-4" name="q.mood" value="5"> 5 (high)</label>`,
		`<select id="` + id + `-focus" name="q.focus"><option value="">—</option><option value="Training">Training</option>`,
		`<input type="checkbox" id="` + id + `-areas-2" name="q.areas" value="Cost"> Cost</label>`,
		`<input type="number" step="any" id="` + id + `-gpus" name="q.gpus" value="" min="0" max="100">`,
		`<span class="hint">Only if you answered yes to &#34;Blocked?&#34;</span>`,
	} {
		assert.Contains(t, inbox, want)
	}

	form := url.Values{"occurrence": {occ.ID}, "q.incidents": {"none"}, "q.blocked": {"yes"}, "q.what": {""},
		"q.focus": {"Serving"}, "q.areas": {"Drift", "Cost"}, "q.mood": {"4"}, "q.gpus": {"12"}}
	status, body := h.post("/answer", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "this question needs an answer", "yes shows the follow-up, which is required")
	assert.Contains(t, body, `name="q.areas" value="Cost" checked> Cost`, "the choices are kept")
	assert.Contains(t, body, `<option value="Serving" selected>Serving</option>`)
	assert.Contains(t, body, `name="q.blocked" value="yes" checked> Yes`)

	form.Set("q.what", "quota")
	h.get("/me")
	status, body = h.post("/answer", form)
	require.Equal(t, http.StatusOK, status, body)
	a := h.eng.answer(occ.ID, "ana")
	require.NotNil(t, a)
	assert.Equal(t, "Drift\nCost", a.Text("areas"))
	assert.Equal(t, "4", a.Text("mood"))
}

// TestQuestionsInThePersonsLanguage: the answer form asks the questions
// as the config words them in the person's language, with the choice
// labels and the follow-up hint in it; the answer is stored as ever.
func TestQuestionsInThePersonsLanguage(t *testing.T) {
	h := newHarness(t, "")
	var people []*cadence.Person
	for _, p := range testRoster(t).People() {
		c := *p
		if c.ID == "ana" {
			c.Language = "pl"
		}
		people = append(people, &c)
	}
	h.eng.roster = cadence.NewRoster(people).WithLanguage("de")
	h.eng.rituals[0].Questions = []cadence.Question{
		{ID: "blocked", Text: "Blocked?", Type: cadence.QuestionYesNo, Required: true, Texts: map[string]string{"de": "Blockiert?", "pl": "Zablokowany?"}},
		{ID: "what", Text: "What blocks you?", FollowUpOf: "blocked", When: []string{"yes"}, Texts: map[string]string{"pl": "Co cię blokuje?"}},
	}
	occ := h.eng.open("triage")
	inbox := h.login("ana")
	id := "occ-" + occ.ID
	for _, want := range []string{
		"Zablokowany?", "Co cię blokuje?",
		`<input type="radio" id="` + id + `-blocked-0" name="q.blocked" value="yes"> Tak</label>`,
		`<span class="hint">Tylko jeśli na „Zablokowany?” odpowiedziałeś tak</span>`,
	} {
		assert.Contains(t, inbox, want)
	}
	for _, english := range []string{"Blocked?", "What blocks you?", "Only if you answered", "> Yes<"} {
		assert.NotContains(t, inbox, english)
	}
	status, body := h.post("/answer", url.Values{"occurrence": {occ.ID}, "q.blocked": {"no"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "no", h.eng.answer(occ.ID, "ana").Text("blocked"))
}
