package config

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

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
	case "store":
		return EnvDatabaseURL
	case "integrations", "mlflow", "rotations":
		if strings.Contains(k, "secret") {
			return "a variable of your choice, named in webhook_secret_env"
		}
		return "a variable of your choice, named in token_env"
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
	if looksLikeConnString(table, k) {
		return true // it carries the database password
	}
	// Teams identities are read from the environment with the password.
	return table == "teams" && (k == "app_id" || k == "appid" || k == "client_id" || k == "tenant_id" || k == "tenant")
}

// Values that look like credentials are never echoed in an error or a
// warning: a token pasted into the wrong field must not end up in a CI
// log through `config check`. What is shown is its kind and length.
var (
	tokenLike = regexp.MustCompile(`(?:xox[a-z]|xapp)-[A-Za-z0-9-]+|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|[A-Za-z0-9_~.+/=-]{20,}`)
	uuidLike  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// redactSecrets replaces every token-looking run in msg.
func redactSecrets(msg string) string {
	return tokenLike.ReplaceAllStringFunc(msg, func(s string) string {
		switch {
		case strings.HasPrefix(s, "xox") || strings.HasPrefix(s, "xapp-"):
			return fmt.Sprintf("%s… (a Slack token, %d characters, not shown)", s[:5], len(s))
		case strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") == 2:
			return fmt.Sprintf("eyJ… (a JWT, %d characters, not shown)", len(s))
		case randomLooking(s):
			return fmt.Sprintf("… (%d characters that look like a secret, not shown)", len(s))
		}
		return s
	})
}

// randomLooking tells a key or password (letters and digits mixed many
// times over: 8f742231b10e…, Q~8Qabc1D…) from a long name
// (quarterly_model_review_2026) or an id (a UUID, which is no secret).
func randomLooking(s string) bool {
	if uuidLike.MatchString(s) {
		return false
	}
	var letters, digits, switches int
	prevDigit, started := false, false
	for _, r := range s {
		isDigit, isLetter := unicode.IsDigit(r), unicode.IsLetter(r)
		if !isDigit && !isLetter {
			continue
		}
		if isDigit {
			digits++
		} else {
			letters++
		}
		if started && isDigit != prevDigit {
			switches++
		}
		prevDigit, started = isDigit, true
	}
	return letters >= 4 && digits >= 4 && switches >= 6
}
