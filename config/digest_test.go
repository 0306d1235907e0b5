package config_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

func TestDigestIsOptional(t *testing.T) {
	cfg, err := config.Parse("ok.toml", []byte(file(team, ritual())))
	require.NoError(t, err)
	assert.Nil(t, cfg.Digest, "no [digest] table, no digest")
}

func TestDigestDefaultsAndSelectors(t *testing.T) {
	cfg, err := config.Parse("ok.toml", []byte(file(team, ritual(), []string{
		`[digest]`,
		`channel = "ml-leads"`,
		`recipients = ["role:lead", "bo", "ana"]`,
	})))
	require.NoError(t, err)
	g := cfg.Digest
	require.NotNil(t, g)
	assert.Equal(t, "0 9 * * 1", g.Spec)
	assert.Equal(t, "Europe/Zurich", g.Location.String(), "bot.timezone by default")
	assert.Equal(t, "local", g.Platform)
	assert.Equal(t, []string{"ana", "bo"}, g.Recipients, "roster order, each once")
	assert.Equal(t, 8, g.Weeks)
	assert.InDelta(t, 70, g.Threshold, 0)
	assert.Equal(t, []cadence.Recipient{{Channel: "ml-leads"}, {Person: "ana"}, {Person: "bo"}}, g.RecipientList())

	sunday := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	assert.Equal(t, time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), g.Schedule.Next(sunday), "Monday 09:00 Zurich")
}

func TestDigestExplicitValues(t *testing.T) {
	cfg, err := config.Parse("ok.toml", []byte(file(team, ritual(), []string{
		`[digest]`,
		`schedule = "30 8 * * FRI"`,
		`timezone = "America/New_York"`,
		`platform = "local"`,
		`recipients = ["ana"]`,
		`weeks = 12`,
		`threshold = 0`,
	})))
	require.NoError(t, err)
	g := cfg.Digest
	assert.Equal(t, "America/New_York", g.Location.String())
	assert.Empty(t, g.Channel)
	assert.Equal(t, 12, g.Weeks)
	assert.Zero(t, g.Threshold, "0 is allowed: list nobody")
	assert.Equal(t, []cadence.Recipient{{Person: "ana"}}, g.RecipientList())
	// Friday 6 March 2026 08:30 EST is 13:30 UTC.
	assert.Equal(t, time.Date(2026, 3, 6, 13, 30, 0, 0, time.UTC), g.Schedule.Next(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)))
}

// The [digest] table starts on line 22, after the 14-line team and the
// 7-line ritual.
func TestDigestRefusesBadValues(t *testing.T) {
	digest := func(lines ...string) string {
		return file(team, ritual(), append([]string{`[digest]`}, lines...))
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "nobody to send it to",
			src:  digest(`weeks = 4`),
			want: []string{`bad.toml:22: digest: no one to send the digest to: set channel (the managers' channel), recipients (person ids or "role:manager" for DMs), or both`},
		},
		{
			name: "bad schedule and zone",
			src:  digest(`channel = "ml-leads"`, `schedule = "0 9 * 1"`, `timezone = "Europe/Zürich"`),
			want: []string{
				`bad.toml:24: digest.schedule: expected exactly 5 fields, found 4: [0 9 * 1]`,
				`bad.toml:25: digest.timezone: unknown time zone "Europe/Zürich" (use an IANA name such as "Europe/Zurich")`,
			},
		},
		{
			name: "zone given twice",
			src:  digest(`channel = "ml-leads"`, `schedule = "CRON_TZ=Asia/Almaty 0 9 * * 1"`, `timezone = "Europe/Zurich"`),
			want: []string{`bad.toml:25: digest.timezone: "Europe/Zurich" conflicts with the zone in schedule (Asia/Almaty); give one`},
		},
		{
			name: "unknown platform, channel with a space",
			src:  digest(`platform = "discord"`, `channel = "ml leads"`),
			want: []string{
				`bad.toml:23: digest.platform: "discord" is not one of local, slack, teams`,
				`bad.toml:24: digest.channel: "ml leads": channel names have no spaces`,
			},
		},
		{
			name: "recipients that match nobody",
			src:  digest(`recipients = ["marc", "role:boss", "role:manager", "capability:finance", "team:ml"]`),
			want: []string{
				`bad.toml:23: digest.recipients[0]: unknown person "marc"`,
				`bad.toml:23: digest.recipients[1]: unknown role "boss" (use specialist, lead, manager or admin)`,
				`bad.toml:23: digest.recipients[2]: nobody has role "manager"`,
				`bad.toml:23: digest.recipients[3]: nobody has capability "finance"`,
				`bad.toml:23: digest.recipients[4]: unknown selector "team:ml" (use a person id, "role:<role>", "capability:<capability>" or "all")`,
			},
		},
		{
			name: "weeks and threshold out of range",
			src:  digest(`channel = "ml-leads"`, `weeks = 0`, `threshold = 120`),
			want: []string{
				`bad.toml:24: digest.weeks: 0 weeks: the trend covers 1 to 52 weeks`,
				`bad.toml:25: digest.threshold: 120 is not a percentage from 0 to 100 (0 lists nobody)`,
			},
		},
		{
			name: "negative threshold, too many weeks",
			src:  digest(`channel = "ml-leads"`, `weeks = 60`, `threshold = -0.5`),
			want: []string{
				`bad.toml:24: digest.weeks: 60 weeks: the trend covers 1 to 52 weeks`,
				`bad.toml:25: digest.threshold: -0.5 is not a percentage from 0 to 100 (0 lists nobody)`,
			},
		},
		{
			name: "values of the wrong type",
			src:  digest(`channel = "ml-leads"`, `weeks = 8.5`, `threshold = "high"`),
			want: []string{
				`bad.toml:24: digest.weeks: must be an integer, not a float`,
				`bad.toml:25: digest.threshold: must be a number, not a string`,
			},
		},
		{
			name: "typo in a key",
			src:  digest(`chanel = "ml-leads"`, `recipients = ["ana"]`),
			want: []string{`bad.toml:23: digest.chanel: unknown key (did you mean "channel"?)`},
		},
		{
			name: "DMs on slack to someone without a slack handle",
			src:  digest(`platform = "slack"`, `recipients = ["bo"]`),
			want: []string{`bad.toml:24: digest.recipients: bo gets the digest on slack but has no slack user id or email`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("bad.toml", []byte(tt.src))
			require.Error(t, err)
			var errs config.Errors
			require.True(t, errors.As(err, &errs), "%T", err)
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDigestMustBeATable(t *testing.T) {
	_, err := config.Parse("bad.toml", []byte(toml(append([]string{`digest = "weekly"`}, file(team, ritual()))...)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.toml:1: digest: must be a table")
}

func TestExampleConfigHasADigest(t *testing.T) {
	cfg, err := config.Load("../config.example.toml")
	require.NoError(t, err)
	g := cfg.Digest
	require.NotNil(t, g)
	assert.Equal(t, []cadence.Recipient{{Channel: "ml-leads"}, {Person: "marc"}}, g.RecipientList(), "the channel and the manager")
	assert.Equal(t, "local", g.Platform)
	assert.Equal(t, 8, g.Weeks)
	assert.InDelta(t, 70, g.Threshold, 0)
	assert.Equal(t, time.Monday, g.Schedule.Next(time.Date(2026, 6, 7, 12, 0, 0, 0, time.UTC)).In(g.Location).Weekday())
}
