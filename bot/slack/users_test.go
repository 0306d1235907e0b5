package slack_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
)

func TestStartResolvesRosterAndCachesIt(t *testing.T) {
	e := newEnv(t)
	// dee has a Slack id but no zone in the roster.
	dee := &cadence.Person{ID: "dee", Name: "Dee", Role: cadence.RoleSpecialist, Handles: cadence.Handles{SlackID: "U0DEE0004"}}
	e.fake.AddUser(slacktest.User{ID: "U0DEE0004", Name: "dee", TZ: "Asia/Almaty"})
	e.svc.roster = cadence.NewRoster(append(e.svc.roster.People(), dee))
	e.start()

	assert.Equal(t, 2, e.fake.Calls("users.lookupByEmail"), "bo and cy have emails")
	assert.Equal(t, 1, e.fake.Calls("users.info"), "only dee needs a zone from Slack")
	assert.Equal(t, "Europe/Warsaw", e.svc.roster.Person("bo").Location.String(), "zone from the Slack profile")
	assert.Equal(t, "Asia/Almaty", e.svc.roster.Person("dee").Location.String())
	assert.Equal(t, "Europe/Bucharest", e.svc.roster.Person("ana").Location.String(), "the roster's zone wins")
	logs := e.logs.String()
	assert.Contains(t, logs, `"person":"cy","name":"Cy Unknown"`)
	assert.Contains(t, logs, "users_not_found")
	assert.Contains(t, logs, `"resolved":4,"missing":1`, "one unknown email does not stop the rest")

	// A restart with the same store asks Slack only about the unknown.
	e2 := newEnv(t)
	e2.fake, e2.cfg.APIURL, e2.store, e2.svc = e.fake, e.fake.URL, e.store, newService(t, e.clock)
	e2.svc.roster = cadence.NewRoster(append(e2.svc.roster.People(), &cadence.Person{ID: "dee", Handles: dee.Handles}))
	e2.a = e2.newAdapter()
	e2.start()
	assert.Equal(t, 3, e.fake.Calls("users.lookupByEmail"), "only cy is looked up again")
	assert.Equal(t, 1, e.fake.Calls("users.info"))
	assert.Equal(t, "Asia/Almaty", e2.svc.roster.Person("dee").Location.String(), "the cached zone is applied")

	// cy cannot be prompted: a permanent error naming the problem.
	_, err := e2.a.Send(e2.ctx(), prompt("occ/standup/prompt/cy", "cy", occOpen), cadence.Ref{})
	var se *cadence.SendError
	require.ErrorAs(t, err, &se)
	assert.False(t, se.Retryable)
	assert.Equal(t, "users_not_found", se.Code)
}

func TestStartRefusesABadBotToken(t *testing.T) {
	e := newEnv(t)
	e.cfg.BotToken = "xoxb-0000-wrong-token-value"
	a := e.newAdapter()
	err := a.Start(e.ctx())
	require.Error(t, err)
	assert.Equal(t, "slack refused SLACK_BOT_TOKEN (invalid_auth): check the token and that the app is installed", err.Error())
	assert.NotContains(t, err.Error(), "wrong-token")
}

func TestStartRefusesABadAppToken(t *testing.T) {
	e := newEnv(t)
	e.cfg.AppToken = "xapp-1-A0-0000-wrong-token-value"
	a := e.newAdapter()
	err := a.Start(e.ctx())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "slack refused SLACK_APP_TOKEN (invalid_auth)")
	assert.NotContains(t, err.Error(), "wrong-token")
}
