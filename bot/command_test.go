package bot_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

func date(s string) cadence.Date {
	d, err := cadence.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text string
		want bot.Command
	}{
		{"", bot.Command{Verb: bot.VerbHelp}},
		{"   ", bot.Command{Verb: bot.VerbHelp}},
		{"/cadence", bot.Command{Verb: bot.VerbHelp}},
		{"help", bot.Command{Verb: bot.VerbHelp}},
		{"HELP skip", bot.Command{Verb: bot.VerbHelp}},
		{"/cadence status", bot.Command{Verb: bot.VerbStatus}},
		{"cadence Status", bot.Command{Verb: bot.VerbStatus}},
		{"report", bot.Command{Verb: bot.VerbReport}},
		{"frobnicate now", bot.Command{Verb: bot.VerbHelp, Unknown: "frobnicate"}},
		{"skip triage", bot.Command{Verb: bot.VerbSkip, Ritual: "triage"}},
		{"skip triage team offsite", bot.Command{Verb: bot.VerbSkip, Ritual: "triage", Reason: "team offsite"}},
		{`skip  triage  "team  offsite"`, bot.Command{Verb: bot.VerbSkip, Ritual: "triage", Reason: "team offsite"}},
		{"skip triage “release freeze”", bot.Command{Verb: bot.VerbSkip, Ritual: "triage", Reason: "release freeze"}},
		{"skip\u00a0triage", bot.Command{Verb: bot.VerbSkip, Ritual: "triage"}},
		{"pause standup", bot.Command{Verb: bot.VerbPause, Ritual: "standup"}},
		{"resume standup", bot.Command{Verb: bot.VerbResume, Ritual: "standup"}},
		{"ooo 2026-12-21 2027-01-02", bot.Command{Verb: bot.VerbOOO, From: date("2026-12-21"), To: date("2027-01-02")}},
		{"ooo 2026-12-21 2026-12-21 dentist", bot.Command{Verb: bot.VerbOOO, From: date("2026-12-21"), To: date("2026-12-21"), Reason: "dentist"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := bot.ParseCommand(tt.text)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseCommandErrors(t *testing.T) {
	tests := []struct {
		text string
		verb bot.Verb
		msg  string
	}{
		{"skip", bot.VerbSkip, `skip: want a ritual id, e.g. "skip triage holiday week"`},
		{"pause", bot.VerbPause, "pause: want exactly one ritual id, got 0 words"},
		{"resume standup triage", bot.VerbResume, "resume: want exactly one ritual id, got 2 words"},
		{"ooo", bot.VerbOOO, "ooo: want two dates YYYY-MM-DD, got nothing"},
		{"ooo 2026-12-21", bot.VerbOOO, `ooo: want two dates YYYY-MM-DD, got "2026-12-21"`},
		{"ooo tomorrow friday", bot.VerbOOO, `ooo: want two dates YYYY-MM-DD, got "tomorrow" as the first`},
		{"ooo 2026-12-21 21.12.2026", bot.VerbOOO, `ooo: want two dates YYYY-MM-DD, got "21.12.2026" as the second`},
		{"ooo 2026-02-30 2026-03-01", bot.VerbOOO, `ooo: want two dates YYYY-MM-DD, got "2026-02-30" as the first`},
		{"ooo 2026-12-21 2026-12-20", bot.VerbOOO, "ooo: the range ends (2026-12-20) before it starts (2026-12-21)"},
		{"ooo 2026-12-21 2062-12-21", bot.VerbOOO, "ooo: the range is 13150 days long; the limit is 366"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			_, err := bot.ParseCommand(tt.text)
			require.Error(t, err)
			assert.EqualError(t, err, tt.msg)
			var ue *bot.UsageError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, tt.verb, ue.Verb)
			assert.True(t, errors.Is(err, cadence.ErrInvalidInput))
			assert.True(t, bot.IsUserError(err))
		})
	}
}

func TestParseCommandOOOLimitIsInclusive(t *testing.T) {
	// 2027 is not a leap year: 2027-01-01..2027-12-31 is 365 days, +1 = 366.
	_, err := bot.ParseCommand("ooo 2027-01-01 2028-01-01")
	require.NoError(t, err)
	_, err = bot.ParseCommand("ooo 2027-01-01 2028-01-02")
	require.EqualError(t, err, "ooo: the range is 367 days long; the limit is 366")
}
