package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/sim"
)

// TestSimulateStartsInsideRepeatedHour is the reproduction:
// `simulate --until 2026-11-01 --weeks 1` with the bot in Cape Verde
// (UTC-1) starts at 01:00 UTC on 25 October, the first instant of
// Zurich's second 02:00. A 10-minute ritual seen first there used to get
// no next fire time and never fired; it must fire every 10 minutes from
// 03:00 CET on.
func TestSimulateStartsInsideRepeatedHour(t *testing.T) {
	zurich, err := time.LoadLocation("Europe/Zurich")
	require.NoError(t, err)
	capeVerde, err := time.LoadLocation("Atlantic/Cape_Verde")
	require.NoError(t, err)
	every10, err := cadence.ParseSchedule("*/10 * * * *", zurich)
	require.NoError(t, err)
	roster := cadence.NewRoster([]*cadence.Person{{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: zurich}})
	rituals := []*cadence.Ritual{{ID: "pulse", Title: "Pulse", Kind: cadence.KindStandup, Channel: "ops", Spec: "*/10 * * * *",
		Schedule: every10, Location: zurich, Participants: []string{"lea"}, Lead: "lea",
		Questions: cadence.DefaultQuestions(cadence.KindStandup), Window: 5 * time.Minute}}
	to := time.Date(2026, 11, 1, 0, 0, 0, 0, capeVerde)
	from := to.AddDate(0, 0, -7)
	require.Equal(t, time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC), from.UTC(), "the run starts in the second pass of 02:00 CET")

	res, err := sim.Run(context.Background(), sim.Options{Rituals: rituals, Roster: roster, Store: cadencetest.NewStore(),
		From: from, To: to, Seed: 1, AnswerRate: 1, Location: capeVerde, NoOps: true})
	require.NoError(t, err)
	// 02:00 UTC on 25 October to 01:00 UTC on 1 November: 167 hours, six
	// fire times each.
	require.Equal(t, 167*6, res.Report.Team.Occurrences)
	require.Equal(t, 167*6, res.Report.Team.Held)
}
