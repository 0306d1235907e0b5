package main

import (
	"context"
	"encoding/json"
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

// A ritual every ten minutes: any gap between the simulation's end and
// the bot's start longer than that shows up as missed occurrences.
const frequentConfig = `
[bot]
timezone = "Europe/Zurich"

[[people]]
id = "lea"
name = "Lea"
role = "lead"

[[people]]
id = "ana"
name = "Ana"
role = "specialist"

[[rituals]]
id = "pulse"
title = "Pulse"
kind = "standup"
schedule = "*/10 * * * *"
channel = "mlops"
participants = ["all"]
window = "5m"
`

// `run --db demo.db` right after `simulate --db demo.db` carries on where
// the simulation stopped: nothing is counted as missed or excused because
// "cadencebot was down".
func TestRunAfterSimulateSeesNoDowntime(t *testing.T) {
	cfgPath := writeFile(t, "frequent.toml", frequentConfig)
	db := filepath.Join(t.TempDir(), "demo.db")
	code, _, errOut := cli(t, nil, "simulate", "--config", cfgPath, "--weeks", "1", "--db", db)
	require.Equal(t, 0, code, errOut)

	cfg, err := config.Parse(cfgPath, []byte(frequentConfig))
	require.NoError(t, err)
	now := time.Now()
	app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: db, Getenv: func(string) string { return "" },
		Clock: cadence.NewManualClock(now.Add(20 * time.Second)), Log: zerolog.Nop()})
	require.NoError(t, err)
	defer app.Close()
	require.NoError(t, app.eng.Tick(context.Background()))

	var occs []*cadence.Occurrence
	require.NoError(t, app.db.View(context.Background(), func(tx cadence.Tx) error {
		occs, err = tx.Occurrences(cadence.OccurrenceFilter{From: now.Add(-24 * time.Hour), To: now.Add(time.Hour)})
		return err
	}))
	require.NotEmpty(t, occs)
	for _, o := range occs {
		assert.NotEqual(t, cadence.StatusMissed, o.Status, "%s counted as missed", o.ID)
		for p, why := range o.Excused {
			assert.NotContains(t, why, "was down", "%s: %s excused", o.ID, p)
		}
	}
}

// simulate --weeks N and report --weeks N cover the same calendar weeks
// and print the same figures, in the same JSON shape.
func TestSimulateAndReportAgree(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	// Both end on the same day: ending at "now", a slow simulation on a
	// loaded machine let a fire time pass between the two runs, and the
	// report counted it (as missed) where the simulation had not.
	const until = "2026-11-26"
	code, simJSON, errOut := cli(t, nil, "simulate", "--weeks", "3", "--seed", "5", "--until", until, "--db", db, "--format", "json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "Simulated 3 weeks", "the run's own figures go to stderr")
	code, repJSON, errOut := cli(t, nil, "report", "--db", db, "--weeks", "3", "--until", until, "--format", "json")
	require.Equal(t, 0, code, errOut)

	type doc struct {
		From, To    time.Time
		Team        map[string]any
		Weeks       []map[string]any
		Occurrences []map[string]any
	}
	var sim, rep doc
	require.NoError(t, json.Unmarshal([]byte(simJSON), &sim), simJSON[:min(200, len(simJSON))])
	require.NoError(t, json.Unmarshal([]byte(repJSON), &rep))
	assert.Equal(t, rep.Team, sim.Team)
	assert.Equal(t, len(rep.Occurrences), len(sim.Occurrences))
	require.Len(t, sim.Weeks, 3, "three calendar weeks")
	assert.Equal(t, sim.From, rep.From)
	zurich, _ := time.LoadLocation("Europe/Zurich")
	from := sim.From.In(zurich)
	assert.Equal(t, time.Monday, from.Weekday())
	assert.Equal(t, "00:00", from.Format("15:04"))
	// The documented report shape: snake_case names, no Go field names.
	assert.Contains(t, simJSON, `"formula"`)
	assert.NotContains(t, simJSON, `"Prompts"`)
	assert.NotContains(t, simJSON, `"MedianLatency"`)
	assert.Equal(t, strings.Count(repJSON, "\n"), strings.Count(simJSON, "\n"))
}

func TestWeeksBackCountsCalendarWeeks(t *testing.T) {
	zurich, _ := time.LoadLocation("Europe/Zurich")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, zurich)
		require.NoError(t, err)
		return tm
	}
	for _, tt := range []struct {
		to    string
		weeks int
		want  string
	}{
		{"2026-12-02 14:07", 1, "2026-11-30 00:00"}, // a Wednesday: this week so far
		{"2026-12-02 14:07", 4, "2026-11-09 00:00"},
		{"2026-11-23 00:00", 2, "2026-11-09 00:00"}, // a Monday midnight end: two whole weeks
		{"2026-11-29 23:59", 1, "2026-11-23 00:00"}, // Sunday night
		{"2026-03-30 10:00", 2, "2026-03-23 00:00"}, // across the spring-forward Sunday
	} {
		got := weeksBack(at(tt.to), tt.weeks, zurich)
		assert.Equal(t, tt.want, got.Format("2006-01-02 15:04"), "%s, %d weeks", tt.to, tt.weeks)
	}
}
