package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/config"
)

// toml joins lines so that line n of the file is lines[n-1]: the expected
// line numbers below can be checked by counting arguments.
func toml(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// team is a valid file of 14 lines; cases append rituals after it, so their
// first line is 15.
var team = []string{
	`[bot]`,                      // 1
	`timezone = "Europe/Zurich"`, // 2
	``,                           // 3
	`[[people]]`,                 // 4
	`id = "ana"`,                 // 5
	`role = "lead"`,              // 6
	`capabilities = ["release"]`, // 7
	``,                           // 8
	`[[people]]`,                 // 9
	`id = "bo"`,                  // 10
	`timezone = "Asia/Almaty"`,   // 11
	`capabilities = ["ci-cd"]`,   // 12
	`out_of_office = [{ from = "2026-08-03", to = "2026-08-14" }]`, // 13
	``, // 14
}

// ritual is a valid [[rituals]] table of 7 lines, with overrides applied
// in place (key = value replaced) or appended.
func ritual(over ...string) []string {
	lines := []string{
		`[[rituals]]`,
		`id = "triage"`,
		`kind = "triage"`,
		`schedule = "30 9 * * MON"`,
		`channel = "ml-ops"`,
		`participants = ["all"]`,
		`window = "4h"`,
	}
outer:
	for _, o := range over {
		key, _, _ := strings.Cut(o, " =")
		for i, l := range lines {
			if strings.HasPrefix(l, key+" =") {
				lines[i] = o
				continue outer
			}
		}
		lines = append(lines, o)
	}
	return lines
}

func file(parts ...[]string) string {
	var all []string
	for _, p := range parts {
		all = append(all, p...)
	}
	return toml(all...)
}

func TestParseRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "typo in a key, reported with the missing key it leaves",
			src:  file(team, ritual(`schedule = "30 9 * * MON"`, `windw = "4h"`)[:6], []string{`windw = "4h"`}),
			want: []string{
				`bad.toml:15: rituals[0].window: missing window (how long answers are collected, e.g. "4h")`,
				`bad.toml:21: rituals[0].windw: unknown key (did you mean "window"?)`,
			},
		},
		{
			name: "unknown person in participants",
			src:  file(team, ritual(`participants = ["ana", "bob"]`)),
			want: []string{`bad.toml:20: rituals[0].participants[1]: unknown person "bob"`},
		},
		{
			name: "unknown role and a role nobody has",
			src:  file(team, ritual(`participants = ["role:dev", "role:manager"]`)),
			want: []string{
				`bad.toml:20: rituals[0].participants[0]: unknown role "dev" (use specialist, lead, manager or admin)`,
				`bad.toml:20: rituals[0].participants[1]: nobody has role "manager"`,
			},
		},
		{
			name: "capability matching nobody, on its own line",
			src:  file(team, ritual("participants = [\n  \"capability:release\",\n  \"capability:feature-store\",\n]")),
			want: []string{`bad.toml:22: rituals[0].participants[1]: nobody has capability "feature-store"`},
		},
		{
			name: "bad cron",
			src:  file(team, ritual(`schedule = "30 9 * MON"`)),
			want: []string{`bad.toml:18: rituals[0].schedule: expected exactly 5 fields, found 4: [30 9 * MON]`},
		},
		{
			name: "a schedule that never fires (no 30 February)",
			src:  file(team, ritual(`schedule = "0 9 30 2 *"`)),
			want: []string{`bad.toml:18: rituals[0].schedule: never fires: no calendar date matches its day-of-month, month and day-of-week fields`},
		},
		{
			name: "unknown time zones of a person and of a ritual",
			src:  file(team[:10], []string{`timezone = "Asia/Almati"`}, team[11:], ritual(`timezone = "Europe/Zürich"`)),
			want: []string{
				`bad.toml:11: people[1].timezone: unknown time zone "Asia/Almati" (use an IANA name such as "Europe/Zurich")`,
				`bad.toml:22: rituals[0].timezone: unknown time zone "Europe/Zürich" (use an IANA name such as "Europe/Zurich")`,
			},
		},
		{
			name: "window longer than the period",
			src:  file(team, ritual(`schedule = "0 9 * * MON-FRI"`, `window = "25h"`)),
			want: []string{`bad.toml:21: rituals[0].window: 25h is longer than the 24h between two occurrences of "0 9 * * MON-FRI"; occurrences would overlap`},
		},
		{
			name: "window not positive, and reminders checked against windows",
			src: file(team,
				ritual(`window = "0s"`),
				ritual(`id = "standup"`, `kind = "standup"`, `reminders = ["1 hour before close", "5h before close", "3h after open", "1h before close"]`)),
			want: []string{
				`bad.toml:21: rituals[0].window: must be positive, not "0s"`,
				`bad.toml:29: rituals[1].reminders[0]: "1 hour before close" is not a reminder: use "<duration> before close" or "<duration> after open", e.g. "1h before close"`,
				`bad.toml:29: rituals[1].reminders[1]: "5h before close" is not inside the 4h window`,
				`bad.toml:29: rituals[1].reminders[3]: "1h before close" is the same time as reminders[2]`,
			},
		},
		{
			name: "duplicate person and ritual ids",
			src:  file(team, []string{`[[people]]`, `id = "ana"`, ``}, ritual(), ritual()),
			want: []string{
				`bad.toml:16: people[2].id: duplicate person id "ana" (first at line 5)`,
				`bad.toml:26: rituals[1].id: duplicate ritual id "triage" (first at line 19)`,
			},
		},
		{
			name: "no questions, and duplicate question ids",
			src: file(team, ritual(`questions = []`), ritual(`id = "review"`, `kind = "quality-review"`, `questions = [`), []string{
				`  { id = "drift", text = "Any drift?" },`,
				`  { id = "drift", text = "Any more drift?" },`,
				`]`,
			}),
			want: []string{
				"bad.toml:22: rituals[0].questions: no questions: remove `questions = []` to use the defaults for triage, or list at least one",
				`bad.toml:32: rituals[1].questions[1].id: duplicate question id "drift"`,
			},
		},
		{
			name: "unknown languages of the team and of a person",
			src:  file([]string{`[team]`, `language = "it"`, ``}, team[:10], []string{`language = "Klingon"`}, team[10:], ritual()),
			want: []string{
				`bad.toml:2: team.language: unknown language "it" (supported: de, en, es, fr, pl, ro)`,
				`bad.toml:14: people[1].language: unknown language "Klingon" (supported: de, en, es, fr, pl, ro)`,
			},
		},
		{
			name: "bad dates and a range that ends before it starts",
			src: file(team[:12], []string{
				`out_of_office = [`,
				`  { from = "2026-08-14", to = "2026-08-03" },`,
				`  { from = "2026-02-30", to = "2026-03-01" },`,
				`]`,
				`holidays = ["2026-12-25", "25.12.2026", 2026-12-26]`,
			}, ritual(`skip_dates = [2026-12-24T10:00:00Z]`)),
			want: []string{
				`bad.toml:14: people[1].out_of_office[0].to: 2026-08-03 is before from (2026-08-14)`,
				`bad.toml:15: people[1].out_of_office[1].from: "2026-02-30" is not a date in YYYY-MM-DD form`,
				`bad.toml:17: people[1].holidays[1]: "25.12.2026" is not a date in YYYY-MM-DD form`,
				`bad.toml:25: rituals[0].skip_dates[0]: must be a date (YYYY-MM-DD) without a time`,
			},
		},
		{
			name: "bad role, handle and region",
			src:  file(team[:5], []string{`role = "boss"`, `slack = "@ana"`, `holiday_region = "FR"`}, team[6:], ritual()),
			want: []string{
				`bad.toml:6: people[0].role: unknown role "boss" (use specialist, lead, manager or admin)`,
				`bad.toml:7: people[0].slack: "@ana" is neither a Slack user id (U… or W…) nor an email address`,
				`bad.toml:8: people[0].holiday_region: unknown region "FR" (known: ` + strings.Join(config.HolidayRegions(), ", ") + `; list other holidays in holidays)`,
			},
		},
		{
			name: "secrets in the file",
			src: file([]string{
				`[slack]`,
				`mode = "socket"`,
				`bot_token = "xoxb-1"`,
				`signing_secret = "s"`,
				`app_token = "xapp-1"`,
				`[teams]`,
				`app_password = "p"`,
				`app_id = "id"`,
				`[bot]`,
				`api_key = "k"`,
			}, team[3:], ritual()),
			want: []string{
				`bad.toml:3: slack.bot_token: looks like a secret; secrets are read from the environment, never from the config file (set SLACK_BOT_TOKEN)`,
				`bad.toml:4: slack.signing_secret: looks like a secret; secrets are read from the environment, never from the config file (set SLACK_SIGNING_SECRET)`,
				`bad.toml:5: slack.app_token: looks like a secret; secrets are read from the environment, never from the config file (set SLACK_APP_TOKEN)`,
				`bad.toml:7: teams.app_password: looks like a secret; secrets are read from the environment, never from the config file (set TEAMS_APP_PASSWORD)`,
				`bad.toml:8: teams.app_id: looks like a secret; secrets are read from the environment, never from the config file (set TEAMS_APP_ID)`,
				`bad.toml:10: bot.api_key: looks like a secret; secrets are read from the environment, never from the config file (set SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_SIGNING_SECRET, TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID)`,
			},
		},
		{
			name: "per_person_time without a time of day",
			src:  file(team, ritual(`kind = "standup"`, `schedule = "@every 30s"`, `window = "20s"`, `per_person_time = true`)),
			want: []string{`bad.toml:22: rituals[0].per_person_time: needs a time-of-day schedule; "@every 30s" has none`},
		},
		{
			name: "wrong type in the second ritual only stops that ritual",
			src:  file(team, ritual(), ritual(`id = "standup"`, `kind = "standup"`, `window = 4`, `per_person_time = "yes"`)),
			want: []string{
				`bad.toml:28: rituals[1].window: must be a string, not an integer`,
				`bad.toml:29: rituals[1].per_person_time: must be true or false, not a string`,
			},
		},
		{
			name: "every wrong type in nested tables, in a stable order",
			src: file(team, ritual(`questions = [`), []string{
				`  { id = 1, text = "ok", required = "yes" },`,
				`  { id = "b", text = ["x"] },`,
				`]`,
			}),
			want: []string{
				`bad.toml:23: rituals[0].questions[0].id: must be a string, not an integer`,
				`bad.toml:23: rituals[0].questions[0].required: must be true or false, not a string`,
				`bad.toml:24: rituals[0].questions[1].text: must be a string, not an array`,
			},
		},
		{
			name: "typo inside an inline table of an array",
			src:  file(team[:12], []string{`out_of_office = [{ from = "2026-08-03", to = "2026-08-14", nte = "x" }]`}, ritual()),
			want: []string{`bad.toml:13: people[1].out_of_office[0].nte: unknown key (did you mean "note"?)`},
		},
		{
			name: "a type mistake in a person does not turn references to them into errors",
			src:  file(team[:11], []string{`capabilities = "ci-cd"`}, team[12:], ritual(`participants = ["ana", "bo"]`)),
			want: []string{`bad.toml:12: people[1].capabilities: must be an array, not a string`},
		},
		{
			name: "slack rituals need a slack handle for every participant",
			src:  file(team, ritual(`platform = "slack"`)),
			want: []string{
				`bad.toml:20: rituals[0].participants: ana takes part on slack but has no slack user id or email`,
				`bad.toml:20: rituals[0].participants: bo takes part on slack but has no slack user id or email`,
			},
		},
		{
			name: "a zone in the schedule conflicts with timezone and per_person_time",
			src:  file(team, ritual(`kind = "standup"`, `schedule = "CRON_TZ=Asia/Tokyo 0 9 * * *"`, `timezone = "Europe/Zurich"`, `per_person_time = true`)),
			want: []string{
				`bad.toml:22: rituals[0].timezone: "Europe/Zurich" conflicts with the zone in schedule (Asia/Tokyo); give one`,
				`bad.toml:23: rituals[0].per_person_time: conflicts with the zone in schedule: per-person rituals fire in each participant's own zone`,
			},
		},
		{
			name: "a ritual missing everything it needs",
			src:  file(team, []string{`[[rituals]]`, `id = "Weekly Triage"`, `checklist = ["", "x"]`}),
			want: []string{
				`bad.toml:15: rituals[0].kind: missing kind (triage, deployment-planning, quality-review, standup or handoff)`,
				`bad.toml:15: rituals[0].channel: missing channel (where the agenda and summary are posted)`,
				`bad.toml:15: rituals[0].schedule: missing schedule (5-field cron such as "30 9 * * MON", a descriptor such as "@weekly", or "@every 30s")`,
				`bad.toml:15: rituals[0].participants: missing participants (person ids, "role:<role>", "capability:<capability>" or "all")`,
				`bad.toml:15: rituals[0].window: missing window (how long answers are collected, e.g. "4h")`,
				`bad.toml:16: rituals[0].id: "Weekly Triage" is not a valid id: use lowercase letters, digits, '.', '_' or '-'`,
				`bad.toml:17: rituals[0].checklist[0]: empty checklist item`,
			},
		},
		{
			name: "a person with a bad id, email, holiday and half a range",
			src: file(team, []string{
				`[[people]]`,
				`id = "Cy"`,
				`email = "cy at example.com"`,
				`holidays = [5]`,
				`out_of_office = [{ from = "2026-01-05" }]`,
			}, ritual(`kind = "retro"`)),
			want: []string{
				`bad.toml:16: people[2].id: "Cy" is not a valid id: use lowercase letters, digits, '.', '_' or '-'`,
				`bad.toml:17: people[2].email: "cy at example.com" is not an email address`,
				`bad.toml:18: people[2].holidays[0]: must be a date (YYYY-MM-DD), not an integer`,
				`bad.toml:19: people[2].out_of_office[0].to: missing date (YYYY-MM-DD)`,
				`bad.toml:22: rituals[0].kind: unknown kind "retro" (use triage, deployment-planning, quality-review, standup or handoff)`,
			},
		},
		{
			name: "a section that is not a table",
			src:  file([]string{`bot = 5`}, team[3:], ritual()),
			want: []string{`bad.toml:1: bot: must be a table, not an integer`},
		},
		{
			name: "people that are not an array of tables",
			src:  file([]string{`people = "ana"`}, ritual()),
			want: []string{`bad.toml:1: people: must be an array, not a string`},
		},
		{
			name: "unknown table, with a suggestion",
			src:  file(team, []string{`[[ritual]]`, `id = "x"`}),
			want: []string{
				`bad.toml:15: ritual: unknown key (did you mean "rituals"?)`,
				`bad.toml: rituals: no rituals: add at least one [[rituals]] table`,
			},
		},
		{
			name: "facilitators and lead must be people",
			src:  file(team, ritual(`facilitators = ["ana", "eve", "ana"]`, `lead = "zed"`)),
			want: []string{
				`bad.toml:22: rituals[0].facilitators[1]: unknown person "eve"`,
				`bad.toml:22: rituals[0].facilitators[2]: "ana" is listed twice`,
				`bad.toml:23: rituals[0].lead: unknown person "zed"`,
			},
		},
		{
			name: "bot settings",
			src:  file([]string{`[bot]`, `listen = "8080"`, `log_format = "text"`, `platform = "discord"`, `public_url = "cadence.example.com"`, `outbox_retention_days = 7`}, team[3:], ritual()),
			want: []string{
				`bad.toml:2: bot.listen: "8080" is not host:port (e.g. "127.0.0.1:8080" or ":8080")`,
				`bad.toml:3: bot.log_format: "text" is not one of console, json`,
				`bad.toml:4: bot.platform: "discord" is not one of local, slack, teams`,
				`bad.toml:5: bot.public_url: "cadence.example.com" is not an http(s) URL`,
				`bad.toml:6: bot.outbox_retention_days: 7 days: the minimum is 30 (the local chat shows a month of messages, and an agenda is reworded when its ritual closes)`,
			},
		},
		{
			name: "syntax error",
			src:  file(team, []string{`[[rituals]]`, `id = "triage`}),
			want: []string{`bad.toml:16: rituals.id: strings cannot contain newlines`},
		},
	}
	require.GreaterOrEqual(t, len(tests), 12)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse("bad.toml", []byte(tc.src))
			require.Error(t, err, "source:\n%s", tc.src)
			assert.Nil(t, cfg)
			var errs config.Errors
			require.True(t, errors.As(err, &errs), "%T: %v", err, err)
			got := make([]string, len(errs))
			for i, e := range errs {
				got[i] = e.Error()
			}
			assert.Equal(t, tc.want, got, "source:\n%s", numbered(tc.src))
			assert.Equal(t, strings.Join(tc.want, "\n"), err.Error())
		})
	}
}

func numbered(src string) string {
	var b strings.Builder
	for i, l := range strings.Split(strings.TrimSuffix(src, "\n"), "\n") {
		b.WriteString(strings.Repeat(" ", 3-len(itoa(i+1))) + itoa(i+1) + "  " + l + "\n")
	}
	return b.String()
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
