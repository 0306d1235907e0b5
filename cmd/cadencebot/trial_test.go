package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// config check prints every warning run would log at start, including
// those only the daemon's parts know (release approvers).
func TestConfigCheckPrintsTheWarningsRunWould(t *testing.T) {
	cfg := writeFile(t, "app.toml", appConfig) // one lead: one approver, high risk needs 2
	code, _, errOut := cli(t, nil, "config", "check", "--config", cfg)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "warning: fewer release approvers than a high-risk release needs")

	code, out, errOut := cli(t, nil, "config", "check", "--config", "../../config/testdata/trial.toml")
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, errOut, "warning:", "the trial starts without warnings")
	assert.Contains(t, out, "the first occurrence opens at once, then one every 4m")
}

// config check --from previews fire times from a chosen day, e.g. across
// a DST change; --n bounds how many.
func TestConfigCheckFrom(t *testing.T) {
	cfg := writeFile(t, "app.toml", appConfig)
	code, out, errOut := cli(t, nil, "config", "check", "--config", cfg, "--from", "2027-03-22", "--n", "2")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "triage (triage, \"30 9 * * 1\"), from 2027-03-22, first 2 in Europe/Zurich:\n"+
		"  Mon 2027-03-22 09:30 CET\n  Mon 2027-03-29 09:30 CEST\n")

	for _, args := range [][]string{{"--from", "22.03.2027"}, {"--n", "0"}} {
		code, _, errOut = cli(t, nil, append([]string{"config", "check", "--config", cfg}, args...)...)
		assert.Equal(t, 2, code, args)
		assert.Contains(t, errOut, args[0]+":", args)
	}
}

// The trial config shows something within seconds of the start, with a
// window long enough to read the prompt and type an answer.
func TestTrialOpensAtOnceWithAWindowToAnswerIn(t *testing.T) {
	cfg, err := config.Load("../../config/testdata/trial.toml")
	require.NoError(t, err)
	start := time.Date(2026, 12, 2, 14, 0, 7, 0, time.UTC)
	app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "trial.db"),
		Getenv: func(string) string { return "" }, Clock: cadence.NewManualClock(start.Add(time.Second)), Log: zerolog.Nop()})
	require.NoError(t, err)
	defer app.Close()
	require.NoError(t, app.eng.Tick(context.Background()))

	var occs []*cadence.Occurrence
	require.NoError(t, app.db.View(context.Background(), func(tx cadence.Tx) error {
		occs, err = tx.Occurrences(cadence.OccurrenceFilter{Status: []cadence.Status{cadence.StatusOpen}})
		return err
	}))
	require.Len(t, occs, len(cfg.Rituals), "every trial ritual opens at the first tick")
	for _, o := range occs {
		assert.False(t, o.Late, o.ID)
		assert.GreaterOrEqual(t, o.ClosesAt.Sub(o.OpenedAt), 3*time.Minute, o.ID)
		assert.Len(t, o.Prompted, len(o.Expected), "%s: everyone asked at once", o.ID)
		assert.True(t, strings.HasPrefix(o.ID, "trial-"), o.ID)
	}
}
