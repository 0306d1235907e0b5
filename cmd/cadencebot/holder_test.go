package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/store"
)

// Two bots on two ports with two databases. The config's listen address
// points at bot B; `report --db A` and `audit --db A` must print A's
// figures (through the holder file A's bot wrote) or fail, never B's.
func TestLockedDatabaseIsAskedOfTheBotThatHoldsIt(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // 09:00 Zurich
	a := startApp(t, nil, monday)
	b := startApp(t, nil, monday)

	// A holds one triage and one audited incident; B holds nothing.
	_, err := bot.Run(context.Background(), a.svc, a.cfg.Roster.Person("lea"), "incident new Drift on ranker-v3 --sev 2", monday)
	require.NoError(t, err)
	a.clock.Set(monday.Add(31 * time.Minute))
	require.Eventually(t, func() bool {
		_, body := get(t, a.url+"api/occurrences?from=2026-11-30&to=2026-12-01")
		return strings.Contains(body, "triage@20261130T083000Z")
	}, 5*time.Second, 10*time.Millisecond)

	bURL, err := url.Parse(b.url)
	require.NoError(t, err)
	cfg := writeFile(t, "cli.toml", strings.Replace(appConfig, "[bot]\n", "[bot]\nlisten = \""+bURL.Host+"\"\n", 1))
	period := []string{"--since", "2026-11-30", "--until", "2026-12-07", "--format", "csv"}
	dbA := a.opts.DB
	holderA, err := os.ReadFile(holderPath(dbA))
	require.NoError(t, err, "the bot records its address next to its database")

	t.Run("holder file leads to the right bot", func(t *testing.T) {
		code, out, errOut := cli(t, nil, append([]string{"report", "--config", cfg, "--db", dbA}, period...)...)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "triage@20261130T083000Z")

		code, out, errOut = cli(t, nil, "audit", "--config", cfg, "--db", dbA, "--verify")
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "incident.open")
		assert.Contains(t, errOut, "audit log of "+dbA+" intact: 1 entries")
	})

	refusals := []struct {
		name   string
		holder string // content of A's holder file; "" removes it
		args   []string
		want   string
	}{
		{"explicit --url of the other bot", string(holderA), []string{"--url", b.url}, "is not the one that holds it"},
		{"no holder file: the config's address answers with another database", "", nil, "serves " + b.opts.DB + ", not " + dbA},
		{"stale holder file naming the other bot's address",
			`{"url": "` + b.url + `", "instance": "0123456789abcdef0123456789abcdef"}`, nil, "is not the one that holds it"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if tt.holder == "" {
				require.NoError(t, os.Remove(holderPath(dbA)))
			} else {
				require.NoError(t, os.WriteFile(holderPath(dbA), []byte(tt.holder), 0o644))
			}
			t.Cleanup(func() { require.NoError(t, os.WriteFile(holderPath(dbA), holderA, 0o644)) })
			for _, cmd := range [][]string{
				append([]string{"report", "--config", cfg, "--db", dbA}, period...),
				{"audit", "--config", cfg, "--db", dbA},
			} {
				code, out, errOut := cli(t, nil, append(cmd, tt.args...)...)
				assert.Equal(t, 1, code, "%v: %s", cmd, out)
				assert.Empty(t, out, "%v printed figures", cmd)
				assert.Contains(t, errOut, "database "+dbA+" is locked by another process", cmd)
				assert.Contains(t, errOut, tt.want, cmd)
				assert.Contains(t, errOut, "refusing to print another database's figures", cmd)
			}
		})
	}
}

// Nothing answers where the holder file points: a clear error, exit 1.
func TestLockedDatabaseWithoutAReachableBot(t *testing.T) {
	a := startApp(t, nil, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	require.NoError(t, os.WriteFile(holderPath(a.opts.DB), []byte(`{"url": "http://127.0.0.1:1/", "instance": "x"}`), 0o644))
	code, out, errOut := cli(t, nil, "report", "--db", a.opts.DB)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "the bot's API at http://127.0.0.1:1 did not answer")
}

// The holder file goes away with the bot.
func TestHolderFileRemovedOnClose(t *testing.T) {
	a := startApp(t, nil, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	h, err := readHolder(a.opts.DB)
	require.NoError(t, err)
	assert.Equal(t, a.url, h.URL)
	assert.Equal(t, a.instance, h.Instance)
	a.stop()
	require.NoError(t, <-a.done)
	a.done <- nil // for the cleanup
	require.NoError(t, a.Close())
	_, err = os.Stat(holderPath(a.opts.DB))
	assert.True(t, os.IsNotExist(err), "holder file left behind")
}

// An empty audit log is named as such, with the file: it is often the
// wrong database (./cadencebot.db when --db was forgotten).
func TestAuditOfAnEmptyLogNamesTheDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "empty.db")
	s, err := store.Open(db, store.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	code, out, errOut := cli(t, nil, "audit", "--db", db, "--verify")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "no audit entries\n", out)
	assert.Contains(t, errOut, "audit log of "+db+" is empty: nothing audited yet (is this the database you meant? pass --db)")
}
