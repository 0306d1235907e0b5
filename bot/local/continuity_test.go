package local_test

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/local"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// The real engine delivers a standup prompt to the local chat; the
// person's inbox shows it with their plan from the previous standup.
func TestStandupPromptShowsThePlanLastTime(t *testing.T) {
	rit := &cadence.Ritual{
		ID: "standup", Title: "Standup", Kind: cadence.KindStandup, Channel: "mlops",
		Location: mustLoad(t, "Europe/Zurich"), Participants: []string{"ana", "lena"},
		Questions: cadence.DefaultQuestions(cadence.KindStandup), Window: 3 * time.Hour, Lead: "lena",
	}
	sched, err := cadence.ParseSchedule("30 9 * * 1-5", rit.Location)
	require.NoError(t, err)
	rit.Spec, rit.Schedule = "30 9 * * 1-5", sched

	st, clock, chat := cadencetest.NewStore(), cadence.NewManualClock(start.Add(-30*time.Minute)), local.NewChat()
	eng, err := cadence.New(cadence.EngineConfig{
		Rituals: []*cadence.Ritual{rit}, Roster: testRoster(t), Store: st, Clock: clock,
		Logger: zerolog.Nop(), DefaultPlatform: local.Platform,
	})
	require.NoError(t, err)
	disp := cadence.NewDispatcher(st, clock, map[string]cadence.Chat{local.Platform: chat}, zerolog.Nop(), nil, cadence.WithLeads(eng.LeadOf), cadence.WithRenderer(eng))
	l := &live{harness: serve(t, "", eng, st, clock, chat), eng: eng, disp: disp}
	l.at(clock.Now()) // a new ritual starts from now

	l.at(start) // Mon 30 Nov
	_, err = eng.SubmitAnswer(context.Background(), cadence.AnswerInput{
		OccurrenceID: cadence.OccurrenceID("standup", start), PersonID: "ana", Via: "test",
		Responses: []cadence.Response{{QuestionID: "yesterday", Text: "eval report"}, {QuestionID: "today", Text: "canary the ranker"}},
	})
	require.NoError(t, err)
	l.dispatch()

	inbox := l.login("ana")
	assert.NotContains(t, inbox, "Your plan last time", "the first standup has no plan before it")

	l.at(start.AddDate(0, 0, 1)) // Tue 1 Dec
	_, inbox = l.get("/me")
	assert.Contains(t, inbox, "<h4>Your plan last time (Mon 30 Nov)</h4><ul><li>canary the ranker</li></ul>")
}
