package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// newRotaBot is newOpsBot with a weekly rotation Ana → Bo → Kim, Mondays
// 09:00 Zurich from 30 Nov 2026 (now is that hand-off).
func newRotaBot(t *testing.T) *opsBot {
	b := newOpsBot(t)
	rot := &cadence.Rotation{ID: "primary", Title: "Primary", Members: []string{"ana", "bo", "kim"}, Location: zurich,
		Start: cadence.Date{Year: 2026, Month: 11, Day: 30}, HandoffHour: 9, Length: 7}
	store := cadencetest.NewStore()
	eng, err := cadence.New(cadence.EngineConfig{Roster: b.rost, Store: store, Clock: b.clock, Logger: zerolog.Nop()})
	require.NoError(t, err)
	o, err := ops.New(ops.Config{Roster: b.rost, Store: store, Clock: b.clock, Logger: zerolog.Nop(), Rotations: []*cadence.Rotation{rot}})
	require.NoError(t, err)
	b.svc, b.ops = o.Wrap(eng), o
	return b
}

func TestParseOnCall(t *testing.T) {
	tests := []struct {
		text string
		want bot.OpsArgs
	}{
		{"oncall", bot.OpsArgs{}},
		{"oncall primary", bot.OpsArgs{Rotation: "primary"}},
		{"oncall swap @ana @bo 2026-12-14", bot.OpsArgs{Sub: "swap", People: []string{"@ana", "@bo"}, Due: cadence.Date{Year: 2026, Month: 12, Day: 14}}},
		{"oncall SWAP <@U0ANA> bo 2026-12-14 primary", bot.OpsArgs{Sub: "swap", People: []string{"<@U0ANA>", "bo"}, Due: cadence.Date{Year: 2026, Month: 12, Day: 14}, Rotation: "primary"}},
	}
	for _, tc := range tests {
		cmd, err := bot.ParseCommand(tc.text)
		require.NoError(t, err, tc.text)
		assert.Equal(t, tc.want, *cmd.Ops, tc.text)
	}
	for text, want := range map[string]string{
		"oncall swap @ana @bo":            `oncall: swap wants @a @b YYYY-MM-DD [rotation], got "@ana @bo"`,
		"oncall swap @ana @bo 14.12.2026": `oncall: swap wants the day of the turn as YYYY-MM-DD, got "14.12.2026"`,
		"oncall primary secondary":        `oncall: want nothing, a rotation id, or swap @a @b YYYY-MM-DD; got "primary secondary"`,
	} {
		_, err := bot.ParseCommand(text)
		require.ErrorIs(t, err, cadence.ErrInvalidInput, text)
		assert.Equal(t, want, err.Error())
	}
}

func TestOnCallCommand(t *testing.T) {
	b := newRotaBot(t)
	// Ana reads in Bucharest time, Lea in Zurich time.
	r := b.ok("ana", "oncall")
	assert.Equal(t, []string{"Primary: Ana until Mon 7 Dec 10:00 EET · next Bo from Mon 7 Dec 10:00 EET"}, r.Lines)
	r = b.ok("lea", "/cadence oncall primary")
	assert.Equal(t, []string{"Primary: Ana until Mon 7 Dec 09:00 CET · next Bo from Mon 7 Dec 09:00 CET"}, r.Lines)

	// Kim is not one of the two, nor a lead: refused.
	r = b.run("kim", "oncall swap @ana @bo 2026-11-30")
	assert.True(t, r.Failed)
	assert.Equal(t, "Oncall: only leads, admins or the two people swapping can swap on-call turns; Kim is a specialist", r.Lines[0])

	r = b.ok("bo", "oncall swap <@U0ANA> @bo 2026-11-30")
	assert.Equal(t, "Swapped: Ana and Bo", r.Title)
	assert.Equal(t, []string{
		"Bo is on call from Mon 30 Nov 09:00 CET to Mon 7 Dec 09:00 CET.",
		"Ana is on call from Mon 7 Dec 09:00 CET to Mon 14 Dec 09:00 CET.",
	}, r.Lines, "in Bo's zone (Warsaw)")

	b.clock.Set(now.Add(time.Hour))
	r = b.ok("lea", "oncall")
	assert.Equal(t, []string{"Primary: Bo until Mon 7 Dec 09:00 CET (swap) · next Ana from Mon 7 Dec 09:00 CET"}, r.Lines)

	// A swap that would overlap the first: refused with the reason.
	r = b.run("lea", "oncall swap @ana @kim 2026-12-14")
	assert.True(t, r.Failed)
	assert.Equal(t, "Oncall: ana is not on call in primary on 2026-12-14: kim is (from 2026-12-14 08:00 UTC to 2026-12-21 08:00 UTC)", r.Lines[0])
	r = b.run("lea", "oncall swap @bo @kim 2026-12-01")
	assert.True(t, r.Failed)
	assert.Contains(t, r.Lines[0], "already changed: bo is on call")
	r = b.run("lea", "oncall nightly")
	assert.Equal(t, `Oncall: there is no rotation "nightly"; known rotations: primary`, r.Lines[0])
	_ = context.Background
}

func TestHandoverCommand(t *testing.T) {
	b := newRotaBot(t)
	b.ok("lea", "incident new Churn model drift --owner @ana")
	b.ok("lea", "followup add INC-1 @ana 2026-12-03 Tighten drift alert")

	for text, want := range map[string]string{
		"handover @ana":          `handover: want the person leaving and the person taking over, e.g. "handover @ana @bo"; got "@ana"`,
		"handover @ana @bo @kim": `handover: want the person leaving and the person taking over, e.g. "handover @ana @bo"; got "@ana @bo @kim"`,
	} {
		_, err := bot.ParseCommand(text)
		require.ErrorIs(t, err, cadence.ErrInvalidInput)
		assert.Equal(t, want, err.Error())
	}
	r := b.run("kim", "handover @ana @bo")
	assert.True(t, r.Failed)
	assert.Equal(t, "Handover: only leads and admins can hand someone's work over; Kim is a specialist", r.Lines[0])
	r = b.run("lea", "handover @ana @nobody")
	assert.Equal(t, `Handover: "nobody" is not on the roster: name the person taking over as @id`, r.Lines[0])

	r = b.ok("lea", "/cadence handover <@U0ANA> @Bo")
	assert.Equal(t, "Handed over: Ana → Bo", r.Title)
	assert.Equal(t, []string{
		"1 follow-up(s), 1 incident(s), 0 release proposal(s) and 0 open facilitation(s) moved; later facilitator and on-call turns go to Bo.",
		"The summary is in your DMs and Bo's.",
	}, r.Lines)
	r = b.ok("bo", "followup list mine")
	assert.Equal(t, "Your open follow-ups (1)", r.Title)
	r = b.ok("bo", "oncall")
	assert.Equal(t, []string{"Primary: Bo until Mon 14 Dec 09:00 CET · next Kim from Mon 14 Dec 09:00 CET"}, r.Lines, "Ana's turn is Bo's, then Bo's own")
}
