package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// TestMain stops the PostgreSQL cluster pgtest may start.
func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

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

// The daemon runs on PostgreSQL: a ritual opens, an answer is stored and
// the bot turns ready; `report`, `audit` and `digest` read the database
// directly while the bot runs (no file lock, no holder file), and the
// backup endpoint points at pg_dump.
func TestRunOnPostgres(t *testing.T) {
	dbURL := pgtest.URL(t)
	vars := map[string]string{"CADENCEBOT_DATABASE_URL": dbURL}
	cfgText := "[store]\ndriver = \"postgres\"\n" + appConfig
	cfgPath := writeFile(t, "pg.toml", cfgText)
	cfg, err := config.Parse(cfgPath, []byte(cfgText))
	require.NoError(t, err)
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // 09:00 Zurich
	clock := cadence.NewManualClock(monday)
	app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", Getenv: func(k string) string { return vars[k] },
		Clock: clock, Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond})
	require.NoError(t, err)
	url := runDaemon(t, app)
	ctx := context.Background()
	require.Eventually(t, func() bool { c, _ := get(t, url+"readyz"); return c == http.StatusOK }, 10*time.Second, 10*time.Millisecond)

	reply, err := bot.Run(ctx, app.svc, app.cfg.Roster.Person("lea"), "incident new Drift on ranker-v3 --sev 2", monday)
	require.NoError(t, err)
	require.False(t, reply.Failed, "%+v", reply)

	clock.Set(monday.Add(30 * time.Minute)) // 09:30 Zurich: the triage opens
	require.Eventually(t, func() bool {
		_, body := get(t, url+"c/mlops")
		return strings.Contains(body, "Triage is open")
	}, 10*time.Second, 10*time.Millisecond, "agenda in the channel page")
	_, err = app.eng.SubmitAnswer(ctx, cadence.AnswerInput{
		OccurrenceID: "triage@20261130T083000Z", PersonID: "ana", Via: "test",
		Responses: []cadence.Response{{QuestionID: "incidents", Text: "Drift on ranker-v3"}},
	})
	require.NoError(t, err)
	clock.Set(monday.Add(91 * time.Minute)) // the window has closed
	require.Eventually(t, func() bool {
		_, body := get(t, url+"api/occurrences?from=2026-11-30&to=2026-12-01")
		return strings.Contains(body, `"status": "closed"`)
	}, 10*time.Second, 10*time.Millisecond)
	code, body := get(t, url+"readyz")
	assert.Equal(t, http.StatusOK, code, body)

	// The answer is in PostgreSQL, read past the bot.
	direct, err := postgres.Open(ctx, dbURL)
	require.NoError(t, err)
	defer direct.Close()
	require.NoError(t, direct.View(ctx, func(tx cadence.Tx) error {
		got, err := tx.Answer("triage@20261130T083000Z", "ana")
		require.NoError(t, err)
		assert.Equal(t, "Drift on ranker-v3", got.Responses[0].Text)
		return nil
	}))

	// The one-shot commands open the database themselves while the bot runs.
	code, out, errOut := cli(t, vars, "report", "--config", cfgPath, "--since", "2026-11-30", "--until", "2026-12-07", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "occurrence,triage@20261130T083000Z,triage,2026-11-30T08:30:00Z,closed")
	assert.Regexp(t, `\nperson,ana,Ana,[^\n]*,100\.0,`, out, "Ana's answer counts")
	code, _, errOut = cli(t, vars, "audit", "--config", cfgPath, "--verify")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "intact: 1 entries")
	digestCfg := writeFile(t, "pg-digest.toml", "[store]\ndriver = \"postgres\"\n"+digestConfig)
	code, out, errOut = cli(t, vars, "digest", "--preview", "--config", digestCfg, "--at", "2026-12-07")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "from postgres "+direct.Host())
	assert.Contains(t, out, "Cadence digest · 2026-W49")
	assert.Contains(t, out, "Team score 60 of 100")

	// No holder file or identity headers: those prove a bbolt file's holder.
	resp, err := http.Get(url + "api/occurrences")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Empty(t, resp.Header.Get(headerDatabase))
	code, body = get(t, url+"api/backup")
	assert.Equal(t, http.StatusNotImplemented, code)
	assert.Contains(t, body, "pg_dump")
}

// What PostgreSQL refuses, with the reason named: a bbolt --db for run,
// a backup (pg_dump's job), a missing connection string.
func TestPostgresDriverRefusals(t *testing.T) {
	example, err := os.ReadFile("../../config.example.toml")
	require.NoError(t, err)
	pg := writeFile(t, "pg.toml", "[store]\ndriver = \"postgres\"\n"+string(example))
	vars := map[string]string{"CADENCEBOT_DATABASE_URL": "postgres://cadence@127.0.0.1:1/cadence"}
	tests := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"run with --db", vars, []string{"run", "--config", pg, "--listen", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "x.db")}, "--db and --init are for a bbolt file"},
		{"run with --init", vars, []string{"run", "--config", pg, "--listen", "127.0.0.1:0", "--init"}, "--db and --init are for a bbolt file"},
		{"backup", vars, []string{"backup", "--config", pg, "--out", filepath.Join(t.TempDir(), "b.db")}, "pg_dump"},
		{"run without the URL", nil, []string{"run", "--config", pg, "--listen", "127.0.0.1:0"}, "needs CADENCEBOT_DATABASE_URL"},
		{"report without the URL", nil, []string{"report", "--config", pg}, "needs CADENCEBOT_DATABASE_URL"},
		{"audit, server down", vars, []string{"audit", "--config", pg}, "127.0.0.1:1/cadence"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := cli(t, tc.vars, tc.args...)
			assert.Equal(t, 1, code, errOut)
			assert.Contains(t, errOut, tc.want)
		})
	}
}

// report, audit and digest open PostgreSQL read-only: they never migrate
// it. An empty database, or one a newer binary migrated, is refused with
// the versions named and left as it was; an unreachable server fails
// within the connect timeout naming the host, never the password.
func TestReadingCommandsNeverMigrate(t *testing.T) {
	example, err := os.ReadFile("../../config.example.toml")
	require.NoError(t, err)
	pg := writeFile(t, "pg.toml", "[store]\ndriver = \"postgres\"\n"+string(example))
	ctx := context.Background()
	cur := postgres.SchemaVersion()

	empty := pgtest.URL(t)
	newer := pgtest.URL(t)
	migrated, err := postgres.Open(ctx, newer)
	require.NoError(t, err)
	require.NoError(t, migrated.Close())
	conn, err := pgx.Connect(ctx, newer)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES ($1, 'from the future')", cur+1)
	require.NoError(t, err)

	down := "postgres://cadence:s3cret-pw@127.0.0.1:1/cadence?connect_timeout=2"
	tests := []struct {
		name, url, want string
	}{
		{"empty database", empty, fmt.Sprintf("version 0, older than this binary's %d, and is open read-only", cur)},
		{"newer schema", newer, fmt.Sprintf("version %d, newer than this binary's %d", cur+1, cur)},
		{"server down", down, "connect to 127.0.0.1:1/cadence"},
	}
	commands := [][]string{
		{"report", "--config", pg},
		{"audit", "--config", pg, "--verify"},
		{"digest", "--preview", "--config", pg},
	}
	for _, tc := range tests {
		for _, args := range commands {
			t.Run(tc.name+"/"+args[0], func(t *testing.T) {
				start := time.Now()
				code, _, errOut := cli(t, map[string]string{"CADENCEBOT_DATABASE_URL": tc.url}, args...)
				assert.Equal(t, 1, code, errOut)
				assert.Contains(t, errOut, tc.want)
				assert.NotContains(t, errOut, "s3cret-pw")
				assert.Less(t, time.Since(start), 15*time.Second)
			})
		}
	}
	var exists bool
	econn, err := pgx.Connect(ctx, empty)
	require.NoError(t, err)
	defer econn.Close(ctx)
	require.NoError(t, econn.QueryRow(ctx, "SELECT to_regclass('schema_version') IS NOT NULL").Scan(&exists))
	assert.False(t, exists, "the empty database was not migrated")
	var v int
	require.NoError(t, conn.QueryRow(ctx, "SELECT max(version) FROM schema_version").Scan(&v))
	assert.Equal(t, cur+1, v)
}
