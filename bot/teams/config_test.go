package teams_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/teams"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigFromEnv(t *testing.T) {
	full := map[string]string{"TEAMS_APP_ID": testAppID, "TEAMS_APP_PASSWORD": testPassword, "TEAMS_TENANT_ID": testTenant}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"none set", map[string]string{}, "teams: not configured"},
		{"password missing", with("TEAMS_APP_PASSWORD", ""), "teams: TEAMS_APP_PASSWORD not set"},
		{"two missing", map[string]string{"TEAMS_APP_PASSWORD": testPassword}, "teams: TEAMS_APP_ID and TEAMS_TENANT_ID not set"},
		{"token URL not https", with("TEAMS_TOKEN_URL", "http://login.example.com/token"), `TEAMS_TOKEN_URL: "http://login.example.com/token": plain http is only allowed on localhost`},
		{"metadata URL relative", with("TEAMS_OPENID_METADATA_URL", "/openid"), `TEAMS_OPENID_METADATA_URL: "/openid" is not an absolute URL`},
		{"service URL scheme", with("TEAMS_SERVICE_URL", "ftp://smba"), `TEAMS_SERVICE_URL: "ftp://smba": want an https URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := teams.ConfigFromEnv(envOf(tt.env))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), testPassword)
			assert.Equal(t, tt.name == "none set", errors.Is(err, teams.ErrNotConfigured))
		})
	}

	cfg, err := teams.ConfigFromEnv(envOf(full))
	require.NoError(t, err)
	assert.Equal(t, "https://login.microsoftonline.com/"+testTenant+"/oauth2/v2.0/token", cfg.TokenURL)
	assert.Equal(t, teams.DefaultOpenIDMetadataURL, cfg.OpenIDMetadataURL)
	assert.Equal(t, teams.DefaultTokenScope, cfg.TokenScope)
	assert.Equal(t, teams.DefaultIssuer, cfg.Issuer)

	sov, err := teams.ConfigFromEnv(envOf(with("TEAMS_TOKEN_URL", "https://login.microsoftonline.us/t/oauth2/v2.0/token",
		"TEAMS_OPENID_METADATA_URL", "https://login.botframework.azure.us/v1/.well-known/openidconfiguration",
		"TEAMS_SERVICE_URL", "https://smba.infra.gov.teams.microsoft.us/")))
	require.NoError(t, err)
	assert.Equal(t, "https://login.microsoftonline.us/t/oauth2/v2.0/token", sov.TokenURL)
	assert.Equal(t, "https://smba.infra.gov.teams.microsoft.us/", sov.ServiceURL)

	// The password never shows up in prints or logs.
	var buf bytes.Buffer
	logger := zerolog.New(&buf)
	logger.Info().Object("teams", cfg).Msg("")
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg), buf.String()} {
		assert.NotContains(t, s, testPassword)
	}
	assert.Contains(t, buf.String(), `"password_set":true`)
}

func TestNewValidates(t *testing.T) {
	e := newEnv(t)
	_, err := teams.New(teams.Config{AppID: testAppID, TenantID: testTenant}, e.svc, e.st, e.clock, zerolog.Nop())
	require.ErrorContains(t, err, "TEAMS_APP_PASSWORD is empty")
	_, err = teams.New(e.fc.config(), nil, e.st, e.clock, zerolog.Nop())
	require.ErrorContains(t, err, "needs a service")
	assert.Equal(t, "teams", e.a.Platform())
}
