package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cli runs the CLI in-process with the given environment.
func cli(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb, func(k string) string { return vars[k] })
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestCLIUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"no args", nil, 2, "", "Usage:"},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"version", []string{"version"}, 0, "cadencebot dev", ""},
		{"help", []string{"help"}, 0, "cadencebot simulate", ""},
		{"config without check", []string{"config"}, 2, "", "usage: cadencebot config check"},
		{"stray argument", []string{"report", "extra"}, 2, "", `unexpected argument "extra"`},
		{"bad flag", []string{"simulate", "--weeks", "zero"}, 2, "", "invalid value"},
		{"weeks out of range", []string{"simulate", "--weeks", "0"}, 2, "", "--weeks: want 1 to 104, got 0"},
		{"answer rate out of range", []string{"simulate", "--answer-rate", "1.5"}, 2, "", "--answer-rate: want 0 to 1, got 1.5"},
		{"bad report format", []string{"report", "--format", "xml"}, 2, "", `--format: want text, md, csv or json, got "xml"`},
		{"backup without out", []string{"backup"}, 2, "", "backup: --out is required"},
		{"teams package without id", []string{"teams-package"}, 2, "", "set TEAMS_APP_ID or pass --app-id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, nil, tt.args...)
			assert.Equal(t, tt.code, code, "stdout=%s stderr=%s", out, errOut)
			assert.Contains(t, out, tt.stdout)
			assert.Contains(t, errOut, tt.stderr)
		})
	}
}

func TestConfigCheck(t *testing.T) {
	code, out, errOut := cli(t, nil, "config", "check", "--config", "../../config.example.toml")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "config.example.toml: OK")
	assert.Contains(t, out, "triage")
	// Per-person standups list each participant in their own zone.
	assert.Contains(t, out, "Asia/Almaty")

	bad := writeFile(t, "bad.toml", "[bot]\ntimezone = \"Mars/Olympus\"\n")
	code, _, errOut = cli(t, nil, "config", "check", "--config", bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "bad.toml:2: bot.timezone")
}

func TestTeamsPackage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "app.zip")
	code, stdout, errOut := cli(t, map[string]string{"TEAMS_APP_ID": "00000000-0000-0000-0000-000000000001"}, "teams-package", "--out", out)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "wrote "+out)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(b, []byte("PK")), "a zip file")

	code, _, errOut = cli(t, map[string]string{"TEAMS_APP_ID": "not-a-guid"}, "teams-package", "--out", out)
	assert.Equal(t, 1, code)
	assert.True(t, strings.Contains(errOut, "not-a-guid") || strings.Contains(strings.ToLower(errOut), "guid"), errOut)
}

// A corrupt or foreign database file stops every command with exit 1 and a
// message naming the file, never a hang or a panic.
func TestCorruptDatabaseIsAClearError(t *testing.T) {
	garbage := writeFile(t, "garbage.db", strings.Repeat("not a database\n", 700))
	for _, args := range [][]string{
		{"report", "--db", garbage},
		{"backup", "--db", garbage, "--out", filepath.Join(t.TempDir(), "b.db")},
		{"audit", "--db", garbage},
		{"run", "--db", garbage, "--listen", "127.0.0.1:0"},
	} {
		code, _, errOut := cli(t, nil, args...)
		assert.Equal(t, 1, code, "%v: %s", args, errOut)
		assert.Contains(t, errOut, "database "+garbage+" is not a readable cadencebot database", args)
	}
}

// simulate prints the same report for the same seed and end date, and a
// different one for another seed; --db keeps the history for report.
func TestSimulateCLI(t *testing.T) {
	args := []string{"simulate", "--weeks", "2", "--seed", "3", "--until", "2026-11-23"}
	code, first, errOut := cli(t, nil, args...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, first, "Simulated 2 weeks (2026-11-09 to 2026-11-23), seed 3")
	assert.Contains(t, first, "Adherence from 2026-11-09 to 2026-11-22")
	_, second, _ := cli(t, nil, args...)
	assert.Equal(t, first, second)
	_, other, _ := cli(t, nil, "simulate", "--weeks", "2", "--seed", "4", "--until", "2026-11-23")
	assert.NotEqual(t, first, other)

	db := filepath.Join(t.TempDir(), "demo.db")
	code, _, errOut = cli(t, nil, append(args, "--db", db)...)
	require.Equal(t, 0, code, errOut)
	code, rep, errOut := cli(t, nil, "report", "--db", db, "--since", "2026-11-09", "--until", "2026-11-23", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, rep, "standup@")
	code, _, errOut = cli(t, nil, append(args, "--db", db)...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "already exists")
}

// The read-only commands refuse a database that does not exist instead of
// creating an empty one and reporting nothing.
func TestMissingDatabaseIsNotCreated(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.db")
	for _, args := range [][]string{
		{"report", "--db", missing},
		{"audit", "--db", missing},
		{"backup", "--db", missing, "--out", filepath.Join(t.TempDir(), "b.db")},
	} {
		code, _, errOut := cli(t, nil, args...)
		assert.Equal(t, 1, code, args)
		assert.Contains(t, errOut, "database "+missing+" does not exist", args)
		_, err := os.Stat(missing)
		assert.True(t, os.IsNotExist(err), "%v created the file", args)
	}
}

// A ritual on Teams whose channel is a name: config check says that the
// name is looked up in the teams' channel lists and its id kept.
func TestConfigCheckTeamsChannelNames(t *testing.T) {
	b, err := os.ReadFile("../../config.example.toml")
	require.NoError(t, err)
	cfg := writeFile(t, "teams.toml", strings.Replace(string(b), "platform = \"local\"", "platform = \"teams\"", 1))
	code, out, errOut := cli(t, nil, "config", "check", "--config", cfg)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `note: ritual "standup": the Teams channel "ml-ops-standup" is given by name`)
	assert.Contains(t, out, "keeps the channel's id")

	code, out, _ = cli(t, nil, "config", "check", "--config", "../../config.example.toml")
	require.Equal(t, 0, code)
	assert.NotContains(t, out, "is given by name", "not on the local chat")
}
