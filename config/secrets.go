package config

import "strings"

// Environment variables that hold credentials. Secrets never live in the
// config file, which is meant to be committed and reviewed like code.
const (
	EnvSlackBotToken      = "SLACK_BOT_TOKEN"      // xoxb-…, the bot user token
	EnvSlackAppToken      = "SLACK_APP_TOKEN"      // xapp-…, for Socket Mode
	EnvSlackSigningSecret = "SLACK_SIGNING_SECRET" // verifies HTTP-mode requests
	EnvTeamsAppID         = "TEAMS_APP_ID"         // Bot Framework app (client) id
	EnvTeamsAppPassword   = "TEAMS_APP_PASSWORD"   // Bot Framework client secret
	EnvTeamsTenantID      = "TEAMS_TENANT_ID"      // single-tenant bots only
)

// secretEnv names the variable to use instead of a secret-looking key:
// the obvious one for known keys, the whole list otherwise.
func secretEnv(table, key string) string {
	k := strings.ToLower(key)
	switch table {
	case "slack":
		switch {
		case strings.Contains(k, "app") && strings.Contains(k, "token"):
			return EnvSlackAppToken
		case strings.Contains(k, "signing"):
			return EnvSlackSigningSecret
		case strings.Contains(k, "token"):
			return EnvSlackBotToken
		}
	case "auth":
		return EnvOIDCClientSecret
	case "teams":
		switch {
		case strings.Contains(k, "tenant"):
			return EnvTeamsTenantID
		case strings.Contains(k, "app_id") || k == "appid" || k == "client_id":
			return EnvTeamsAppID
		default:
			return EnvTeamsAppPassword
		}
	}
	return strings.Join([]string{EnvSlackBotToken, EnvSlackAppToken, EnvSlackSigningSecret, EnvTeamsAppID, EnvTeamsAppPassword, EnvTeamsTenantID}, ", ")
}

// looksSecret reports whether an unknown key probably holds a credential.
// Only keys the schema does not know are checked, so token_url is fine.
func looksSecret(table, key string) bool {
	k := strings.ToLower(key)
	for _, w := range []string{"token", "secret", "password", "passwd", "api_key", "apikey", "credential", "private_key"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	// Teams identities are read from the environment with the password.
	return table == "teams" && (k == "app_id" || k == "appid" || k == "client_id" || k == "tenant_id" || k == "tenant")
}
