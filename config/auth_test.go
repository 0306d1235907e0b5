package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/config"
)

const authBase = `
[bot]
public_url = "https://cadence.example.com/"

[[people]]
id = "ana"
role = "specialist"

[[rituals]]
id = "triage"
title = "Triage"
kind = "triage"
schedule = "30 9 * * 1"
channel = "mlops"
participants = ["all"]
window = "1h"
`

func TestAuthTable(t *testing.T) {
	cfg, err := config.Parse("a.toml", []byte(authBase+"\n[auth]\nissuer = \"https://slack.com\"\nclient_id = \"123.456\"\nclaim = \"https://slack.com/user_id\"\nscopes = [\"email\"]\nsession_hours = 8\n"))
	require.NoError(t, err)
	require.NotNil(t, cfg.Auth)
	assert.Equal(t, config.AuthConfig{
		Issuer: "https://slack.com", ClientID: "123.456", RedirectURL: "https://cadence.example.com/auth/callback",
		Scopes: []string{"openid", "email"}, Claim: config.ClaimSlackUserID, Session: 8 * time.Hour,
	}, *cfg.Auth)

	cfg, err = config.Parse("a.toml", []byte(authBase))
	require.NoError(t, err)
	assert.Nil(t, cfg.Auth, "no [auth]: no sign-in")
}

func TestAuthTableRefusesBadValues(t *testing.T) {
	for _, tt := range []struct{ name, table, want string }{
		{"no issuer", `client_id = "x"`, "auth.issuer: is required"},
		{"plain http issuer", `issuer = "http://idp.example.com"` + "\nclient_id = \"x\"", `auth.issuer: "http://idp.example.com" must be https`},
		{"no client id", `issuer = "https://slack.com"`, "auth.client_id: is required"},
		{"unknown claim", `issuer = "https://slack.com"` + "\nclient_id = \"x\"\nclaim = \"name\"", `auth.claim: "name" is not one of email, https://slack.com/user_id, oid`},
		{"redirect elsewhere", `issuer = "https://slack.com"` + "\nclient_id = \"x\"\nredirect_url = \"https://cadence.example.com/login\"", "must end in /auth/callback"},
		{"session too long", `issuer = "https://slack.com"` + "\nclient_id = \"x\"\nsession_hours = 10000", "auth.session_hours: 10000"},
		{"secret in the file", `issuer = "https://slack.com"` + "\nclient_id = \"x\"\nclient_secret = \"s3cr3t-value\"", "auth.client_secret: looks like a secret; secrets are read from the environment, never from the config file (set CADENCEBOT_OIDC_CLIENT_SECRET)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("a.toml", []byte(authBase+"\n[auth]\n"+tt.table+"\n"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "s3cr3t-value")
		})
	}
	// Without public_url the redirect URL must be given.
	_, err := config.Parse("a.toml", []byte(strings.Replace(authBase, `public_url = "https://cadence.example.com/"`, "", 1)+"\n[auth]\nissuer = \"https://slack.com\"\nclient_id = \"x\"\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "auth.redirect_url: is required without bot.public_url")
}
