package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/config"
)

// Endpoints that receive the bot's credentials must be https unless on
// loopback; the error names the field and line.
func TestOutboundURLsMustBeHTTPS(t *testing.T) {
	for _, tc := range []struct {
		table, line, want string
	}{
		{"[slack]", `api_url = "http://slack.example.com/api/"`, `test.toml:16: slack.api_url: "http://slack.example.com/api/" is plain http to another machine`},
		{"[teams]", `token_url = "http://login.example.com/t/oauth2/v2.0/token"`, `test.toml:16: teams.token_url: "http://login.example.com/t/oauth2/v2.0/token" is plain http`},
		{"[teams]", `openid_metadata_url = "http://10.0.0.9/openid"`, `teams.openid_metadata_url: "http://10.0.0.9/openid" is plain http`},
		{"[teams]", `service_url = "http://smba.example.net/teams/"`, `teams.service_url: "http://smba.example.net/teams/" is plain http`},
		{"[mlflow]", `url = "http://mlflow.example.com"`, `mlflow.url: "http://mlflow.example.com" is plain http`},
	} {
		_, err := config.Parse("test.toml", []byte(file(team, []string{tc.table, tc.line}, ritual())))
		require.Error(t, err, tc.line)
		assert.Contains(t, err.Error(), tc.want)
	}
	for _, ok := range []string{`api_url = "https://slack.com/api/"`, `api_url = "http://127.0.0.1:9000/api/"`, `api_url = "http://localhost:9000/api/"`, `api_url = "http://[::1]:9000/api/"`} {
		_, err := config.Parse("test.toml", []byte(file(team, []string{"[slack]", ok}, ritual())))
		assert.NoError(t, err, ok)
	}
}

// A token pasted into a known field is refused without being echoed.
func TestConfigErrorsNeverEchoTokens(t *testing.T) {
	const (
		bot     = "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
		app     = "xapp-1-A0123456789-1234567890123-0123456789abcdef0123456789abcdef"
		signing = "8f742231b10e8888abcd99aabbcc85a5"
		jwt     = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
		teamsPw = "Q8Q~abc1DEf2ghI3jkL4mnO5pqR6stU7vwX8yz"
	)
	for _, tc := range []struct{ lines []string }{
		{[]string{"[slack]", `api_url = "` + bot + `"`}},
		{[]string{"[[people]]", `id = "eve"`, `slack = "` + bot + `"`}},
		{[]string{"[[people]]", `id = "eve"`, `email = "` + app + `"`}},
		{[]string{"[[people]]", `id = "eve"`, `email = "` + jwt + `"`}},
		{[]string{`public_url = "not a url ` + signing + `"`}},
		{[]string{"[teams]", `token_url = "` + teamsPw + `"`}},
	} {
		src := file(team[:3], tc.lines, team[3:], ritual())
		_, err := config.Parse("test.toml", []byte(src))
		require.Error(t, err, tc.lines)
		for _, secret := range []string{bot, app, signing, jwt, teamsPw} {
			assert.NotContains(t, err.Error(), secret)
		}
		assert.Contains(t, err.Error(), "not shown", "%v", tc.lines)
	}
	// Names and ids are not secrets: shown as typed.
	_, err := config.Parse("test.toml", []byte(file(team, ritual(`channel = "quarterly_model_review_2026"`, `participants = ["ana", "00000000-1111-2222-3333-444444444444"]`))))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "00000000-1111-2222-3333-444444444444")
}
