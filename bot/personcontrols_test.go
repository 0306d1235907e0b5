package bot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// controlsBot is the real engine with one ritual open: Tuesday 1 Dec
// 14:00 Zurich (13:00 UTC), a 4 h window.
type controlsBot struct {
	ctx   context.Context
	clock *cadence.ManualClock
	eng   *cadence.Engine
	svc   cadence.Service
	occ   string
}

func newControlsBot(t *testing.T) *controlsBot {
	roster := cadence.NewRoster([]*cadence.Person{
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: zurich},
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: mustLoad("Europe/Bucharest")},
		{ID: "bo", Name: "Bo", Role: cadence.RoleSpecialist, Location: mustLoad("Europe/Warsaw"), Language: "pl"},
	})
	opened := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
	clock := cadence.NewManualClock(opened.Add(-time.Hour))
	sched, err := cadence.ParseSchedule("0 14 * * 2", zurich)
	require.NoError(t, err)
	rituals := []*cadence.Ritual{{ID: "deploy", Title: "Deployment planning", Kind: cadence.KindDeploymentPlanning, Channel: "deploy",
		Schedule: sched, Participants: []string{"lea", "ana", "bo"}, Questions: cadence.DefaultQuestions(cadence.KindDeploymentPlanning), Window: 4 * time.Hour}}
	eng, err := cadence.New(cadence.EngineConfig{Rituals: rituals, Roster: roster, Store: cadencetest.NewStore(), Clock: clock, Logger: zerolog.Nop()})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, eng.Tick(ctx))
	clock.Set(opened)
	require.NoError(t, eng.Tick(ctx))
	b := &controlsBot{ctx: ctx, clock: clock, eng: eng, svc: eng, occ: cadence.OccurrenceID("deploy", opened)}
	o, _, err := eng.Occurrence(ctx, b.occ)
	require.NoError(t, err)
	require.Equal(t, cadence.StatusOpen, o.Status)
	return b
}

func (b *controlsBot) person(id string) *cadence.Person { return b.svc.Roster().Person(id) }

func TestSnoozeClick(t *testing.T) {
	b := newControlsBot(t)
	res, err := bot.SnoozeClick(b.ctx, b.svc, b.person("ana"), b.occ, cadence.ActionSnoozeHour)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC), res.Until.UTC())
	assert.Equal(t, "Snoozed: I will remind you about Deployment planning on Tue 1 Dec 16:00 EET.", res.Text)

	res, err = bot.SnoozeClick(b.ctx, b.svc, b.person("bo"), b.occ, cadence.ActionSnoozeHour)
	require.NoError(t, err)
	assert.True(t, res.Snoozed())
	assert.Contains(t, res.Text, "Odłożone: przypomnę ci o Deployment planning", "in Bo's language")

	// An answered prompt: said so, nothing queued.
	r := b.svc.Ritual("deploy")
	var rs []cadence.Response
	for _, q := range r.Questions {
		rs = append(rs, cadence.Response{QuestionID: q.ID, Text: "yes"})
	}
	_, err = b.svc.SubmitAnswer(b.ctx, cadence.AnswerInput{OccurrenceID: b.occ, PersonID: "lea", Responses: rs, Via: "test"})
	require.NoError(t, err)
	res, err = bot.SnoozeClick(b.ctx, b.svc, b.person("lea"), b.occ, cadence.ActionSnoozeTomorrow)
	require.NoError(t, err)
	assert.False(t, res.Snoozed())
	assert.Equal(t, "You already answered Deployment planning; there is nothing to snooze.", res.Text)

	// Closed: said so.
	b.clock.Set(time.Date(2026, 12, 3, 13, 0, 0, 0, time.UTC))
	require.NoError(t, b.eng.Tick(b.ctx))
	res, err = bot.SnoozeClick(b.ctx, b.svc, b.person("ana"), b.occ, cadence.ActionSnoozeHour)
	require.NoError(t, err)
	assert.False(t, res.Snoozed())
	assert.Equal(t, "Deployment planning is closed; there is nothing to snooze.", res.Text)

	_, err = bot.SnoozeClick(b.ctx, b.svc, b.person("ana"), b.occ, cadence.ActionAnswer)
	require.ErrorIs(t, err, cadence.ErrInvalidInput)
}

func TestSubmitOOOValidates(t *testing.T) {
	b := newControlsBot(t) // today: Tue 1 Dec 2026
	tests := []struct {
		name       string
		form       bot.OOOForm
		field, msg string
	}{
		{"no from", bot.OOOForm{To: "2026-12-04"}, bot.OOOFieldFrom, "Pick a day."},
		{"no to", bot.OOOForm{From: "2026-12-04"}, bot.OOOFieldTo, "Pick a day."},
		{"not a date", bot.OOOForm{From: "4/12/2026", To: "2026-12-04"}, bot.OOOFieldFrom, "4/12/2026 is not a date (YYYY-MM-DD)."},
		{"to before from", bot.OOOForm{From: "2026-12-04", To: "2026-12-02"}, bot.OOOFieldTo, "The last day is before the first (Fri 4 Dec 2026)."},
		{"over already", bot.OOOForm{From: "2026-11-20", To: "2026-11-30"}, bot.OOOFieldTo, "That day is past (today is Tue 1 Dec 2026)."},
		{"too long", bot.OOOForm{From: "2026-12-01", To: "2028-12-01"}, bot.OOOFieldTo, "That is 732 days; the limit is 366."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bot.SubmitOOO(b.ctx, b.svc, b.person("ana"), b.occ, tt.form, b.clock.Now())
			var fe cadence.FieldErrors
			require.True(t, errors.As(err, &fe), "got %v", err)
			assert.Equal(t, cadence.FieldErrors{tt.field: tt.msg}, fe)
		})
	}
	st, err := b.svc.Status(b.ctx, "ana")
	require.NoError(t, err)
	assert.Empty(t, st.OutOfOffice, "nothing recorded")

	_, err = bot.SubmitOOO(b.ctx, b.svc, b.person("bo"), b.occ, bot.OOOForm{From: "2026-12-04", To: "2026-12-02"}, b.clock.Now())
	assert.EqualError(t, err, "invalid input: ooo_to: Ostatni dzień jest przed pierwszym (pt., 4 gru 2026).")
}

func TestSubmitOOORecordsAndExcuses(t *testing.T) {
	b := newControlsBot(t)
	form := bot.OOOFormFor(b.person("ana"), b.clock.Now())
	assert.Equal(t, bot.OOOForm{From: "2026-12-01", To: "2026-12-01"}, form, "today in Ana's zone")
	form.To, form.Note = "2026-12-04", " conference "
	res, err := bot.SubmitOOO(b.ctx, b.svc, b.person("ana"), b.occ, form, b.clock.Now())
	require.NoError(t, err)
	assert.True(t, res.Excused)
	assert.Equal(t, "Out of office from Tue 1 Dec 2026 to Fri 4 Dec 2026: no prompts or reminders on those days. "+
		"/cadence ooo cancel 2026-12-01 takes it back. You are excused from Deployment planning.", res.Text)
	st, err := b.svc.Status(b.ctx, "ana")
	require.NoError(t, err)
	assert.Equal(t, []cadence.DateRange{{From: date("2026-12-01"), To: date("2026-12-04"), Note: "conference"}}, st.OutOfOffice)
	o, _, err := b.svc.Occurrence(b.ctx, b.occ)
	require.NoError(t, err)
	assert.Contains(t, o.Excused, "ana")

	// A range that starts tomorrow leaves today's prompt waiting.
	res, err = bot.SubmitOOO(b.ctx, b.svc, b.person("bo"), b.occ, bot.OOOForm{From: "2026-12-02", To: "2026-12-02"}, b.clock.Now())
	require.NoError(t, err)
	assert.False(t, res.Excused)
	assert.Contains(t, res.Text, "Deployment planning nie mieści się w tym okresie")
}
