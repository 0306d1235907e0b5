package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/config"
)

// rota is the team, a ritual (lines 15–21), then a blank line and the
// given lines from line 23.
func rota(lines ...string) string {
	return file(team, ritual(), []string{``}, lines)
}

func TestRotationsParse(t *testing.T) {
	cfg, err := config.Parse("ok.toml", []byte(rota(
		`[[rotations]]`,
		`id = "primary"`,
		`members = ["bo", "ana"]`,
		`timezone = "Europe/Bucharest"`,
		`start = 2026-11-30`,
		`handoff_day = "mon"`,
		`handoff_time = "09:30"`,
		`length = "2w"`,
		`overrides = [{ from = "2026-12-24 09:00", to = 2026-12-28T09:00:00, person = "ana", note = "Christmas" }]`,
	)))
	require.NoError(t, err)
	require.Len(t, cfg.Rotations, 1)
	r := cfg.Rotations[0]
	assert.Equal(t, []string{"bo", "ana"}, r.Members)
	assert.Equal(t, 14, r.Length)
	assert.Equal(t, 9, r.HandoffHour)
	assert.Equal(t, 30, r.HandoffMinute)
	assert.Equal(t, "Europe/Bucharest", r.Location.String())
	require.Len(t, r.Overrides, 1)
	// 09:00 in Bucharest in winter is 07:00 UTC.
	assert.Equal(t, time.Date(2026, 12, 24, 7, 0, 0, 0, time.UTC), r.Overrides[0].From)
	assert.Equal(t, time.Date(2026, 12, 28, 7, 0, 0, 0, time.UTC), r.Overrides[0].To)
	assert.Equal(t, "primary", r.Overrides[0].Rotation)
}

func TestRotationsRefuseGapsOverlapsAndTypos(t *testing.T) {
	base := []string{`[[rotations]]`, `id = "primary"`, `members = ["bo", "ana"]`, `start = 2026-11-30`, `length = "1w"`} // lines 23–27
	tests := []struct {
		name string
		over []string
		want []string
	}{
		{"no members is a gap", []string{`members = []`},
			[]string{`bad.toml:25: rotations[0].members: no members: nobody would be on call (a gap); list person ids in hand-off order`}},
		{"unknown and repeated members", []string{`members = ["bo", "zed", "bo"]`},
			[]string{`bad.toml:25: rotations[0].members[1]: unknown person "zed"`,
				`bad.toml:25: rotations[0].members[2]: "bo" is listed twice: each member takes one turn per cycle`}},
		{"bad length", []string{`length = "1 fortnight"`},
			[]string{`bad.toml:27: rotations[0].length: "1 fortnight": the unit is d (days) or w (weeks)`}},
		{"start not on the hand-off day", []string{`handoff_day = "tuesday"`},
			[]string{`bad.toml:26: rotations[0].start: 2026-11-30 is a Monday, but handoff_day is Tuesday`}},
		{"bad hand-off time and zone", []string{`handoff_time = "9am"`, `timezone = "Europe/Bucuresti"`},
			[]string{`bad.toml:28: rotations[0].handoff_time: "9am" is not a time of day; use HH:MM, e.g. "09:00"`,
				`bad.toml:29: rotations[0].timezone: unknown time zone "Europe/Bucuresti" (use an IANA name such as "Europe/Zurich")`}},
		{"overlapping overrides", []string{`overrides = [{ from = "2026-12-24 09:00", to = "2026-12-28 09:00", person = "ana" }, { from = "2026-12-27 09:00", to = "2026-12-29 09:00", person = "bo" }]`},
			[]string{`bad.toml:28: rotations[0].overrides[1]: overlap: ana is on call from 2026-12-24 08:00 UTC to 2026-12-28 08:00 UTC, and bo from 2026-12-27 08:00 UTC to 2026-12-29 08:00 UTC`}},
		{"an override that ends before it starts", []string{`overrides = [{ from = "2026-12-28 09:00", to = "2026-12-24 09:00", person = "ana" }]`},
			[]string{`bad.toml:28: rotations[0].overrides[0]: the override for ana ends (2026-12-24 08:00 UTC) before it starts (2026-12-28 08:00 UTC): that leaves a gap`}},
		{"an override without a person or a time", []string{`overrides = [{ from = "24.12.2026", to = "2026-12-28 09:00" }]`},
			[]string{`bad.toml:28: rotations[0].overrides[0].from: "24.12.2026" is not a local time; use "YYYY-MM-DD HH:MM" (in the rotation's zone)`,
				`bad.toml:28: rotations[0].overrides[0].person: missing person: an override names who is on call instead`}},
		{"a typo in a key", []string{`lenght = "1w"`},
			[]string{`bad.toml:28: rotations[0].lenght: unknown key (did you mean "length"?)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := append([]string(nil), base...)
			for _, o := range tt.over {
				key, _, _ := strings.Cut(o, " =")
				replaced := false
				for i, l := range lines {
					if strings.HasPrefix(l, key+" =") {
						lines[i], replaced = o, true
					}
				}
				if !replaced {
					lines = append(lines, o)
				}
			}
			_, err := config.Parse("bad.toml", []byte(rota(lines...)))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, strings.Split(err.Error(), "\n"))
		})
	}
}

func TestRotationImport(t *testing.T) {
	base := []string{`[[rotations]]`, `id = "primary"`, `members = ["bo", "ana"]`, `start = 2026-11-30`, `length = "1w"`, ``, `[rotations.import]`} // lines 23–29
	tests := []struct {
		name  string
		lines []string
		want  []string
	}{
		{"pagerduty", []string{`provider = "pagerduty"`, `schedule_id = "PABC123"`, `token_env = "PAGERDUTY_TOKEN"`, `every = "2m"`}, nil},
		{"opsgenie on its EU instance", []string{`provider = "Opsgenie"`, `schedule_id = "d875e654-9b4e-4219-a803-0c26b2a8e2ba"`, `token_env = "OPSGENIE_KEY"`, `url = "https://api.eu.opsgenie.com"`}, nil},
		{"unknown provider, no schedule, token in the file", []string{`provider = "victorops"`, `token = "u+abcdefghijklmnopqrstuvwx"`},
			[]string{`bad.toml:29: rotations[0].import.schedule_id: missing schedule_id: the id of the victorops schedule whose on-call this rotation follows`,
				`bad.toml:29: rotations[0].import.token_env: "": name the environment variable holding the API token (e.g. "PAGERDUTY_TOKEN"); the token itself never goes in the file`,
				`bad.toml:30: rotations[0].import.provider: "victorops": the provider is "pagerduty" or "opsgenie"`,
				`bad.toml:31: rotations[0].import.token: looks like a secret; secrets are read from the environment, never from the config file (set a variable of your choice, named in token_env)`}},
		{"plain http elsewhere, bad period", []string{`provider = "pagerduty"`, `schedule_id = "P1"`, `token_env = "PD"`, `url = "http://pd.example.com"`, `every = "10s"`},
			[]string{`bad.toml:33: rotations[0].import.url: "http://pd.example.com" is plain http to another machine: the bot would send its credentials in clear text; use https (http is allowed on localhost only)`,
				`bad.toml:34: rotations[0].import.every: "10s": between 1m and 24h (the providers rate-limit their APIs)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("bad.toml", []byte(rota(append(append([]string(nil), base...), tt.lines...)...)))
			if tt.want != nil {
				require.Error(t, err)
				assert.Equal(t, tt.want, strings.Split(err.Error(), "\n"))
				return
			}
			require.NoError(t, err)
			im := cfg.Rotations[0].Import
			require.NotNil(t, im)
			assert.Contains(t, []string{"pagerduty", "opsgenie"}, im.Provider)
			assert.NotEmpty(t, im.Schedule)
			// Neither member has an email: the import could not map them.
			require.Len(t, cfg.Warnings, 2)
			assert.Contains(t, cfg.Warnings[0].Error(), `member "bo" has no email in [[people]]`)
		})
	}
}

// A hand-off ritual follows a rotation: its schedule and participants
// default to the rotation's; naming no rotation, an unknown one, or a
// rotation on another kind is refused at the field.
func TestHandoffRitual(t *testing.T) {
	rotation := []string{``, `[[rotations]]`, `id = "primary"`, `members = ["bo", "ana"]`, `timezone = "Europe/Bucharest"`, `start = 2026-11-30`, `handoff_time = "10:00"`, `length = "1w"`}
	handoff := func(over ...string) []string {
		return ritual(append([]string{`id = "handoff"`, `kind = "handoff"`, `schedule = ""`, `participants = []`, `window = "6h"`}, over...)...)
	}
	t.Run("defaults from the rotation", func(t *testing.T) {
		cfg, err := config.Parse("ok.toml", []byte(file(team, handoff(`rotation = "primary"`), rotation)))
		require.NoError(t, err)
		r := cfg.Ritual("handoff")
		assert.Equal(t, "primary", r.Rotation)
		assert.Equal(t, "CRON_TZ=Europe/Bucharest 0 10 * * 1", r.Spec, "weekly, on the hand-off day and time")
		assert.Equal(t, []string{"ana", "bo"}, r.Participants)
		assert.Equal(t, "incidents", r.Questions[0].ID)
		// Monday 10:00 in Bucharest is 08:00 UTC.
		assert.Equal(t, time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC), r.Schedule.Next(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))
	})
	t.Run("daily for turns of days", func(t *testing.T) {
		rot := append(append([]string(nil), rotation[:len(rotation)-1]...), `length = "3d"`)
		cfg, err := config.Parse("ok.toml", []byte(file(team, handoff(`rotation = "primary"`), rot)))
		require.NoError(t, err)
		assert.Equal(t, "CRON_TZ=Europe/Bucharest 0 10 * * *", cfg.Ritual("handoff").Spec)
	})
	tests := []struct {
		name  string
		parts [][]string
		want  []string
	}{
		{"no rotation named", [][]string{team, handoff(), rotation},
			[]string{`bad.toml:15: rituals[0].rotation: missing rotation: a hand-off ritual names the on-call rotation whose hand-offs it runs (known rotations: primary)`}},
		{"an unknown rotation", [][]string{team, handoff(`rotation = "secondary"`)},
			[]string{`bad.toml:22: rituals[0].rotation: unknown rotation "secondary" (no [[rotations]] are configured)`}},
		{"a rotation on a triage", [][]string{team, ritual(`rotation = "primary"`), rotation},
			[]string{`bad.toml:22: rituals[0].rotation: only a kind = "handoff" ritual follows a rotation; this one is "triage"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("bad.toml", []byte(file(tt.parts...)))
			require.Error(t, err)
			assert.Equal(t, tt.want, strings.Split(err.Error(), "\n"))
		})
	}
}
