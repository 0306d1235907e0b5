package teams_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// controlsWorld runs the standup through the real engine, dispatcher and
// adapter into the fake Bot Connector, and finds Ana's and Ben's prompts.
type controlsWorld struct {
	t       *testing.T
	e       *env
	fc      *fakeConnector
	eng     *cadence.Engine
	a       *teams.Adapter
	d       *cadence.Dispatcher
	clock   *cadence.ManualClock
	prompts map[string]sent // by conversation
}

func newControlsWorld(t *testing.T) *controlsWorld {
	ctx := context.Background()
	fc := newFakeConnector(t)
	st := cadencetest.NewStore()
	clock := cadence.NewManualClock(t0.Add(-time.Minute))
	log := zerolog.New(zerolog.NewTestWriter(t))
	people := []*cadence.Person{
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: mustLoad(t, "Europe/Bucharest"), Handles: cadence.Handles{TeamsID: "aad-ana"}},
		{ID: "ben", Name: "Ben", Role: cadence.RoleSpecialist, Location: time.UTC, Language: "de", Handles: cadence.Handles{TeamsID: "29:ben"}},
	}
	sched, err := cadence.ParseSchedule("30 8 * * 1-5", time.UTC)
	require.NoError(t, err)
	ritual := &cadence.Ritual{ID: "standup", Title: "Daily standup", Kind: cadence.KindStandup, Platform: teams.Platform,
		Channel: channelID, Spec: "30 8 * * 1-5", Schedule: sched, Location: time.UTC,
		Participants: []string{"ana", "ben"}, Questions: cadence.DefaultQuestions(cadence.KindStandup),
		Window: 4 * time.Hour, Reminders: []time.Duration{time.Hour}}
	eng, err := cadence.New(cadence.EngineConfig{Rituals: []*cadence.Ritual{ritual}, Roster: cadence.NewRoster(people),
		Store: st, Clock: clock, Logger: log})
	require.NoError(t, err)
	a, err := teams.New(fc.config(), eng, st, clock, log)
	require.NoError(t, err)
	d := cadence.NewDispatcher(st, clock, map[string]cadence.Chat{teams.Platform: a}, log, nil, cadence.WithLeads(eng.LeadOf), cadence.WithDirectory(eng), cadence.WithRenderer(eng))
	w := &controlsWorld{t: t, e: &env{t: t, fc: fc, clock: clock}, fc: fc, eng: eng, a: a, d: d, clock: clock, prompts: map[string]sent{}}
	require.NoError(t, eng.Tick(ctx))
	w.deliver(w.e.teamInstall())
	for _, u := range []map[string]any{ana, ben} {
		w.deliver(w.e.personalInstall(u))
	}
	clock.Set(t0)
	require.NoError(t, eng.Tick(ctx))
	for range 2 {
		_, err = d.RunOnce(ctx)
		require.NoError(t, err)
		clock.Advance(10 * time.Second)
	}
	for _, s := range fc.posts() {
		if strings.Contains(s.Conv, "1on1") && strings.Contains(card(t, s), `"q_yesterday"`) {
			w.prompts[s.Conv] = s
		}
	}
	require.Len(t, w.prompts, 2)
	return w
}

func (w *controlsWorld) deliver(act map[string]any) {
	w.t.Helper()
	w.e.h = w.a.Handler()
	rec := w.e.deliver(act)
	require.Equal(w.t, http.StatusOK, rec.Code, rec.Body.String())
}

// after delivers act and returns what the bot sent or updated for it.
func (w *controlsWorld) after(act map[string]any) []sent {
	w.t.Helper()
	n := len(w.fc.requests())
	w.deliver(act)
	return w.fc.requests()[n:]
}

// showCard finds the out-of-office Action.ShowCard of a prompt card.
func showCard(t *testing.T, s sent) map[string]any {
	t.Helper()
	var c struct {
		Actions []map[string]any `json:"actions"`
	}
	require.NoError(t, json.Unmarshal([]byte(card(t, s)), &c))
	for _, a := range c.Actions {
		if a["type"] == "Action.ShowCard" {
			return a
		}
	}
	t.Fatalf("no Action.ShowCard on %s", card(t, s))
	return nil
}

func TestTeamsPromptCarriesSnoozeAndOOOForm(t *testing.T) {
	w := newControlsWorld(t)
	p := card(t, w.prompts["a:1on1-29:ana"])
	assert.Contains(t, p, `{"associatedInputs":"none","data":{"action":"snooze_1h","occurrence":"`+occID+`"},"title":"Snooze 1 h","type":"Action.Submit"}`)
	assert.Contains(t, p, `"title":"Tomorrow morning"`)
	assert.NotContains(t, p, `"isRequired":true,"errorMessage":"This question needs an answer."`,
		"a ShowCard submit validates its parent's inputs: the questions are checked by the engine instead")

	sc := showCard(t, w.prompts["a:1on1-29:ana"])
	assert.Equal(t, "I'm out of office…", sc["title"])
	raw, err := json.Marshal(sc["card"])
	require.NoError(t, err)
	assert.Contains(t, string(raw), `{"errorMessage":"Pick a day.","id":"ooo_from","isRequired":true,"label":"First day away","type":"Input.Date","value":"2026-11-30"}`, "today in Ana's zone")
	assert.Contains(t, string(raw), `"data":{"action":"ooo_range","occurrence":"`+occID+`"}`)

	ben := showCard(t, w.prompts["a:1on1-29:ben"])
	assert.Equal(t, "Ich bin nicht im Büro…", ben["title"], "in Ben's language")
}

func TestTeamsSnoozeButtons(t *testing.T) {
	w := newControlsWorld(t)
	prompt := w.prompts["a:1on1-29:ana"]
	out := w.after(w.e.submit(ana, prompt.NewID, map[string]any{"action": "snooze_1h", "occurrence": occID}))
	require.Len(t, out, 1)
	assert.Equal(t, http.MethodPost, out[0].Method)
	assert.Contains(t, card(t, out[0]), "Snoozed: I will remind you about Daily standup on Mon 30 Nov 11:30 EET.")

	// 09:31 UTC: the snooze reminder reaches Ana with the questions.
	w.clock.Set(t0.Add(time.Hour + time.Minute))
	require.NoError(t, w.eng.Tick(context.Background()))
	n := len(w.fc.requests())
	_, err := w.d.RunOnce(context.Background())
	require.NoError(t, err)
	var got bool
	for _, s := range w.fc.requests()[n:] {
		got = got || (s.Conv == "a:1on1-29:ana" && strings.Contains(card(t, s), "Snoozed: Daily standup"))
	}
	assert.True(t, got, "the snooze reminder was sent")

	// After answering, a snooze says so.
	_, err = w.eng.SubmitAnswer(context.Background(), cadence.AnswerInput{OccurrenceID: occID, PersonID: "ana", Via: "test",
		Responses: []cadence.Response{{QuestionID: "yesterday", Text: "a"}, {QuestionID: "today", Text: "b"}}})
	require.NoError(t, err)
	out = w.after(w.e.submit(ana, prompt.NewID, map[string]any{"action": "snooze_tomorrow", "occurrence": occID}))
	require.Len(t, out, 1)
	assert.Contains(t, card(t, out[0]), "You already answered Daily standup; there is nothing to snooze.")
}

func TestTeamsOOOForm(t *testing.T) {
	w := newControlsWorld(t)
	prompt := w.prompts["a:1on1-29:ana"]
	// The ShowCard's submit carries the parent's inputs too (empty here).
	bad := map[string]any{"action": "ooo_range", "occurrence": occID, "q_yesterday": "", "ooo_from": "2026-12-04", "ooo_to": "2026-12-01", "ooo_note": "trip"}
	out := w.after(w.e.submit(ana, prompt.NewID, bad))
	require.Len(t, out, 1)
	assert.Equal(t, http.MethodPost, out[0].Method, "the errors come on a form of their own")
	form := card(t, out[0])
	assert.Contains(t, form, `"id":"ooo_to","isRequired":true,"label":"Last day away","type":"Input.Date","value":"2026-12-01"},{"color":"Attention","spacing":"None","text":"⚠ The last day is before the first (Fri 4 Dec 2026).","type":"TextBlock","wrap":true}`)
	assert.Contains(t, form, `"value":"trip"`, "the note is kept")
	st, err := w.eng.Status(context.Background(), "ana")
	require.NoError(t, err)
	assert.Empty(t, st.OutOfOffice)

	// Fixed on that form card: recorded, the form replaced in place.
	fixed := map[string]any{"action": "ooo_range", "occurrence": occID, "value": "form", "ooo_from": "2026-11-30", "ooo_to": "2026-12-04", "ooo_note": "trip"}
	out = w.after(w.e.submit(ana, out[0].NewID, fixed))
	require.Len(t, out, 1)
	assert.Equal(t, http.MethodPut, out[0].Method)
	assert.Contains(t, card(t, out[0]), "Out of office from Mon 30 Nov 2026 to Fri 4 Dec 2026")
	assert.Contains(t, card(t, out[0]), "You are excused from Daily standup.")
	st, err = w.eng.Status(context.Background(), "ana")
	require.NoError(t, err)
	assert.Equal(t, []cadence.DateRange{{From: cadence.Date{Year: 2026, Month: 11, Day: 30}, To: cadence.Date{Year: 2026, Month: 12, Day: 4}, Note: "trip"}}, st.OutOfOffice)
	o, _, err := w.eng.Occurrence(context.Background(), occID)
	require.NoError(t, err)
	assert.Contains(t, o.Excused, "ana")

	// Ben's range from the prompt card itself, starting today: the prompt
	// card is replaced (nothing left to do on it).
	out = w.after(w.e.submit(ben, w.prompts["a:1on1-29:ben"].NewID, map[string]any{"action": "ooo_range", "occurrence": occID, "ooo_from": "2026-11-30", "ooo_to": "2026-11-30"}))
	require.Len(t, out, 1)
	assert.Equal(t, http.MethodPut, out[0].Method)
	assert.Equal(t, w.prompts["a:1on1-29:ben"].NewID, out[0].ID)
	assert.Contains(t, card(t, out[0]), "Nicht im Büro von Mo, 30. Nov. 2026 bis Mo, 30. Nov. 2026")
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}
