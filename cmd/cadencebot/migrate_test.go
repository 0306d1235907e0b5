package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// bbolt → PostgreSQL → bbolt from the command line: each copy verified,
// a rerun copies nothing, and the report reads the same from all three.
func TestMigrateCLI(t *testing.T) {
	dir := t.TempDir()
	src, back := filepath.Join(dir, "src.db"), filepath.Join(dir, "back.db")
	code, _, errOut := cli(t, nil, "simulate", "--weeks", "2", "--until", "2026-11-30", "--db", src)
	require.Equal(t, 0, code, errOut)
	example, err := os.ReadFile("../../config.example.toml")
	require.NoError(t, err)
	pgCfg := writeFile(t, "pg.toml", "[store]\ndriver = \"postgres\"\n"+string(example))
	vars := map[string]string{"CADENCEBOT_DATABASE_URL": pgtest.URL(t)}

	code, out, errOut := cli(t, vars, "migrate", "--from", "bbolt:"+src, "--to", "postgres")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `answers\s+(\d+)\s+(\d+)\s+0\n`, out)
	assert.Contains(t, out, "audit chain intact")
	code, out, errOut = cli(t, vars, "migrate", "--from", "bbolt:"+src, "--to", "postgres")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `answers\s+(\d+)\s+0\s+(\d+)\n`, out, "a rerun copies nothing")

	code, out, errOut = cli(t, vars, "migrate", "--from", "postgres", "--to", "bbolt:"+back)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "verified: bbolt "+back)

	report := []string{"report", "--since", "2026-11-16", "--until", "2026-11-30", "--format", "csv"}
	code, want, errOut := cli(t, nil, append(report, "--db", src)...)
	require.Equal(t, 0, code, errOut)
	code, fromPG, errOut := cli(t, vars, append(report, "--config", pgCfg)...)
	require.Equal(t, 0, code, errOut)
	code, fromBack, errOut := cli(t, nil, append(report, "--db", back)...)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, want, fromPG)
	assert.Equal(t, want, fromBack)

	// Another history into the same database: refused, nothing written.
	other := filepath.Join(dir, "other.db")
	code, _, errOut = cli(t, nil, "simulate", "--weeks", "2", "--seed", "99", "--until", "2026-11-30", "--db", other)
	require.Equal(t, 0, code, errOut)
	code, _, errOut = cli(t, vars, "migrate", "--from", "bbolt:"+other, "--to", "postgres")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "the target already holds different data")
	assert.Contains(t, errOut, "nothing was written")
	code, fromPG, errOut = cli(t, vars, append(report, "--config", pgCfg)...)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, want, fromPG)
}

// Bad flags and unreachable stores: the exit code and what is named.
func TestMigrateRefusals(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	code, _, errOut := cli(t, nil, "simulate", "--weeks", "1", "--until", "2026-11-30", "--db", src)
	require.Equal(t, 0, code, errOut)
	down := map[string]string{"CADENCEBOT_DATABASE_URL": "postgres://cadence:s3cret-pw@127.0.0.1:1/cadence?connect_timeout=2"}
	tests := []struct {
		name string
		vars map[string]string
		args []string
		code int
		want string
	}{
		{"no --from", nil, []string{"--to", "postgres"}, 2, "--from is required"},
		{"no --to", nil, []string{"--from", "bbolt:" + src}, 2, "--to is required"},
		{"unknown store", nil, []string{"--from", "sqlite:x.db", "--to", "postgres"}, 2, `--from "sqlite:x.db": want bbolt:FILE or postgres`},
		{"bbolt without a file", nil, []string{"--from", "bbolt:", "--to", "postgres"}, 2, "want bbolt:FILE or postgres"},
		{"a URL on the command line", nil, []string{"--from", "bbolt:" + src, "--to", "postgres://u:s3cret-pw@db/x"}, 2, "comes from CADENCEBOT_DATABASE_URL only"},
		{"same store", nil, []string{"--from", "bbolt:" + src, "--to", "bbolt:" + src}, 2, "the same store"},
		{"postgres to postgres", down, []string{"--from", "postgres", "--to", "postgres"}, 2, "the same store"},
		{"no URL", nil, []string{"--from", "bbolt:" + src, "--to", "postgres"}, 1, "needs CADENCEBOT_DATABASE_URL"},
		{"server down", down, []string{"--from", "bbolt:" + src, "--to", "postgres"}, 1, "target: postgres: connect to 127.0.0.1:1/cadence"},
		{"server down, as source", down, []string{"--from", "postgres", "--to", "bbolt:" + filepath.Join(dir, "new.db")}, 1, "source: postgres: connect to 127.0.0.1:1/cadence"},
		{"missing source file", down, []string{"--from", "bbolt:" + filepath.Join(dir, "nope.db"), "--to", "postgres"}, 1, "nope.db does not exist"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, tc.vars, append([]string{"migrate"}, tc.args...)...)
			assert.Equal(t, tc.code, code, errOut)
			assert.Contains(t, errOut, tc.want)
			assert.NotContains(t, out+errOut, "s3cret-pw")
		})
	}
	_, err := os.Stat(filepath.Join(dir, "new.db"))
	assert.ErrorIs(t, err, os.ErrNotExist, "no target file is made when the source cannot be read")
}
