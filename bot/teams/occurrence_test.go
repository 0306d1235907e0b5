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

// lossyChat delivers through the real adapter but loses the reply of the
// message with key crashAt and then fails everything: the process died in
// the middle of a fan-out, after Teams had the message.
type lossyChat struct {
	*teams.Adapter
	crashAt string
	dead    bool
}

var errCrashed = errors.New("process crashed")

func (c *lossyChat) Send(ctx context.Context, m *cadence.Message, thread cadence.Ref) (cadence.Ref, error) {
	if c.dead {
		return cadence.Ref{}, errCrashed
	}
	ref, err := c.Adapter.Send(ctx, m, thread)
	if m.Key == c.crashAt && err == nil {
		c.dead = true
		return cadence.Ref{}, errCrashed
	}
	return ref, err
}

// TestFullOccurrenceInTeams runs one standup through the real engine and
// dispatcher into the adapter and the fake Bot Connector: agenda, summary
// and prompts fanned out, a crash in the middle of the fan-out, a restart
// with no duplicate, a person without the app reported to the lead, an
// answer by signed card submit, the summary updated in place, a reminder.
func TestFullOccurrenceInTeams(t *testing.T) {
	ctx := context.Background()
	fc := newFakeConnector(t)
	st := cadencetest.NewStore()
	clock := cadence.NewManualClock(t0.Add(-time.Minute))
	log := zerolog.New(zerolog.NewTestWriter(t))

	people := []*cadence.Person{
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: time.UTC, Handles: cadence.Handles{TeamsID: "aad-ana"}},
		{ID: "ben", Name: "Ben", Role: cadence.RoleSpecialist, Location: time.UTC, Handles: cadence.Handles{TeamsID: "29:ben"}},
		{ID: "cem", Name: "Cem", Role: cadence.RoleSpecialist, Location: time.UTC, Handles: cadence.Handles{TeamsID: "29:cem"}},
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: time.UTC, Handles: cadence.Handles{TeamsID: "29:lea"}},
	}
	sched, err := cadence.ParseSchedule("30 8 * * 1-5", time.UTC)
	require.NoError(t, err)
	ritual := &cadence.Ritual{ID: "standup", Title: "Daily standup", Kind: cadence.KindStandup, Platform: teams.Platform,
		Channel: channelID, Spec: "30 8 * * 1-5", Schedule: sched, Location: time.UTC,
		Participants: []string{"ana", "ben", "cem"}, Lead: "lea", Questions: cadence.DefaultQuestions(cadence.KindStandup),
		Window: 4 * time.Hour, Reminders: []time.Duration{time.Hour}}

	// start builds the whole app on the shared store: first boot or restart.
	start := func(wrap func(*teams.Adapter) cadence.Chat) (*cadence.Engine, *teams.Adapter, *cadence.Dispatcher) {
		eng, err := cadence.New(cadence.EngineConfig{Rituals: []*cadence.Ritual{ritual}, Roster: cadence.NewRoster(people),
			Store: st, Clock: clock, Logger: log})
		require.NoError(t, err)
		a, err := teams.New(fc.config(), eng, st, clock, log)
		require.NoError(t, err)
		var chat cadence.Chat = a
		if wrap != nil {
			chat = wrap(a)
		}
		d := cadence.NewDispatcher(st, clock, map[string]cadence.Chat{teams.Platform: chat}, log, nil, cadence.WithLeads(eng.LeadOf), cadence.WithDirectory(eng), cadence.WithRenderer(eng))
		return eng, a, d
	}
	e := &env{t: t, fc: fc, clock: clock}
	deliver := func(h http.Handler, act map[string]any) {
		t.Helper()
		e.h = h
		rec := e.deliver(act)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	}

	// First boot: the team, Ana, Ben and Lea have the app; Cem has not.
	var lossy *lossyChat
	eng, a, d := start(func(a *teams.Adapter) cadence.Chat { lossy = &lossyChat{Adapter: a}; return lossy })
	require.NoError(t, eng.Tick(ctx)) // a new ritual starts counting from now
	deliver(a.Handler(), e.teamInstall())
	for _, u := range []map[string]any{ana, ben, user("29:lea", "aad-lea", "Lea")} {
		deliver(a.Handler(), e.personalInstall(u))
	}
	welcomes := len(fc.posts())

	// The standup opens; the dispatcher delivers the agenda, then
	// "crashes" just after Teams accepted Ana's prompt.
	lossy.crashAt = cadence.PromptKey(occID, "ana")
	clock.Set(t0)
	require.NoError(t, eng.Tick(ctx))
	delivered := func() []sent { p := fc.posts(); return p[welcomes:] }
	_, err = d.RunOnce(ctx)
	require.NoError(t, err)
	require.True(t, lossy.dead, "the fan-out reached Ana's prompt")
	before := delivered()
	var paths []string
	for _, s := range before {
		paths = append(paths, s.Path)
	}
	require.Len(t, before, 2, "the agenda, then Ana's prompt (the outbox goes in key order): %v", paths)

	// Restart: a new engine, adapter and dispatcher on the same store.
	clock.Advance(time.Minute)
	eng, a, d = start(nil)
	for range 3 {
		_, err := d.RunOnce(ctx)
		require.NoError(t, err)
		clock.Advance(10 * time.Second)
	}
	after := delivered()

	count := func(ss []sent, pred func(s sent) bool) int {
		n := 0
		for _, s := range ss {
			if pred(s) {
				n++
			}
		}
		return n
	}
	isPromptTo := func(conv string) func(s sent) bool {
		return func(s sent) bool { return s.Conv == conv && strings.Contains(card(t, s), "Submit answers") }
	}
	assert.Equal(t, 1, count(after, isPromptTo("a:1on1-29:ana")), "Ana's prompt exactly once")
	assert.Equal(t, 1, count(after, isPromptTo("a:1on1-29:ben")), "Ben's prompt exactly once")
	assert.Equal(t, 1, count(after, func(s sent) bool { return s.Conv == channelID && s.ID == "" }), "one agenda")
	assert.Equal(t, 1, count(after, func(s sent) bool { return s.Conv == channelID && s.ID != "" }), "one summary, in the agenda's thread")

	// Cem never installed the app: the prompt failed for good and Lea got
	// a notice naming the fix.
	var cem *cadence.Message
	require.NoError(t, st.View(ctx, func(tx cadence.Tx) error {
		cem, err = tx.Message(cadence.PromptKey(occID, "cem"))
		return err
	}))
	assert.Equal(t, cadence.StateFailed, cem.State)
	assert.Contains(t, cem.LastError, "app_not_installed")
	leaNotices := func() []sent {
		var out []sent
		for _, s := range delivered() {
			if s.Conv == "a:1on1-29:lea" && strings.Contains(card(t, s), "could not be delivered") {
				out = append(out, s)
			}
		}
		return out
	}
	require.Len(t, leaNotices(), 1)
	assert.Contains(t, card(t, leaNotices()[0]), "The prompt to Cem could not be delivered: the person has not installed the cadencebot Teams app. Ask them to add it in Teams")

	// Ana answers on her card (a signed submit to the restarted bot).
	var anaPrompt sent
	for _, s := range after {
		if isPromptTo("a:1on1-29:ana")(s) {
			anaPrompt = s
		}
	}
	var summaryID string
	for _, s := range after {
		if s.Conv == channelID && s.ID != "" {
			summaryID = s.NewID
		}
	}
	submit := e.submit(ana, anaPrompt.NewID, map[string]any{"action": "answer", "occurrence": occID,
		"q_yesterday": "Backfilled the feature store", "q_today": "Drift monitor", "q_blockers": "Waiting on the GPU quota"})
	deliver(a.Handler(), submit)
	_, answers, err := eng.Occurrence(ctx, occID)
	require.NoError(t, err)
	require.Len(t, answers, 1)
	assert.Equal(t, "teams-card", answers[0].Via)
	assert.Equal(t, "Waiting on the GPU quota", answers[0].Text("blockers"))
	assert.Equal(t, 0, answers[0].Edits)

	// Our 200 was lost: the connector delivers the same submit again.
	n := len(fc.requests())
	clock.Advance(15 * time.Second)
	deliver(a.Handler(), submit)
	_, answers, err = eng.Occurrence(ctx, occID)
	require.NoError(t, err)
	require.Len(t, answers, 1)
	assert.Equal(t, 0, answers[0].Edits, "a retry is not an edit")
	assert.Len(t, fc.requests(), n, "nor redrawn again")

	n = len(fc.requests())
	_, err = d.RunOnce(ctx)
	require.NoError(t, err)
	var putSummary, receipt bool
	for _, s := range fc.requests()[n:] {
		if s.Method == http.MethodPut && s.Conv == channelID && s.ID == summaryID {
			putSummary = true
			assert.Contains(t, card(t, s), "Waiting on the GPU quota")
		}
		if s.Method == http.MethodPost && s.Conv == "a:1on1-29:ana" && strings.Contains(card(t, s), "Answer received") {
			receipt = true
		}
	}
	assert.True(t, putSummary, "the summary is updated in place")
	assert.True(t, receipt, "Ana gets the engine's receipt")

	// An hour before close, Ben (who has not answered) is reminded, with
	// the questions on the card; Ana is not.
	clock.Set(t0.Add(3*time.Hour + time.Second))
	require.NoError(t, eng.Tick(ctx))
	n = len(fc.requests())
	_, err = d.RunOnce(ctx)
	require.NoError(t, err)
	var reminded []string
	for _, s := range fc.requests()[n:] {
		if strings.Contains(card(t, s), "Reminder: Daily standup") {
			reminded = append(reminded, s.Conv)
			assert.Contains(t, card(t, s), "q_yesterday")
		}
	}
	assert.Equal(t, []string{"a:1on1-29:ben"}, reminded)
}
