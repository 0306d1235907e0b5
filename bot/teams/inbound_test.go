package teams_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/cadence"
)

// card returns the Adaptive Card of a sent activity as JSON text.
func card(t *testing.T, s sent) string {
	t.Helper()
	require.Len(t, s.Activity.Attachments, 1, "one card per activity")
	assert.Equal(t, "application/vnd.microsoft.card.adaptive", s.Activity.Attachments[0].ContentType)
	b, err := json.Marshal(s.Activity.Attachments[0].Content)
	require.NoError(t, err)
	return string(b)
}

// cardInputs returns the values of a card's Input.Text elements by id.
func cardInputs(t *testing.T, s sent) map[string]string {
	t.Helper()
	var c struct{ Body []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(card(t, s)), &c))
	in := map[string]string{}
	for _, el := range c.Body {
		if el["type"] == "Input.Text" || el["type"] == "Input.ChoiceSet" {
			v, _ := el["value"].(string)
			in[el["id"].(string)] = v
		}
	}
	return in
}

func TestPersonalInstallThenPrompt(t *testing.T) {
	e := newEnv(t)
	rec := e.deliver(e.personalInstall(ana))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, []string{"user/29:ana", "user/aad-ana"}, e.refKeys())
	ref, err := teams.LookupUserRef(context.Background(), e.st, "aad-ana")
	require.NoError(t, err)
	assert.Equal(t, teams.ConversationRef{ServiceURL: e.fc.srv.URL, ConversationID: "a:1on1-29:ana", TenantID: testTenant,
		UserID: "29:ana", AADObjectID: "aad-ana", BotID: botID, Name: "Ana", UpdatedAt: t0}, *ref)

	reqs := e.fc.requests()
	require.Len(t, reqs, 1, "a welcome card")
	assert.Equal(t, "a:1on1-29:ana", reqs[0].Conv)
	assert.Contains(t, card(t, reqs[0]), "Hi, I'm cadencebot")

	m := promptMessage("ana")
	got, err := e.a.Send(context.Background(), m, cadence.Ref{})
	require.NoError(t, err)
	reqs = e.fc.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, cadence.Ref{Channel: "a:1on1-29:ana", ID: "1700000000002"}, got)
	assert.Equal(t, "POST", reqs[1].Method)
	assert.Equal(t, "/v3/conversations/a:1on1-29:ana/activities", reqs[1].Path)
	assert.Equal(t, map[string]string{"q_yesterday": "", "q_today": "", "q_blockers": ""}, cardInputs(t, reqs[1]))
}

func promptMessage(person string) *cadence.Message {
	return &cadence.Message{Key: cadence.MessageKey("occ", occID, "prompt", person), Kind: cadence.KindPrompt,
		Platform: teams.Platform, To: cadence.Recipient{Person: person}, RitualID: "standup", OccurrenceID: occID,
		Body: cadence.Body{Title: "Daily standup", Text: "Your answers, please", Questions: cadence.DefaultQuestions(cadence.KindStandup),
			Actions: []cadence.Action{{ID: cadence.ActionAnswer, Label: "Answer", Value: occID}, {ID: cadence.ActionDecline, Label: "Skip", Value: occID}}}}
}

func TestTeamInstallOpensProactiveChats(t *testing.T) {
	e := newEnv(t)
	require.Equal(t, http.StatusOK, e.deliver(e.teamInstall(ben)).Code)
	assert.Equal(t, []string{"channel/19:standup@thread.tacv2", "team/19:standup@thread.tacv2", "user/29:ana", "user/29:ben", "user/aad-ana", "user/aad-ben"}, e.refKeys())
	assert.Empty(t, e.fc.requests(), "no welcome in a channel")

	for i := range 2 {
		_, err := e.a.Send(context.Background(), &cadence.Message{Key: fmt.Sprintf("reminder-%d", i), Kind: cadence.KindReminder,
			To: cadence.Recipient{Person: "ben"}, Body: cadence.Body{Title: "Reminder"}}, cadence.Ref{})
		require.NoError(t, err)
	}
	reqs := e.fc.requests()
	require.Len(t, reqs, 3, "one conversation created, then reused")
	assert.Equal(t, "/v3/conversations", reqs[0].Path)
	assert.JSONEq(t, `{"bot":{"id":"`+botID+`"},"members":[{"id":"29:ben"}],"isGroup":false,"tenantId":"`+testTenant+`","channelData":{"tenant":{"id":"`+testTenant+`"}}}`, string(reqs[0].Raw))
	assert.Equal(t, "a:1on1-ben", reqs[1].Conv)
	assert.Equal(t, "a:1on1-ben", reqs[2].Conv)

	// The channel is known by ID, and by name through the team's channel
	// list (the team's first channel is listed as General).
	e.fc.addTeam(channelID)
	for _, ch := range []string{channelID, "General"} {
		ref, err := e.a.Send(context.Background(), &cadence.Message{Key: "agenda-" + ch, Kind: cadence.KindAgenda,
			To: cadence.Recipient{Channel: ch}, Body: cadence.Body{Title: "Agenda"}}, cadence.Ref{})
		require.NoError(t, err)
		assert.Equal(t, channelID, ref.Channel)
	}
}

func TestUnreachablePeopleArePermanentFailures(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, person, code string
		setup              func(e *env)
		wantInMsg          []string
	}{
		{"no reference", "ben", "app_not_installed", nil, []string{"Ben (ben) has not installed the cadencebot Teams app", "Apps → Built for your org"}},
		{"no Teams ID", "noteams", "no_teams_id", nil, []string{"Nils (noteams) has no Teams ID"}},
		{"unknown person", "ghost", "unknown_person", nil, []string{`"ghost" is not on the roster`}},
		{"Teams refuses the 1:1 chat", "ben", "app_not_installed", func(e *env) {
			require.Equal(t, http.StatusOK, e.deliver(e.teamInstall(ben)).Code)
			e.fc.forbidden["29:ben"] = true
		}, []string{"Ben (ben) has not installed", "Teams refused to open a 1:1 chat: The bot is not part of the conversation roster. (HTTP 403 Forbidden)"}},
		{"the 1:1 chat is gone", "ana", "app_not_installed", func(e *env) {
			require.Equal(t, http.StatusOK, e.deliver(e.personalInstall(ana)).Code)
			e.fc.fail(reply{status: http.StatusForbidden, body: `{"error":{"code":"BotDisabledByAdmin","message":"The bot is blocked"}}`})
		}, []string{"Ana (ana) has not installed", "BotDisabledByAdmin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.setup != nil {
				tt.setup(e)
			}
			before := len(e.fc.requests())
			_, err := e.a.Send(ctx, promptMessage(tt.person), cadence.Ref{})
			var se *cadence.SendError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.code, se.Code)
			assert.False(t, se.Retryable)
			for _, w := range tt.wantInMsg {
				assert.Contains(t, err.Error(), w)
			}
			if tt.setup == nil {
				assert.Len(t, e.fc.requests(), before, "nothing sent")
			}
		})
	}
}

func TestUnknownPersonWithServiceURLTriesProactiveChat(t *testing.T) {
	e := newEnv(t)
	cfg := e.fc.config()
	cfg.ServiceURL = e.fc.srv.URL
	a, err := teams.New(cfg, e.svc, e.st, e.clock, zerolog.New(zerolog.NewTestWriter(t)))
	require.NoError(t, err)
	ref, err := a.Send(context.Background(), promptMessage("ben"), cadence.Ref{})
	require.NoError(t, err)
	assert.Equal(t, "a:1on1-ben", ref.Channel)
}

func TestCardSubmitStoresAnswerAndRedrawsCard(t *testing.T) {
	e := newEnv(t)
	require.Equal(t, http.StatusOK, e.deliver(e.personalInstall(ana)).Code)
	rec := e.deliver(e.submit(ana, "1700000000042", map[string]any{"action": "answer", "occurrence": occID,
		"q_today": "ship the drift monitor", "q_yesterday": "fixed the feature store backfill", "q_blockers": ""}))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	require.Len(t, e.svc.submits, 1)
	assert.Equal(t, cadence.AnswerInput{OccurrenceID: occID, PersonID: "ana", Via: "teams-card", Responses: []cadence.Response{
		{QuestionID: "yesterday", Text: "fixed the feature store backfill"}, {QuestionID: "today", Text: "ship the drift monitor"},
		{QuestionID: "blockers", Text: ""}}}, e.svc.submits[0])

	reqs := e.fc.requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, "PUT", last.Method, "the submitted card is updated in place")
	assert.Equal(t, "a:1on1-29:ana", last.Conv)
	assert.Equal(t, "1700000000042", last.ID)
	assert.Contains(t, card(t, last), "✓ Saved at 09:30") // Ana is in Zurich
	assert.Contains(t, card(t, last), "Update answers")
	assert.Equal(t, "ship the drift monitor", cardInputs(t, last)["q_today"])
}

func TestCardSubmitWithErrorsKeepsTypedValues(t *testing.T) {
	e := newEnv(t)
	long := make([]byte, cadence.MaxAnswerLen+1)
	for i := range long {
		long[i] = 'x'
	}
	rec := e.deliver(e.submit(ana, "1700000000042", map[string]any{"action": "answer", "occurrence": occID,
		"q_yesterday": "  ", "q_today": string(long), "q_blockers": "waiting on the data contract"}))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Empty(t, e.svc.answers, "nothing stored")

	reqs := e.fc.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "PUT", reqs[0].Method)
	c := card(t, reqs[0])
	assert.Contains(t, c, "⚠ this question needs an answer")
	assert.Contains(t, c, "⚠ answer is too long: 4001 characters, the limit is 4000")
	assert.Equal(t, "waiting on the data contract", cardInputs(t, reqs[0])["q_blockers"])
	assert.Equal(t, string(long), cardInputs(t, reqs[0])["q_today"])
}

func TestCardButtons(t *testing.T) {
	t.Run("answer on a channel agenda opens the prompt in the 1:1 chat", func(t *testing.T) {
		e := newEnv(t)
		require.Equal(t, http.StatusOK, e.deliver(e.personalInstall(ana)).Code)
		e.svc.answers["ana"] = &cadence.Answer{PersonID: "ana", Responses: []cadence.Response{{QuestionID: "today", Text: "earlier text"}}}
		act := e.channelMention(ana, "")
		act["value"] = map[string]any{"action": "answer", "occurrence": occID}
		act["replyToId"] = "1700000000007"
		require.Equal(t, http.StatusOK, e.deliver(act).Code)
		reqs := e.fc.requests()
		last := reqs[len(reqs)-1]
		assert.Equal(t, "POST", last.Method)
		assert.Equal(t, "/v3/conversations/a:1on1-29:ana/activities", last.Path, "prompt goes to the 1:1 chat, not the channel")
		assert.Equal(t, "earlier text", cardInputs(t, last)["q_today"], "pre-filled for editing")
		assert.Contains(t, card(t, last), "Please answer by Mon 30 Nov 13:30 CET.")
	})
	t.Run("decline", func(t *testing.T) {
		e := newEnv(t)
		require.Equal(t, http.StatusOK, e.deliver(e.submit(ben, "1700000000042", map[string]any{"action": "decline", "occurrence": occID})).Code)
		assert.Equal(t, []string{"ben:declined in Teams"}, e.svc.declines)
		assert.Empty(t, e.fc.requests(), "the engine's receipt confirms, through the outbox")
	})
	t.Run("closed occurrence", func(t *testing.T) {
		e := newEnv(t)
		e.svc.occ.ID = "other"
		require.Equal(t, http.StatusOK, e.deliver(e.submit(ana, "1", map[string]any{"action": "answer", "occurrence": occID, "q_today": "x"})).Code)
		reqs := e.fc.requests()
		require.Len(t, reqs, 1)
		assert.Contains(t, card(t, reqs[0]), "I don't know this ritual occurrence any more.")
	})
	t.Run("stranger", func(t *testing.T) {
		e := newEnv(t)
		require.Equal(t, http.StatusOK, e.deliver(e.submit(user("29:zed", "aad-zed", "Zed"), "1", map[string]any{"action": "answer", "occurrence": occID, "q_today": "x"})).Code)
		assert.Empty(t, e.svc.submits)
		reqs := e.fc.requests()
		require.Len(t, reqs, 1)
		assert.Contains(t, card(t, reqs[0]), "add your Teams ID (aad-zed)")
	})
}

func TestCommands(t *testing.T) {
	var got []string
	var actors []string
	runner := func(_ context.Context, _ cadence.Service, p *cadence.Person, text string, _ time.Time) (bot.Reply, error) {
		got = append(got, text)
		id := "<nil>"
		if p != nil {
			id = p.ID
		}
		actors = append(actors, id)
		return bot.Reply{Title: "ran " + text}, nil
	}
	e := newEnv(t, teams.WithCommandRunner(runner))

	mention := e.channelMention(ana, "skip  standup&nbsp;<b>offsite</b>")
	require.Equal(t, http.StatusOK, e.deliver(mention).Code)
	plain := e.base("message", channelID+";messageid=5", "channel", ben)
	plain["text"] = "status"
	require.Equal(t, http.StatusOK, e.deliver(plain).Code, "channel chatter without a mention")
	require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(ben, " status ")).Code)

	assert.Equal(t, []string{"skip standup offsite", "status"}, got)
	assert.Equal(t, []string{"ana", "ben"}, actors)
	reqs := e.fc.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/v3/conversations/"+channelID+";messageid=1700000000099/activities/"+mention["id"].(string), reqs[0].Path, "a reply in the thread")
	assert.Contains(t, card(t, reqs[0]), "ran skip standup offsite")
	assert.Equal(t, "a:1on1-29:ben", reqs[1].Conv)
}

func TestHelpThroughSharedGrammar(t *testing.T) {
	e := newEnv(t)
	require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(ana, "frobnicate")).Code)
	reqs := e.fc.requests()
	require.Len(t, reqs, 1)
	assert.Contains(t, card(t, reqs[0]), `I don't know the command \"frobnicate\"`)
	assert.Contains(t, card(t, reqs[0]), "attention", "a refusal is styled as such")
}

func TestOtherTenantIsRefused(t *testing.T) {
	e := newEnv(t)
	act := e.personalMessage(ana, "help")
	act["channelData"] = map[string]any{"tenant": map[string]any{"id": "other-tenant"}}
	assert.Equal(t, http.StatusForbidden, e.deliver(act).Code)
	assert.Empty(t, e.refKeys())
	assert.Empty(t, e.fc.requests())
}

func TestUninstallForgetsReferences(t *testing.T) {
	e := newEnv(t)
	require.Equal(t, http.StatusOK, e.deliver(e.personalInstall(ana)).Code)
	require.NotEmpty(t, e.refKeys())
	act := e.base("installationUpdate", "a:1on1-29:ana", "personal", ana)
	act["action"] = "remove"
	require.Equal(t, http.StatusOK, e.deliver(act).Code)
	assert.Empty(t, e.refKeys())
	_, err := e.a.Send(context.Background(), promptMessage("ana"), cadence.Ref{})
	var se *cadence.SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "app_not_installed", se.Code)
}

// A typed card comes back as Teams sends it: a multi-select's values
// joined by commas (our option indices), a number; the adapter hands the
// engine the options themselves.
func TestCardSubmitTypedInputs(t *testing.T) {
	e := newEnv(t)
	e.svc.ritual.Questions = append(cadence.DefaultQuestions(cadence.KindStandup),
		cadence.Question{ID: "areas", Text: "Areas?", Type: cadence.QuestionMulti, Options: []string{"Drift, data", "Latency", "Cost"}},
		cadence.Question{ID: "gpus", Text: "GPU hours?", Type: cadence.QuestionNumber})
	require.Equal(t, http.StatusOK, e.deliver(e.personalInstall(ana)).Code)
	rec := e.deliver(e.submit(ana, "1700000000042", map[string]any{"action": "answer", "occurrence": occID,
		"q_today": "ship", "q_yesterday": "fixed", "q_blockers": "", "q_areas": "0,2", "q_gpus": 12.5}))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Len(t, e.svc.submits, 1)
	got := map[string]string{}
	for _, r := range e.svc.submits[0].Responses {
		got[r.QuestionID] = r.Text
	}
	assert.Equal(t, "Drift, data\nCost", got["areas"])
	assert.Equal(t, "12.5", got["gpus"])
	assert.Equal(t, "0,2", cardInputs(t, e.fc.requests()[len(e.fc.requests())-1])["q_areas"], "the redrawn card keeps the choices")
}
