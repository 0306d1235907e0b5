package slack_test

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The App Home says who is on call now and next, in the reader's zone.
func TestAppHomeShowsOnCall(t *testing.T) {
	clock := cadence.NewManualClock(t0)
	fake := newFake(t, clock)
	zurich := mustZone(t, "Europe/Zurich")
	roster := cadence.NewRoster([]*cadence.Person{
		{ID: "ana", Name: "Ana Pop", Role: cadence.RoleSpecialist, Location: mustZone(t, "Europe/Bucharest"), Handles: cadence.Handles{SlackID: uAna}},
		{ID: "lea", Name: "Lea Meier", Role: cadence.RoleLead, Location: zurich, Handles: cadence.Handles{SlackID: uLea}},
	})
	store := cadencetest.NewStore()
	eng, err := cadence.New(cadence.EngineConfig{Roster: roster, Store: store, Clock: clock, Logger: zerolog.Nop(), DefaultPlatform: slack.Platform})
	require.NoError(t, err)
	rot := &cadence.Rotation{ID: "primary", Title: "Primary", Members: []string{"lea", "ana"}, Location: zurich,
		Start: cadence.Date{Year: 2026, Month: 11, Day: 30}, HandoffHour: 9, Length: 7}
	o, err := ops.New(ops.Config{Roster: roster, Store: store, Clock: clock, Logger: zerolog.Nop(),
		Platform: slack.Platform, Rotations: []*cadence.Rotation{rot}})
	require.NoError(t, err)
	a, err := slack.New(slack.Config{BotToken: botToken, AppToken: appToken, APIURL: fake.URL, Mode: slack.ModeSocket},
		o.Wrap(eng), store, clock, zerolog.Nop(), slack.WithStartTimeout(5*time.Second))
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(func() { stop(); a.Wait() })
	require.NoError(t, a.Start(ctx))

	fake.Send("events_api", homeOpened(t, "Ev0HOMEONCALL", uAna))
	eventually(t, "the home", func() bool { _, ok := fake.HomeView(uAna); return ok })
	home, _ := fake.HomeView(uAna)
	// t0 is Monday 30 Nov 08:30 UTC: Lea's turn has begun at 09:00 Zurich.
	assert.Contains(t, string(home.JSON), `*On call*\nPrimary: Lea Meier until Mon 7 Dec 10:00 EET · next Ana Pop from Mon 7 Dec 10:00 EET`)
}
