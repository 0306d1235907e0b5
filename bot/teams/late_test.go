package teams_test

import (
	"context"
	"errors"
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

// downChat is the Bot Connector out of reach while *down.
type downChat struct {
	*teams.Adapter
	down *bool
}

func (c downChat) Send(ctx context.Context, m *cadence.Message, thread cadence.Ref) (cadence.Ref, error) {
	if *c.down {
		return cadence.Ref{}, &cadence.SendError{Retryable: true, Code: "unreachable", Err: errors.New("dial tcp: connection refused")}
	}
	return c.Adapter.Send(ctx, m, thread)
}

// An outage that outlasts the window: once Teams is reachable, no
// reminder goes out, the prompt card says the standup closed and takes a
// late answer, the agenda's "Answer late" opens that card for someone
// else, and a late answer cannot be edited.
func TestTeamsOutageThenLateAnswer(t *testing.T) {
	ctx := context.Background()
	fc := newFakeConnector(t)
	st := cadencetest.NewStore()
	clock := cadence.NewManualClock(t0.Add(-time.Minute))
	log := zerolog.New(zerolog.NewTestWriter(t))
	people := []*cadence.Person{
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: time.UTC, Handles: cadence.Handles{TeamsID: "aad-ana"}},
		{ID: "ben", Name: "Ben", Role: cadence.RoleSpecialist, Location: time.UTC, Handles: cadence.Handles{TeamsID: "29:ben"}},
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: time.UTC, Handles: cadence.Handles{TeamsID: "29:lea"}},
	}
	sched, err := cadence.ParseSchedule("30 8 * * 1-5", time.UTC)
	require.NoError(t, err)
	ritual := &cadence.Ritual{ID: "standup", Title: "Daily standup", Kind: cadence.KindStandup, Platform: teams.Platform,
		Channel: channelID, Spec: "30 8 * * 1-5", Schedule: sched, Location: time.UTC,
		Participants: []string{"ana", "ben"}, Lead: "lea", Questions: cadence.DefaultQuestions(cadence.KindStandup),
		Window: 4 * time.Hour, Reminders: []time.Duration{time.Hour}}
	eng, err := cadence.New(cadence.EngineConfig{Rituals: []*cadence.Ritual{ritual}, Roster: cadence.NewRoster(people),
		Store: st, Clock: clock, Logger: log})
	require.NoError(t, err)
	a, err := teams.New(fc.config(), eng, st, clock, log)
	require.NoError(t, err)
	down := false
	d := cadence.NewDispatcher(st, clock, map[string]cadence.Chat{teams.Platform: downChat{Adapter: a, down: &down}}, log, nil)
	e := &env{t: t, fc: fc, clock: clock, h: a.Handler()}
	deliver := func(act map[string]any) {
		t.Helper()
		rec := e.deliver(act)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	}
	run := func(at time.Time) {
		t.Helper()
		clock.Set(at)
		require.NoError(t, eng.Tick(ctx))
		_, err := d.RunOnce(ctx)
		require.NoError(t, err)
	}

	run(t0.Add(-time.Minute))
	deliver(e.teamInstall())
	deliver(e.personalInstall(ana))
	deliver(e.personalInstall(ben))
	n := len(fc.requests())

	down = true
	for _, at := range []time.Time{t0, t0.Add(3 * time.Hour), t0.Add(4 * time.Hour)} {
		run(at)
	}
	require.Len(t, fc.requests(), n, "nothing reached Teams during the outage")
	down = false
	run(t0.Add(5 * time.Hour))

	var anaPrompt, agenda sent
	for _, s := range fc.requests()[n:] {
		c := card(t, s)
		assert.NotContains(t, c, "Reminder: Daily standup", "no reminder after the close")
		switch {
		case s.Conv == "a:1on1-29:ana" && strings.Contains(c, "This closed at"):
			anaPrompt = s
		case s.Conv == channelID && s.ID == "":
			agenda = s
		}
	}
	require.NotEmpty(t, anaPrompt.NewID, "Ana's prompt arrived, reworded")
	c := card(t, anaPrompt)
	assert.Contains(t, c, "This closed at Mon 30 Nov 12:30 UTC, before this message could reach you. You can still answer late until Mon 7 Dec 12:30 UTC")
	assert.Contains(t, c, "Submit late answers")
	assert.NotContains(t, c, "Skip this one")
	assert.Contains(t, card(t, agenda), "Answer late")
	assert.NotContains(t, card(t, agenda), "is open")

	// Ana answers on the late card; it is redrawn without inputs.
	n = len(fc.requests())
	deliver(e.submit(ana, anaPrompt.NewID, map[string]any{"action": "answer", "occurrence": occID,
		"q_yesterday": "Backfilled the feature store", "q_today": "Drift monitor", "q_blockers": ""}))
	_, answers, err := eng.Occurrence(ctx, occID)
	require.NoError(t, err)
	require.Len(t, answers, 1)
	assert.True(t, answers[0].SubmittedAt.After(t0.Add(4*time.Hour)), "counted late")
	redraw := fc.requests()[n:]
	require.Len(t, redraw, 1)
	assert.Equal(t, http.MethodPut, redraw[0].Method)
	assert.Contains(t, card(t, redraw[0]), "after the close: your answer counts as late and can no longer be edited.")
	assert.Empty(t, cardInputs(t, redraw[0]))

	// Ben presses the agenda's "Answer late": the late card, in his chat.
	n = len(fc.requests())
	deliver(e.channelSubmit(ben, channelID, agenda.NewID, map[string]any{"action": "answer", "occurrence": occID}))
	var benCard string
	for _, s := range fc.requests()[n:] {
		if s.Conv == "a:1on1-29:ben" {
			benCard = card(t, s)
		}
	}
	assert.Contains(t, benCard, "You can still answer late until Mon 7 Dec 12:30 UTC")
	assert.Contains(t, benCard, "Submit late answers")

	// Ana's second submit is an edit after the close: refused, in words.
	n = len(fc.requests())
	deliver(e.submit(ana, anaPrompt.NewID, map[string]any{"action": "answer", "occurrence": occID,
		"q_yesterday": "Changed my mind", "q_today": "x", "q_blockers": ""}))
	var refusal string
	for _, s := range fc.requests()[n:] {
		refusal += card(t, s)
	}
	assert.Contains(t, refusal, "Your answer to Daily standup can no longer be edited: it closed Mon 30 Nov 12:30 UTC.")
}
