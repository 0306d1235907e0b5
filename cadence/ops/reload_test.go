package ops_test

import (
	"slices"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// reloadHarness is the engine harness with Ops on the same store, as the
// daemon wires them, so Reload can be driven.
func reloadHarness(t *testing.T, start time.Time, rituals ...*cadence.Ritual) (*cadencetest.Harness, *ops.Service) {
	h := cadencetest.NewHarness(t, start, rituals...)
	o, err := ops.New(ops.Config{Roster: h.Roster, Rituals: h.Rituals, Store: h.Store, Clock: h.Clock, Logger: zerolog.Nop()})
	require.NoError(t, err)
	return h, o.Wrap(h.Eng)
}

// reload applies rituals and roster to svc, as a reloaded config file would.
func reload(h *cadencetest.Harness, svc *ops.Service, roster *cadence.Roster, rituals ...*cadence.Ritual) cadence.ConfigChange {
	h.T.Helper()
	c, _, err := svc.Reload(h.Ctx, ops.ReloadInput{Rituals: rituals, Roster: roster, Source: "test.toml"})
	require.NoError(h.T, err)
	return c
}

// Editing a ritual while one of its occurrences is open: the open one
// keeps its ID and window and closes once, no second one opens inside
// it, and the next one follows the new config.
func TestReloadMidOccurrenceNoDuplicateNoLoss(t *testing.T) {
	opened := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute) // 09:30 Zurich
	first := cadence.OccurrenceID("triage", opened)
	closes := opened.Add(4 * time.Hour)
	tests := []struct {
		name string
		edit func(r *cadence.Ritual)
		// next is when the next occurrence opens under the new config.
		next time.Time
	}{
		{"schedule later the same day", func(r *cadence.Ritual) {
			r.Spec, r.Schedule = "30 10 * * 1", cadencetest.MustSchedule(t, "30 10 * * 1", "Europe/Zurich")
		}, cadencetest.Monday.AddDate(0, 0, 7).Add(9*time.Hour + 30*time.Minute)},
		{"schedule earlier the same day", func(r *cadence.Ritual) {
			r.Spec, r.Schedule = "0 9 * * 1", cadencetest.MustSchedule(t, "0 9 * * 1", "Europe/Zurich")
		}, cadencetest.Monday.AddDate(0, 0, 7).Add(8 * time.Hour)},
		{"daily, inside the open window", func(r *cadence.Ritual) {
			r.Spec, r.Schedule = "0 11 * * *", cadencetest.MustSchedule(t, "0 11 * * *", "Europe/Zurich")
			r.Window = 2 * time.Hour
			r.Reminders = []time.Duration{30 * time.Minute}
		}, cadencetest.Monday.AddDate(0, 0, 1).Add(10 * time.Hour)},
		{"window shorter, participant added", func(r *cadence.Ritual) {
			r.Window = time.Hour
			r.Reminders = nil
			r.Participants = append(r.Participants, "dan")
		}, cadencetest.Monday.AddDate(0, 0, 7).Add(8*time.Hour + 30*time.Minute)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, svc := reloadHarness(t, cadencetest.Monday.Add(8*time.Hour), cadencetest.TriageRitual(t))
			h.At(cadencetest.Monday.Add(8 * time.Hour))
			h.At(opened)
			o, _ := h.Occurrence(first)
			require.Equal(t, cadence.StatusOpen, o.Status)

			r := cadencetest.TriageRitual(t)
			tc.edit(r)
			c := reload(h, svc, h.Roster, r)
			assert.Contains(t, c.RitualsChanged, "triage")

			// Walk the clock in 15-minute steps past the next occurrence.
			for at := opened.Add(15 * time.Minute); !at.After(tc.next.Add(time.Hour)); at = at.Add(15 * time.Minute) {
				h.At(at)
				open := h.Occurrences(cadence.OccurrenceFilter{RitualID: "triage", Status: []cadence.Status{cadence.StatusOpen}})
				require.LessOrEqual(t, len(open), 1, "two open at %s", at)
				if at.Before(closes) {
					require.Len(t, open, 1, "the open occurrence was lost at %s", at)
					require.Equal(t, first, open[0].ID)
					require.Equal(t, closes, open[0].ClosesAt, "the open occurrence keeps its window")
				}
			}
			o, _ = h.Occurrence(first)
			assert.Equal(t, cadence.StatusClosed, o.Status)
			assert.Equal(t, closes, o.ClosedAt)
			assert.NotContains(t, o.Expected, "dan", "a participant added later is not asked for an occurrence already open")

			var held []*cadence.Occurrence
			for _, x := range h.Occurrences(cadence.OccurrenceFilter{RitualID: "triage"}) {
				if x.Status == cadence.StatusOpen || x.Status == cadence.StatusClosed {
					held = append(held, x)
				}
			}
			require.Len(t, held, 2, "the first and the next under the new config")
			next := held[0]
			if next.ID == first {
				next = held[1]
			}
			assert.Equal(t, tc.next, next.Scheduled)
			assert.Equal(t, slices.Contains(r.Participants, "dan"), next.IsExpected("dan"))
		})
	}
}

// Rituals added and removed take effect at the next tick.
func TestReloadAddsAndRemovesRituals(t *testing.T) {
	h, svc := reloadHarness(t, cadencetest.Monday.Add(8*time.Hour), cadencetest.TriageRitual(t))
	h.At(cadencetest.Monday.Add(8 * time.Hour))
	h.At(cadencetest.Monday.Add(8*time.Hour + 30*time.Minute))

	c := reload(h, svc, h.Roster, deployRitual(t))
	assert.Equal(t, []string{"deploy"}, c.RitualsAdded)
	assert.Equal(t, []string{"triage"}, c.RitualsRemoved)
	assert.Nil(t, h.Eng.Ritual("triage"))

	h.At(cadencetest.Monday.Add(9 * time.Hour))
	open := h.Occurrences(cadence.OccurrenceFilter{Status: []cadence.Status{cadence.StatusOpen}})
	assert.Empty(t, open, "the removed ritual's occurrence is closed")
	h.At(cadencetest.Monday.AddDate(0, 0, 1).Add(13 * time.Hour)) // Tuesday 14:00 Zurich
	open = h.Occurrences(cadence.OccurrenceFilter{Status: []cadence.Status{cadence.StatusOpen}})
	require.Len(t, open, 1)
	assert.Equal(t, "deploy", open[0].RitualID)
}

// A person leaving the roster keeps their history; they are excused from
// open occurrences and their open follow-ups go to the ritual's lead, who
// is told; the reload is audited with what changed.
func TestReloadRemovesPerson(t *testing.T) {
	h, svc := reloadHarness(t, cadencetest.Monday.Add(8*time.Hour), cadencetest.TriageRitual(t))
	h.At(cadencetest.Monday.Add(8 * time.Hour))
	h.At(cadencetest.Monday.Add(8*time.Hour + 30*time.Minute))
	occ := cadence.OccurrenceID("triage", cadencetest.Monday.Add(8*time.Hour+30*time.Minute))
	_, err := h.Eng.SubmitAnswer(h.Ctx, cadence.AnswerInput{OccurrenceID: occ, PersonID: "bo", Responses: []cadence.Response{{QuestionID: "incidents", Text: "none"}}})
	require.NoError(t, err)
	inc, err := svc.OpenIncident(h.Ctx, "ana", ops.IncidentInput{Title: "drift"})
	require.NoError(t, err)
	fu, err := svc.AddFollowUp(h.Ctx, "ana", ops.FollowUpInput{Incident: inc.ID(), Owner: "bo", Due: cadencetest.Date(2026, 12, 4), Title: "retrain"})
	require.NoError(t, err)

	var people []*cadence.Person
	for _, p := range h.Roster.People() {
		if p.ID != "bo" {
			people = append(people, p)
		}
	}
	roster := cadence.NewRoster(people)
	r := cadencetest.TriageRitual(t)
	r.Participants = []string{"lea", "ana", "cy"}
	r.Facilitators = []string{"ana"}
	c, handed, err := svc.Reload(h.Ctx, ops.ReloadInput{Rituals: []*cadence.Ritual{r}, Roster: roster, Source: "test.toml"})
	require.NoError(t, err)
	assert.Equal(t, []string{"bo"}, c.PeopleRemoved)
	assert.Equal(t, []ops.Handover{{FollowUp: fu.ID(), From: "bo", To: "lea"}}, handed)

	assert.Nil(t, svc.LiveRoster().Person("bo"), "views built at start read the roster in force")
	got, err := svc.FollowUp(h.Ctx, fu.ID())
	require.NoError(t, err)
	assert.Equal(t, "lea", got.Owner)
	o, answers := h.Occurrence(occ)
	assert.NotContains(t, o.Expected, "bo")
	require.Len(t, answers, 1, "bo's answer stays")
	assert.Equal(t, "bo", answers[0].PersonID)

	var told bool
	for _, m := range h.Messages() {
		if m.To.Person == "lea" && m.Body.Title == fu.ID()+": retrain" {
			told = true
		}
	}
	assert.True(t, told, "the lead is told in chat")

	var audit []*cadence.AuditEntry
	require.NoError(t, h.Store.View(h.Ctx, func(tx cadence.Tx) error {
		audit, err = cadence.ReadAudit(tx, time.Time{})
		return err
	}))
	last := audit[len(audit)-1]
	assert.Equal(t, "config.reload", last.Action)
	assert.Equal(t, ops.ConfigActor, last.Actor)
	assert.Equal(t, "bo", last.Details["people_removed"])
	assert.Equal(t, "triage (participants, facilitators)", last.Details["rituals_changed"])
	assert.Equal(t, fu.ID()+" bo→lea", last.Details["followups_handed_over"])

	// The same config again changes nothing and is not audited.
	c, _, err = svc.Reload(h.Ctx, ops.ReloadInput{Rituals: []*cadence.Ritual{triageWithout(t)}, Roster: roster, Source: "test.toml"})
	require.NoError(t, err)
	assert.True(t, c.Empty(), "%+v", c)
	require.NoError(t, h.Store.View(h.Ctx, func(tx cadence.Tx) error {
		again, err := cadence.ReadAudit(tx, time.Time{})
		assert.Len(t, again, len(audit))
		return err
	}))
}

func triageWithout(t *testing.T) *cadence.Ritual {
	r := cadencetest.TriageRitual(t) // parsed again: new pointers, same values
	r.Participants = []string{"lea", "ana", "cy"}
	r.Facilitators = []string{"ana"}
	return r
}

// A configuration the engine cannot run changes nothing.
func TestReloadRefusedKeepsRunningConfig(t *testing.T) {
	h, svc := reloadHarness(t, cadencetest.Monday, cadencetest.TriageRitual(t))
	bad := deployRitual(t)
	bad.Participants = []string{"lea", "zed"}
	_, _, err := svc.Reload(h.Ctx, ops.ReloadInput{Rituals: []*cadence.Ritual{cadencetest.TriageRitual(t), bad}, Roster: h.Roster})
	require.ErrorContains(t, err, `participant "zed" is not in the roster`)
	assert.Nil(t, h.Eng.Ritual("deploy"))
	assert.NotNil(t, h.Eng.Ritual("triage"))

	_, _, err = svc.Reload(h.Ctx, ops.ReloadInput{Rituals: []*cadence.Ritual{cadencetest.TriageRitual(t)}, Roster: h.Roster, Approvers: []string{"zed"}})
	require.ErrorContains(t, err, `approver "zed" is not in the roster`)
}

// Release approvers change live, and the change is audited.
func TestReloadChangesApprovers(t *testing.T) {
	h, svc := reloadHarness(t, cadencetest.Monday, cadencetest.TriageRitual(t))
	assert.ElementsMatch(t, []string{"lea", "root"}, svc.Approvers())
	c, _, err := svc.Reload(h.Ctx, ops.ReloadInput{Rituals: []*cadence.Ritual{cadencetest.TriageRitual(t)}, Roster: h.Roster, Approvers: []string{"max", "ana"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"ana", "max"}, c.Approvers)
	assert.Equal(t, map[string]string{"approvers": "ana, max"}, c.Details())
	assert.ElementsMatch(t, []string{"ana", "max"}, svc.Approvers())
	c, _, err = svc.Reload(h.Ctx, ops.ReloadInput{Rituals: []*cadence.Ritual{cadencetest.TriageRitual(t)}, Roster: h.Roster})
	require.NoError(t, err)
	assert.Equal(t, []string{"default"}, c.Approvers)
}

// Reloads racing ticks and readers: each sees one configuration whole
// (run with -race).
func TestReloadWhileTicking(t *testing.T) {
	h, svc := reloadHarness(t, cadencetest.Monday.Add(8*time.Hour), cadencetest.TriageRitual(t))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 100 {
			h.Clock.Set(cadencetest.Monday.Add(8*time.Hour + time.Duration(i)*time.Minute))
			if err := h.Eng.Tick(h.Ctx); err != nil {
				t.Error(err)
				return
			}
			_ = svc.Roster().Person("bo")
			_ = svc.Rituals()
		}
	}()
	for i := range 50 {
		rituals := []*cadence.Ritual{cadencetest.TriageRitual(t)}
		if i%2 == 0 {
			rituals = append(rituals, deployRitual(t))
		}
		_, _, err := svc.Reload(h.Ctx, ops.ReloadInput{Rituals: rituals, Roster: cadencetest.TestRoster(t)})
		require.NoError(t, err)
	}
	<-done
	open := h.Occurrences(cadence.OccurrenceFilter{RitualID: "triage", Status: []cadence.Status{cadence.StatusOpen}})
	assert.Len(t, open, 1)
}
