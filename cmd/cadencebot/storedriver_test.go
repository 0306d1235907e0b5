package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `config check` says which store the config selects; for PostgreSQL the
// host from CADENCEBOT_DATABASE_URL, never the password.
func TestConfigCheckNamesTheStore(t *testing.T) {
	example, err := os.ReadFile("../../config.example.toml")
	require.NoError(t, err)
	pg := writeFile(t, "pg.toml", "[store]\ndriver = \"postgres\"\n"+string(example))
	tests := []struct {
		name     string
		cfg      string
		vars     map[string]string
		stdout   string
		stderr   string
		password string
	}{
		{name: "bbolt by default", cfg: "../../config.example.toml", stdout: "store: bbolt, file cadencebot.db"},
		{name: "postgres", cfg: pg, vars: map[string]string{"CADENCEBOT_DATABASE_URL": "postgres://cadence:hunter22@db.internal:6432/cadence?sslmode=verify-full"},
			stdout: "store: postgres at db.internal:6432/cadence (from CADENCEBOT_DATABASE_URL)", password: "hunter22"},
		{name: "postgres without the URL", cfg: pg, stdout: "store: postgres, CADENCEBOT_DATABASE_URL not usable",
			stderr: "warning: `cadencebot run` would not start: [store] driver = \"postgres\" needs CADENCEBOT_DATABASE_URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, tc.vars, "config", "check", "--config", tc.cfg)
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, tc.stdout)
			assert.Contains(t, errOut, tc.stderr)
			if tc.password != "" {
				assert.NotContains(t, out+errOut, tc.password)
			}
		})
	}
}

// Until the bot is wired to PostgreSQL, choosing it stops the commands
// that would otherwise quietly open the bbolt file instead.
func TestPostgresDriverNotRunnableYet(t *testing.T) {
	example, err := os.ReadFile("../../config.example.toml")
	require.NoError(t, err)
	pg := writeFile(t, "pg.toml", "[store]\ndriver = \"postgres\"\n"+string(example))
	vars := map[string]string{"CADENCEBOT_DATABASE_URL": "postgres://cadence@127.0.0.1:1/cadence"}
	for _, args := range [][]string{
		{"run", "--config", pg, "--listen", "127.0.0.1:0"},
		{"report", "--config", pg},
		{"audit", "--config", pg},
	} {
		code, _, errOut := cli(t, vars, args...)
		assert.Equal(t, 1, code, "%v: %s", args, errOut)
		assert.Contains(t, errOut, `[store] driver = "postgres"`, "%v", args)
	}
}
