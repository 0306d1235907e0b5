package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
	"github.com/cadencebot/cadencebot/config"
)

const laneConfig = appConfig + `
[releases.approvals]
rollback = 0

[[integrations]]
id = "ci"
token_env = "CI_TOKEN"
owner = "ana"
webhook_url = "https://ci.example.com/hook"
webhook_secret_env = "CI_WEBHOOK_SECRET"
`

// The release API is mounted outside the dashboard's credentials (it has
// its own tokens), takes the integration's token from the environment,
// and a missing secret stops the bot naming the variable, not its value.
func TestReleaseAPIIsWiredWithItsOwnTokens(t *testing.T) {
	cfg, err := config.Parse("app.toml", []byte(laneConfig))
	require.NoError(t, err)
	open := func(vars map[string]string) (*App, error) {
		return newApp(cfg, appOptions{Listen: "0.0.0.0:0", DB: filepath.Join(t.TempDir(), "app.db"),
			Getenv: func(k string) string { return vars[k] }, Log: zerolog.Nop(), Clock: cadence.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))})
	}
	_, err = open(map[string]string{"CADENCEBOT_DASHBOARD_TOKEN": "s3cret-token", "CI_TOKEN": "short"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "integrations[0].token_env: CI_TOKEN must hold the integration's token, at least 16 characters (it is 5 characters)")
	assert.NotContains(t, err.Error(), "short")
	_, err = open(map[string]string{"CADENCEBOT_DASHBOARD_TOKEN": "s3cret-token", "CI_TOKEN": "ci-token-0123456789"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "integrations[0].webhook_secret_env: CI_WEBHOOK_SECRET must hold the webhook's HMAC secret, at least 16 characters (it is not set)")

	app, err := open(map[string]string{"CADENCEBOT_DASHBOARD_TOKEN": "s3cret-token", "CI_TOKEN": "ci-token-0123456789", "CI_WEBHOOK_SECRET": "whsec-0123456789abcdef"})
	require.NoError(t, err)
	defer app.Close()
	srv := httptest.NewServer(app.mux)
	defer srv.Close()
	post := func(token string) int {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/releases", strings.NewReader(`{"model":"churn","version":"6","change":"rollback","risk":"low","data_contract":"passed"}`))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusUnauthorized, post("s3cret-token"), "the dashboard's token is not an integration's")
	assert.Equal(t, http.StatusCreated, post("ci-token-0123456789"))
	r, err := app.ops.Release(t.Context(), "REL-1")
	require.NoError(t, err)
	assert.Equal(t, cadence.ReleaseApproved, r.Status, "the rollback policy from the file applies")
	assert.Equal(t, "ci", r.Source)
	_, ok := app.chats[ops.PlatformWebhook]
	assert.True(t, ok, "the webhook platform delivers the events")
}
