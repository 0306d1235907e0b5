package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

func TestIntegrationsMLflowAndChangePolicies(t *testing.T) {
	src := file(team, ritual(), []string{
		`[releases]`,                                     // 22
		`high_risk_approvals = 1`,                        // 23
		`[releases.approvals]`,                           // 24
		`rollback = 0`,                                   // 25
		`retrain = 1`,                                    // 26
		`[[integrations]]`,                               // 27
		`id = "github-actions"`,                          // 28
		`token_env = "CADENCEBOT_TOKEN_GHA"`,             // 29
		`owner = "bo"`,                                   // 30
		`changes = ["retrain", "rollback"]`,              // 31
		`webhook_url = "https://ci.example.com/cadence"`, // 32
		`webhook_secret_env = "CADENCEBOT_WEBHOOK_SECRET_GHA"`, // 33
		`[mlflow]`,                           // 34
		`url = "https://mlflow.example.com"`, // 35
	})
	cfg, err := config.Parse("ok.toml", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, map[cadence.ChangeType]int{cadence.ChangeRollback: 0, cadence.ChangeRetrain: 1}, cfg.Releases.ChangePolicies)
	assert.Equal(t, []config.IntegrationConfig{{ID: "github-actions", TokenEnv: "CADENCEBOT_TOKEN_GHA", Owner: "bo",
		Changes:    []cadence.ChangeType{cadence.ChangeRetrain, cadence.ChangeRollback},
		WebhookURL: "https://ci.example.com/cadence", WebhookSecretEnv: "CADENCEBOT_WEBHOOK_SECRET_GHA"}}, cfg.Integrations)
	assert.Equal(t, &config.MLflowConfig{URL: "https://mlflow.example.com", TokenEnv: "MLFLOW_TRACKING_TOKEN", Alias: "champion"}, cfg.MLflow)
}

func TestBadIntegrations(t *testing.T) {
	src := file(team, ritual(), []string{
		`[releases.approvals]`,                       // 22
		`rollback = -1`,                              // 23
		`hotfix = 1`,                                 // 24
		`[[integrations]]`,                           // 25
		`id = "GitHub Actions"`,                      // 26
		`token_env = "ghp_abcdef"`,                   // 27
		`owner = "zed"`,                              // 28
		`changes = ["hotfix"]`,                       // 29
		`webhook_url = "http://ci.example.com/hook"`, // 30
		`[[integrations]]`,                           // 31
		`id = "gitlab"`,                              // 32
		`token = "glpat-123"`,                        // 33
		`token_env = "GITLAB_TOKEN"`,                 // 34
		`owner = "ana"`,                              // 35
		`[mlflow]`,                                   // 36
		`url = "mlflow.example.com"`,                 // 37
	})
	_, err := config.Parse("bad.toml", []byte(src))
	require.Error(t, err)
	for _, want := range []string{
		`bad.toml:23: releases.approvals.rollback: -1: want 0 (approved when proposed) to 10`,
		`bad.toml:24: releases.approvals.hotfix: unknown key`,
		`bad.toml:26: integrations[0].id: "GitHub Actions": use lower-case letters`,
		`bad.toml:27: integrations[0].token_env: "ghp_abcdef": name the environment variable holding the token`,
		`bad.toml:28: integrations[0].owner: "zed" is not in [[people]]`,
		`bad.toml:29: integrations[0].changes[0]: "hotfix" is not a change type`,
		`bad.toml:30: integrations[0].webhook_url: "http://ci.example.com/hook": use https (http only to localhost)`,
		`bad.toml:25: integrations[0].webhook_secret_env: "": name the environment variable holding the HMAC secret`,
		`bad.toml:33: integrations[1].token: looks like a secret; secrets are read from the environment, never from the config file (set a variable of your choice, named in token_env)`,
		`bad.toml:37: mlflow.url: "mlflow.example.com" is not an http(s) URL`,
	} {
		assert.Contains(t, err.Error(), want)
	}
}
