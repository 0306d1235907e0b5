package teams_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/cadence"
)

func agendaIn(key, channel string) *cadence.Message {
	m := agenda(key)
	m.To = cadence.Recipient{Channel: channel}
	return m
}

// TestChannelByName: a ritual's channel given by name (as
// config.example.toml does) is found in the channel list of the teams the
// app was added to, and its id kept: posted there, listed once, still
// working after a rename. A name that cannot be resolved is a permanent
// error that says what was found and what to do.
func TestChannelByName(t *testing.T) {
	const (
		mlops = "19:mlops@thread.tacv2"
		rel   = "19:releases@thread.tacv2"
	)
	install := func(t *testing.T) *env {
		e := installed(t)
		e.fc.addTeam(channelID, mlops, "ml-ops", rel, "ml-releases")
		return e
	}
	for _, tc := range []struct {
		name, channel, wantConv string
	}{
		{"exact name", "ml-ops", mlops},
		{"names are not case-sensitive", "ML-Ops", mlops},
		{"the General channel is listed without a name", "General", channelID},
		{"an id needs no lookup", rel, rel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := install(t)
			ref, err := e.a.Send(context.Background(), agendaIn("a", tc.channel), cadence.Ref{})
			require.NoError(t, err)
			assert.Equal(t, tc.wantConv, ref.Channel)
			posts := e.fc.posts()
			require.Len(t, posts, 1)
			assert.Equal(t, tc.wantConv, posts[0].Conv)
		})
	}

	t.Run("looked up once, the id kept across a rename and a restart", func(t *testing.T) {
		e := install(t)
		ctx := context.Background()
		_, err := e.a.Send(ctx, agendaIn("a", "ml-ops"), cadence.Ref{})
		require.NoError(t, err)
		assert.Equal(t, 1, e.fc.channelLists)
		e.fc.addTeam(channelID, mlops, "mlops-core", rel, "ml-releases") // renamed in Teams
		ref, err := e.adapter().Send(ctx, agendaIn("b", "ml-ops"), cadence.Ref{})
		require.NoError(t, err)
		assert.Equal(t, mlops, ref.Channel)
		assert.Equal(t, 1, e.fc.channelLists, "not listed again")
	})

	refused := func(t *testing.T, e *env, channel, code string, want ...string) {
		t.Helper()
		_, err := e.a.Send(context.Background(), agendaIn("a", channel), cadence.Ref{})
		var se *cadence.SendError
		require.ErrorAs(t, err, &se)
		assert.False(t, se.Retryable)
		assert.Equal(t, code, se.Code)
		for _, w := range want {
			assert.Contains(t, se.Err.Error(), w)
		}
		assert.NotContains(t, se.Err.Error(), "mention @cadencebot", "advice that cannot help")
		assert.Empty(t, e.fc.posts())
	}
	t.Run("no such channel", func(t *testing.T) {
		e := install(t)
		refused(t, e, "ml-opz", "teams_channel_unknown", `no channel named "ml-opz"`, "team MLOps: General, ml-ops, ml-releases",
			"add the cadencebot app to the team that holds the channel")
	})
	t.Run("the same name in two teams", func(t *testing.T) {
		e := install(t)
		e.fc.addTeam("19:other@thread.tacv2", "19:ops2@thread.tacv2", "ml-ops")
		require.Equal(t, http.StatusOK, e.deliver(e.channelIn("19:other@thread.tacv2", "Data")).Code)
		refused(t, e, "ml-ops", "teams_channel_ambiguous", mlops+" in team MLOps", "19:ops2@thread.tacv2 in team Data", "the id of the one you mean")
	})
	// A tenant member outside the roster renames a channel of their own
	// team (where the app is) to the ritual's channel name: Teams sends a
	// channelRenamed update with the new name. It must not bind the name.
	renamed := func(e *env, teamID, chID, name string) map[string]any {
		a := e.base("conversationUpdate", chID, "channel", ben)
		a["channelData"] = map[string]any{"tenant": map[string]any{"id": testTenant}, "eventType": "channelRenamed",
			"team": map[string]any{"id": teamID, "name": "Elsewhere"}, "channel": map[string]any{"id": chID, "name": name}}
		return a
	}
	const other, evil = "19:other@thread.tacv2", "19:evil@thread.tacv2"
	t.Run("a channel renamed elsewhere after the lookup does not move the ritual", func(t *testing.T) {
		e := install(t)
		ctx := context.Background()
		_, err := e.a.Send(ctx, agendaIn("a", "ml-ops"), cadence.Ref{})
		require.NoError(t, err)
		e.fc.addTeam(other, evil, "ML-Ops")
		require.Equal(t, http.StatusOK, e.deliver(renamed(e, other, evil, "ML-Ops")).Code)
		ref, err := e.a.Send(ctx, agendaIn("b", "ml-ops"), cadence.Ref{})
		require.NoError(t, err)
		assert.Equal(t, mlops, ref.Channel)
	})
	t.Run("a channel renamed elsewhere before the lookup makes the name ambiguous, not theirs", func(t *testing.T) {
		e := install(t)
		e.fc.addTeam(other, evil, "ML-Ops")
		require.Equal(t, http.StatusOK, e.deliver(renamed(e, other, evil, "ML-Ops")).Code)
		refused(t, e, "ml-ops", "teams_channel_ambiguous", mlops+" in team MLOps", evil+" in team Elsewhere")
	})
	t.Run("a team the bot was removed from is skipped", func(t *testing.T) {
		e := install(t)
		require.Equal(t, http.StatusOK, e.deliver(e.channelIn("19:gone@thread.tacv2", "Gone")).Code)
		ref, err := e.a.Send(context.Background(), agendaIn("a", "ml-ops"), cadence.Ref{})
		require.NoError(t, err)
		assert.Equal(t, mlops, ref.Channel)
	})
	t.Run("no team yet", func(t *testing.T) {
		e := newEnv(t)
		refused(t, e, "ml-ops", "teams_channel_unknown", "has not been added to any team yet", "add the cadencebot app to the team")
		assert.Zero(t, e.fc.channelLists)
	})
}

func TestChannelNote(t *testing.T) {
	assert.Empty(t, teams.ChannelNote("19:mlops@thread.tacv2"))
	n := teams.ChannelNote("ml-ops")
	assert.Contains(t, n, `"ml-ops" is given by name`)
	assert.Contains(t, n, "keeps the channel's id")
}
