package slack_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack"
)

func TestConfigFromEnv(t *testing.T) {
	const (
		bot = "xoxb-123456-7890-secretsecretsecret"
		app = "xapp-1-A123-456-secretsecretsecret"
	)
	tests := []struct {
		name    string
		env     map[string]string
		mode    slack.Mode
		wantErr string
	}{
		{"nothing set", map[string]string{}, "", slack.ErrNotConfigured.Error()},
		{"socket mode", map[string]string{"SLACK_BOT_TOKEN": bot, "SLACK_APP_TOKEN": app}, slack.ModeSocket, ""},
		{"http mode", map[string]string{"SLACK_BOT_TOKEN": bot, "SLACK_SIGNING_SECRET": "abc123"}, slack.ModeHTTP, ""},
		{"tokens swapped", map[string]string{"SLACK_BOT_TOKEN": app, "SLACK_APP_TOKEN": bot}, "",
			`SLACK_BOT_TOKEN must start with "xoxb-", but holds an app-level token (xapp-…)` + "\n" +
				`SLACK_APP_TOKEN must start with "xapp-", but holds a bot token (xoxb-…)`},
		{"user token", map[string]string{"SLACK_BOT_TOKEN": "xoxp-1-2-3-secretsecretsecret", "SLACK_APP_TOKEN": app}, "",
			`SLACK_BOT_TOKEN must start with "xoxb-", but holds a user token (xoxp-…)`},
		{"garbage", map[string]string{"SLACK_BOT_TOKEN": "hunter2hunter2", "SLACK_APP_TOKEN": app}, "",
			`SLACK_BOT_TOKEN must start with "xoxb-" (the value set, 14 characters, does not)`},
		{"newline pasted", map[string]string{"SLACK_BOT_TOKEN": bot + "\n", "SLACK_APP_TOKEN": app}, "",
			"SLACK_BOT_TOKEN contains white space (a stray newline or quote from copy-paste?)"},
		{"truncated", map[string]string{"SLACK_BOT_TOKEN": "xoxb-12", "SLACK_APP_TOKEN": app}, "",
			`SLACK_BOT_TOKEN is too short to be a xoxb-… token`},
		{"no bot token", map[string]string{"SLACK_APP_TOKEN": app}, "",
			"SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page"},
		{"no way in", map[string]string{"SLACK_BOT_TOKEN": bot}, "",
			"set SLACK_APP_TOKEN (Socket Mode, recommended) or SLACK_SIGNING_SECRET (HTTP mode)"},
		{"govslack", map[string]string{"SLACK_BOT_TOKEN": bot, "SLACK_APP_TOKEN": app, "SLACK_API_URL": "https://slack-gov.com/api/"}, slack.ModeSocket, ""},
		{"api url without slash", map[string]string{"SLACK_BOT_TOKEN": bot, "SLACK_APP_TOKEN": app, "SLACK_API_URL": "https://slack-gov.com/api"}, "",
			`slack api_url "https://slack-gov.com/api": must end with "/" (method names are appended to it)`},
		{"api url relative", map[string]string{"SLACK_BOT_TOKEN": bot, "SLACK_APP_TOKEN": app, "SLACK_API_URL": "slack/api/"}, "",
			`slack api_url "slack/api/": want an absolute http(s) URL such as https://slack.com/api/`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := slack.ConfigFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
				for k, v := range tt.env {
					if strings.HasSuffix(k, "_TOKEN") && len(v) > 12 {
						assert.NotContains(t, err.Error(), v[5:], "an error never prints a token")
					}
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.mode, cfg.Mode)
			assert.Equal(t, tt.env["SLACK_BOT_TOKEN"], cfg.BotToken)
		})
	}
	_, err := slack.ConfigFromEnv(func(string) string { return "" })
	assert.True(t, errors.Is(err, slack.ErrNotConfigured))
}

// SLACK_API_URL gets the bot token: https, or http on loopback only.
func TestAPIURLMustBeHTTPSOffLoopback(t *testing.T) {
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-123456-7890-secretsecretsecret", "SLACK_APP_TOKEN": "xapp-1-A123-456-secretsecretsecret"}
	for url, want := range map[string]string{
		"http://slack.example.com/api/": "plain http to another machine would send the bot token in clear text",
		"http://127.0.0.1:8080/api/":    "",
		"http://localhost/api/":         "",
		"https://slack-gov.com/api/":    "",
	} {
		env["SLACK_API_URL"] = url
		_, err := slack.ConfigFromEnv(func(k string) string { return env[k] })
		if want == "" {
			assert.NoError(t, err, url)
		} else {
			require.Error(t, err, url)
			assert.Contains(t, err.Error(), want)
		}
	}
}
