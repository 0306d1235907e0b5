package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/cadencebot/cadencebot/bot/integration/hook"
	"github.com/cadencebot/cadencebot/bot/integration/mlflow"
	"github.com/cadencebot/cadencebot/bot/integration/releaseapi"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// minTokenLen keeps guessable tokens out: 16 characters is 96 bits of
// base64 randomness (openssl rand -base64 24 gives 32).
const minTokenLen = 16

// releaseLane reads the integrations' secrets from the environment and
// builds the release API, the webhook sender and the MLflow registry.
// A missing or short secret stops the bot, naming the variable.
type releaseLane struct {
	integrations []releaseapi.Integration
	webhooks     []string // integration ids with a webhook
	sender       *hook.Sender
	mlflow       *mlflow.Client // nil without [mlflow]
	alias        string
}

func (a *App) setupReleaseLane() (*releaseLane, error) {
	rl := &releaseLane{sender: &hook.Sender{Targets: map[string]hook.Target{}, Now: a.opts.Clock.Now,
		HTTP: &http.Client{Timeout: 30 * time.Second}}}
	for i, ic := range a.cfg.Integrations {
		field := fmt.Sprintf("integrations[%d]", i)
		token := a.opts.Getenv(ic.TokenEnv)
		if len(token) < minTokenLen {
			return nil, fmt.Errorf("%s.token_env: %s must hold the integration's token, at least %d characters (it is %s)",
				field, ic.TokenEnv, minTokenLen, describeLen(len(token)))
		}
		rl.integrations = append(rl.integrations, releaseapi.Integration{ID: ic.ID, Token: token, Owner: ic.Owner, Changes: ic.Changes})
		if ic.WebhookURL == "" {
			continue
		}
		secret := a.opts.Getenv(ic.WebhookSecretEnv)
		if len(secret) < minTokenLen {
			return nil, fmt.Errorf("%s.webhook_secret_env: %s must hold the webhook's HMAC secret, at least %d characters (it is %s)",
				field, ic.WebhookSecretEnv, minTokenLen, describeLen(len(secret)))
		}
		rl.sender.Targets[ic.ID] = hook.Target{URL: ic.WebhookURL, Secret: []byte(secret)}
		rl.webhooks = append(rl.webhooks, ic.ID)
	}
	if m := a.cfg.MLflow; m != nil {
		rl.mlflow = &mlflow.Client{BaseURL: m.URL, Token: a.opts.Getenv(m.TokenEnv), HTTP: &http.Client{Timeout: 30 * time.Second}}
		rl.alias = m.Alias
	}
	return rl, nil
}

func describeLen(n int) string {
	if n == 0 {
		return "not set"
	}
	return fmt.Sprintf("%d characters", n)
}

// chats adds the outbox platforms of the release lane.
func (rl *releaseLane) chats(into map[string]cadence.Chat) {
	if len(rl.webhooks) > 0 {
		into[ops.PlatformWebhook] = rl.sender
	}
	if rl.mlflow != nil {
		into[ops.PlatformRegistry] = &mlflow.Registry{Client: rl.mlflow}
	}
}

// handler is POST /api/releases and GET /api/releases/{id}; they check
// their own tokens, so they sit outside the dashboard's credentials.
func (rl *releaseLane) register(mux *http.ServeMux, ops *ops.Ops) {
	var reg releaseapi.Registry
	if rl.mlflow != nil {
		reg = rl.mlflow
	}
	releaseapi.New(ops, rl.integrations, reg).Register(mux)
}
