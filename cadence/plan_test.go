package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// TestNextStep pins the planner's decisions: pure functions of (stored
// state, now).
func TestNextStep(t *testing.T) {
	roster := cadencetest.TestRoster(t)
	locs := func(p string) *time.Location { return roster.Person(p).Location }
	triage := cadencetest.TriageRitual(t)
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute) // 09:30 Zurich
	id := cadence.OccurrenceID("triage", fire)
	cursor := &cadence.RitualState{RitualID: "triage", Cursor: fire.Add(-time.Hour)}
	awayOn := func(who string) func(string, time.Time) (bool, string) {
		return func(p string, _ time.Time) (bool, string) { return p == who, "out of office" }
	}
	openOcc := func(mut func(o *cadence.Occurrence)) []*cadence.Occurrence {
		o := &cadence.Occurrence{
			ID: id, RitualID: "triage", Scheduled: fire, DueAt: fire, Status: cadence.StatusOpen,
			OpenedAt: fire, ClosesAt: fire.Add(4 * time.Hour),
			Expected: []string{"lea", "ana", "bo", "cy"},
			PromptAt: map[string]time.Time{}, CloseAt: map[string]time.Time{},
			Prompted: map[string]time.Time{}, Reminded: map[string]int{},
		}
		for _, p := range o.Expected {
			o.PromptAt[p], o.CloseAt[p], o.Prompted[p] = fire, fire.Add(4*time.Hour), fire
		}
		if mut != nil {
			mut(o)
		}
		return []*cadence.Occurrence{o}
	}

	tests := []struct {
		name  string
		in    cadence.PlanInput
		none  bool
		check func(t *testing.T, s cadence.Step)
	}{
		{
			name: "a new ritual starts at now, without back-fill",
			in:   cadence.PlanInput{Ritual: triage, Now: fire.Add(time.Hour)},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, cadence.StepStart, s.Kind)
				assert.Equal(t, fire.Add(time.Hour), s.State.Cursor)
			},
		},
		{
			name: "nothing due before the fire time",
			in:   cadence.PlanInput{Ritual: triage, State: cursor, Now: fire.Add(-time.Nanosecond)},
			none: true,
		},
		{
			name: "due at the fire time: open on time, prompt everyone, rotate",
			in:   cadence.PlanInput{Ritual: triage, State: &cadence.RitualState{RitualID: "triage", Cursor: fire.Add(-time.Hour), Rotation: 3}, Now: fire, Tolerance: 2 * time.Minute},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, cadence.StepOpen, s.Kind)
				assert.Equal(t, id, s.Occurrence.ID)
				assert.False(t, s.Occurrence.Late)
				assert.Equal(t, []string{"lea", "ana", "bo", "cy"}, s.Prompt)
				assert.Equal(t, "bo", s.Occurrence.Facilitator, "rotation 3 of [ana bo]")
				assert.Equal(t, 4, s.State.Rotation)
				assert.Equal(t, fire, s.State.Cursor)
				assert.Empty(t, s.Occurrence.Reminded, "no reminder slot used yet")
			},
		},
		{
			name: "opened within the tolerance is on time",
			in:   cadence.PlanInput{Ritual: triage, State: cursor, Now: fire.Add(2 * time.Minute), Tolerance: 2 * time.Minute},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, cadence.StepOpen, s.Kind)
				assert.False(t, s.Occurrence.Late)
			},
		},
		{
			name: "opened after the tolerance is late; reminder slots already passed are used up",
			in:   cadence.PlanInput{Ritual: triage, State: cursor, Now: fire.Add(3*time.Hour + 10*time.Minute), Tolerance: 2 * time.Minute},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, cadence.StepOpen, s.Kind)
				assert.True(t, s.Occurrence.Late)
				assert.Equal(t, 3*time.Hour+10*time.Minute, s.Occurrence.Delay())
				assert.Equal(t, 1, s.Occurrence.Reminded["ana"], "the 1h reminder is not sent right after a late prompt")
			},
		},
		{
			name: "the whole window passed: missed",
			in:   cadence.PlanInput{Ritual: triage, State: cursor, Now: fire.Add(4 * time.Hour)},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, cadence.StepMiss, s.Kind)
				assert.Equal(t, cadence.StatusMissed, s.Occurrence.Status)
				assert.Empty(t, s.Occurrence.Expected, "nobody was asked")
				assert.Equal(t, fire, s.State.Cursor)
			},
		},
		{
			name: "paused: skipped with reason paused",
			in:   cadence.PlanInput{Ritual: triage, State: &cadence.RitualState{RitualID: "triage", Cursor: cursor.Cursor, Paused: true, PausedBy: "lea"}, Now: fire},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, cadence.StepSkip, s.Kind)
				assert.Equal(t, cadence.SkipReasonPaused, s.Occurrence.SkipReason)
				assert.Equal(t, "lea", s.Occurrence.SkippedBy)
				assert.True(t, s.State.Paused, "still paused")
			},
		},
		{
			name: "skip-next is used once",
			in:   cadence.PlanInput{Ritual: triage, State: &cadence.RitualState{RitualID: "triage", Cursor: cursor.Cursor, SkipNext: "offsite", SkipNextBy: "lea"}, Now: fire},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, cadence.StepSkip, s.Kind)
				assert.Equal(t, "offsite", s.Occurrence.SkipReason)
				assert.Empty(t, s.State.SkipNext)
			},
		},
		{
			name: "team holiday on the civil date in the ritual's zone",
			in: cadence.PlanInput{Ritual: func() *cadence.Ritual {
				r := cadencetest.TriageRitual(t)
				r.SkipDates = []cadence.Date{{Year: 2026, Month: 11, Day: 30}}
				return r
			}(), State: cursor, Now: fire},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, cadence.StepSkip, s.Kind)
				assert.Equal(t, "team holiday 2026-11-30", s.Occurrence.SkipReason)
			},
		},
		{
			name: "out of office: excused, and the rotation passes over an absent facilitator",
			in:   cadence.PlanInput{Ritual: triage, State: cursor, Now: fire, Away: awayOn("ana")},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, []string{"lea", "bo", "cy"}, s.Occurrence.Expected)
				assert.Equal(t, map[string]string{"ana": "out of office"}, s.Occurrence.Excused)
				assert.Equal(t, "bo", s.Occurrence.Facilitator)
				assert.Equal(t, 1, s.State.Rotation)
			},
		},
		{
			name: "everyone away: it still opens, with nobody expected",
			in: cadence.PlanInput{Ritual: triage, State: cursor, Now: fire,
				Away: func(string, time.Time) (bool, string) { return true, "holiday" }},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, cadence.StepOpen, s.Kind)
				assert.Empty(t, s.Occurrence.Expected)
				assert.Len(t, s.Occurrence.Excused, 4)
				assert.Equal(t, fire.Add(4*time.Hour), s.Occurrence.ClosesAt)
			},
		},
		{
			name: "an open occurrence past its close time closes",
			in:   cadence.PlanInput{Ritual: triage, State: &cadence.RitualState{RitualID: "triage", Cursor: fire}, Open: openOcc(nil), Now: fire.Add(4 * time.Hour)},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, cadence.StepClose, s.Kind)
				assert.Equal(t, cadence.StatusClosed, s.Occurrence.Status)
				assert.Equal(t, fire.Add(4*time.Hour), s.Occurrence.ClosedAt)
			},
		},
		{
			name: "reminders go to the prompted who have not answered",
			in: cadence.PlanInput{Ritual: triage, State: &cadence.RitualState{RitualID: "triage", Cursor: fire},
				Open:     openOcc(func(o *cadence.Occurrence) { delete(o.Prompted, "cy") }),
				Answered: map[string]map[string]bool{id: {"ana": true}}, Now: fire.Add(3 * time.Hour)},
			check: func(t *testing.T, s cadence.Step) {
				// Cy was never prompted: the planner prompts first.
				assert.Equal(t, cadence.StepPrompt, s.Kind)
				assert.Equal(t, []string{"cy"}, s.Prompt)
			},
		},
		{
			name: "after downtime only the latest due reminder is sent",
			in: cadence.PlanInput{Ritual: triage, State: &cadence.RitualState{RitualID: "triage", Cursor: fire},
				Open: openOcc(nil), Answered: map[string]map[string]bool{id: {"ana": true, "bo": true}}, Now: fire.Add(3*time.Hour + 45*time.Minute)},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, cadence.StepRemind, s.Kind)
				assert.Equal(t, map[string]int{"lea": 1, "cy": 1}, s.Remind)
				assert.Equal(t, 2, s.Occurrence.Reminded["lea"])
				assert.Equal(t, 0, s.Occurrence.Reminded["ana"])
			},
		},
		{
			name: "all reminders sent: nothing to do until close",
			in: cadence.PlanInput{Ritual: triage, State: &cadence.RitualState{RitualID: "triage", Cursor: fire},
				Open: openOcc(func(o *cadence.Occurrence) { o.Reminded = map[string]int{"lea": 2, "ana": 2, "bo": 2, "cy": 2} }),
				Now:  fire.Add(3*time.Hour + 59*time.Minute)},
			none: true,
		},
		{
			name: "a per-person ritual first seen at 07:00 Zurich starts with the next day (Almaty's 09:15 has passed)",
			in:   cadence.PlanInput{Ritual: cadencetest.StandupRitual(t), Now: cadencetest.Monday.Add(6 * time.Hour), Locations: locs},
			check: func(t *testing.T, s cadence.Step) {
				assert.Equal(t, cadence.StepStart, s.Kind)
				assert.Equal(t, cadencetest.Monday.Add(8*time.Hour+15*time.Minute), s.State.Cursor, "Monday's fire is behind the cursor")
			},
		},
		{
			name: "a per-person ritual opens at the earliest person's time",
			in: cadence.PlanInput{Ritual: cadencetest.StandupRitual(t), State: &cadence.RitualState{RitualID: "standup", Cursor: cadencetest.Monday.Add(-24 * time.Hour)},
				Now: cadencetest.Monday.Add(4*time.Hour + 15*time.Minute), Locations: locs},
			check: func(t *testing.T, s cadence.Step) {
				require.Equal(t, cadence.StepOpen, s.Kind)
				o := s.Occurrence
				assert.Equal(t, cadence.OccurrenceID("standup", cadencetest.Monday.Add(8*time.Hour+15*time.Minute)), o.ID, "ID from the ritual's zone")
				assert.Equal(t, cadencetest.Monday.Add(4*time.Hour+15*time.Minute), o.DueAt)
				assert.Equal(t, []string{"cy"}, s.Prompt, "only Almaty is due")
				assert.Equal(t, map[string]time.Time{
					"cy":  cadencetest.Monday.Add(4*time.Hour + 15*time.Minute),
					"ana": cadencetest.Monday.Add(7*time.Hour + 15*time.Minute),
					"lea": cadencetest.Monday.Add(8*time.Hour + 15*time.Minute),
					"dan": cadencetest.Monday.Add(14*time.Hour + 15*time.Minute),
				}, o.PromptAt)
				assert.Equal(t, cadencetest.Monday.Add(17*time.Hour+15*time.Minute), o.ClosesAt, "the latest person's close")
				assert.False(t, o.Late)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := cadence.NextStep(tc.in)
			if tc.none {
				assert.False(t, ok, "got step %s", s.Kind)
				return
			}
			require.True(t, ok)
			tc.check(t, s)
		})
	}
}

// TestNextStepDoesNotMutateInput guards the purity of the planner.
func TestNextStepDoesNotMutateInput(t *testing.T) {
	triage := cadencetest.TriageRitual(t)
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	o := &cadence.Occurrence{
		ID: cadence.OccurrenceID("triage", fire), RitualID: "triage", Scheduled: fire, Status: cadence.StatusOpen,
		ClosesAt: fire.Add(4 * time.Hour), Expected: []string{"ana"},
		Prompted: map[string]time.Time{}, Reminded: map[string]int{},
	}
	snapshot := o.Clone()
	st := &cadence.RitualState{RitualID: "triage", Cursor: fire}
	s, ok := cadence.NextStep(cadence.PlanInput{Ritual: triage, State: st, Open: []*cadence.Occurrence{o}, Now: fire})
	require.True(t, ok)
	assert.Equal(t, cadence.StepPrompt, s.Kind)
	assert.Equal(t, snapshot, o)
	assert.Equal(t, &cadence.RitualState{RitualID: "triage", Cursor: fire}, st)
}
