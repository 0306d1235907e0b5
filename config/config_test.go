package config_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := config.Load("../config.example.toml")
	require.NoError(t, err)

	assert.Equal(t, "../config.example.toml", cfg.Path)
	assert.Equal(t, "Europe/Zurich", cfg.Bot.Timezone.String())
	assert.Equal(t, "local", cfg.Bot.DefaultPlatform)
	assert.Equal(t, "socket", cfg.Slack.Mode)

	roles := map[cadence.Role][]string{}
	zones := map[string]bool{}
	for _, p := range cfg.People {
		roles[p.Role] = append(roles[p.Role], p.ID)
		zones[p.Location.String()] = true
		assert.NotEmpty(t, p.Holidays, "%s has a holiday region", p.ID)
	}
	assert.Len(t, roles[cadence.RoleSpecialist], 7)
	assert.Equal(t, []string{"lena"}, roles[cadence.RoleLead])
	assert.Equal(t, []string{"marc"}, roles[cadence.RoleManager])
	for _, z := range []string{"Europe/Bucharest", "Europe/Warsaw", "Europe/Belgrade", "Asia/Tbilisi", "Asia/Almaty", "Europe/Zurich"} {
		assert.True(t, zones[z], "someone in %s", z)
	}

	kasia := cfg.Roster.Person("kasia")
	require.NotNil(t, kasia)
	away, why := kasia.Away(time.Date(2026, 8, 10, 9, 0, 0, 0, kasia.Location))
	assert.True(t, away)
	assert.Equal(t, "out of office", why)
	away, why = kasia.Away(time.Date(2026, 11, 11, 9, 0, 0, 0, kasia.Location))
	assert.True(t, away, "Polish Independence Day comes from holiday_region")
	assert.Equal(t, "holiday", why)
	assert.True(t, cfg.Roster.Person("mihai").Handles.Email != "", "slack email becomes the email handle")

	want := map[string]struct {
		kind    cadence.Kind
		weekday time.Weekday
		hour    int
		minute  int
		perUser bool
	}{
		"standup":             {cadence.KindStandup, time.Monday, 9, 15, true},
		"triage":              {cadence.KindTriage, time.Monday, 9, 30, false},
		"deployment-planning": {cadence.KindDeploymentPlanning, time.Tuesday, 14, 0, false},
		"quality-review":      {cadence.KindQualityReview, time.Thursday, 15, 0, false},
	}
	require.Len(t, cfg.Rituals, len(want))
	monday := time.Date(2026, 6, 7, 12, 0, 0, 0, time.UTC) // a Sunday: the next fire is in the coming week
	for _, r := range cfg.Rituals {
		w, ok := want[r.ID]
		require.True(t, ok, r.ID)
		assert.Equal(t, w.kind, r.Kind, r.ID)
		assert.Equal(t, w.perUser, r.PerPersonTime, r.ID)
		assert.Equal(t, "Europe/Zurich", r.Location.String(), r.ID)
		assert.Equal(t, "local", r.Platform, r.ID)
		assert.NotEmpty(t, r.Questions, r.ID)
		assert.NotEmpty(t, r.Participants, r.ID)
		assert.NotContains(t, r.Participants, "marc", "the manager answers no ritual")
		assert.Equal(t, "lena", r.Lead, r.ID)
		assert.LessOrEqual(t, r.Window, r.Schedule.Period(), r.ID)
		for _, rem := range r.Reminders {
			assert.Less(t, rem, r.Window, r.ID)
		}
		next := r.Schedule.Next(monday).In(r.Location)
		assert.Equal(t, w.weekday, next.Weekday(), r.ID)
		assert.Equal(t, [2]int{w.hour, w.minute}, [2]int{next.Hour(), next.Minute()}, r.ID)
	}
	dp := cfg.Ritual("deployment-planning")
	assert.Equal(t, []string{"mihai", "kasia", "nikola", "daniyar", "lena"}, dp.Participants, "capability selectors, roster order")
	assert.Equal(t, []time.Duration{18 * time.Hour, time.Hour}, dp.Reminders)
	assert.Equal(t, cadence.DefaultQuestions(cadence.KindDeploymentPlanning), dp.Questions)
	assert.Len(t, cfg.Ritual("triage").Facilitators, 7)
}

func TestDefaultIsTheExampleFile(t *testing.T) {
	onDisk, err := os.ReadFile("../config.example.toml")
	require.NoError(t, err)
	assert.Equal(t, string(onDisk), string(config.ExampleTOML()),
		"config/default.toml drifted from config.example.toml: run `go generate ./config`")

	cfg, err := config.Default()
	require.NoError(t, err)
	assert.Equal(t, config.DefaultName, cfg.Path)
	assert.Len(t, cfg.Rituals, 4)
}

func TestTrialConfigLoads(t *testing.T) {
	cfg, err := config.Load("testdata/trial.toml")
	require.NoError(t, err)
	for _, r := range cfg.Rituals {
		assert.Positive(t, r.Schedule.Interval(), "%s uses @every", r.ID)
		// Long enough to read a prompt and type an answer, short enough to
		// see the close and the summary within minutes.
		assert.GreaterOrEqual(t, r.Window, 3*time.Minute, r.ID)
		assert.Less(t, r.Window, r.Schedule.Interval(), r.ID)
	}
	assert.Equal(t, []time.Duration{3 * time.Minute, time.Minute}, cfg.Ritual("trial-deploys").Reminders,
		`"1m after open" is 3m before the close of a 4m window`)
}

func TestMinimalConfigGetsDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "min.toml")
	require.NoError(t, os.WriteFile(path, []byte(toml(
		`[[people]]`,
		`id = "ana"`,
		`[[rituals]]`,
		`id = "weekly"`,
		`kind = "quality-review"`,
		`schedule = "@weekly"`,
		`channel = "ml"`,
		`participants = ["ana"]`,
		`window = "168h"`,
	)), 0o600))
	cfg, err := config.Load(path)
	require.NoError(t, err)

	assert.Equal(t, config.BotConfig{
		Timezone: time.UTC, Database: "cadencebot.db", Listen: "127.0.0.1:8080",
		LogLevel: "info", LogFormat: "console", DefaultPlatform: "local",
		OutboxRetention: 30 * 24 * time.Hour,
	}, cfg.Bot)
	assert.Equal(t, config.SlackConfig{APIURL: "https://slack.com/api/", Mode: "socket"}, cfg.Slack)
	assert.Equal(t, config.DefaultTeamsTokenURL, cfg.Teams.TokenURL)

	ana := cfg.Roster.Person("ana")
	require.NotNil(t, ana)
	assert.Equal(t, &cadence.Person{ID: "ana", Name: "ana", Role: cadence.RoleSpecialist, Location: time.UTC}, ana)

	r := cfg.Rituals[0]
	assert.Equal(t, "weekly", r.Title)
	assert.Equal(t, "local", r.Platform)
	assert.Empty(t, r.Lead, "no lead or admin to default to")
	assert.Empty(t, r.Facilitators)
	assert.Equal(t, 168*time.Hour, r.Window, "a window equal to the period is allowed")
}

func TestLoadMissingFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "nope.toml"))
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "nope.toml")
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		err  config.Error
		want string
	}{
		{config.Error{File: "c.toml", Line: 4, Field: "bot.listen", Msg: "bad"}, "c.toml:4: bot.listen: bad"},
		{config.Error{File: "c.toml", Field: "rituals", Msg: "none"}, "c.toml: rituals: none"},
		{config.Error{File: "c.toml", Line: 2, Msg: "syntax"}, "c.toml:2: syntax"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.err.Error())
	}
}
