package oncall_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/bot/integration/oncall"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// TestPollerImportsThroughOps: the poller asks PagerDuty on its period
// and the on-call line shows the imported person and where it came
// from; when PagerDuty goes down the last known person stays, and the
// line says since when.
func TestPollerImportsThroughOps(t *testing.T) {
	zurich, err := time.LoadLocation("Europe/Zurich")
	require.NoError(t, err)
	down := false
	fake := &fakePagerDuty{t: t, token: "pd-secret", schedule: "PABC123", pageSize: 25,
		entries: []pdEntry{{UserID: "P9", Name: "Bo B", Email: "bo@example.com", Level: 1, Start: "2026-11-30T09:00:00+01:00", End: "2026-12-07T09:00:00+01:00"}},
		fail: func(_ int, w http.ResponseWriter) bool {
			if down {
				status(http.StatusBadGateway, "bad gateway")(w)
			}
			return down
		}}
	rot := &cadence.Rotation{ID: "primary", Title: "Primary", Members: []string{"ana", "bo"}, Location: zurich,
		Start: cadence.Date{Year: 2026, Month: 11, Day: 30}, HandoffHour: 9, Length: 7,
		Import: &cadence.RotationImport{Provider: "pagerduty", Schedule: "PABC123", TokenEnv: "PD_TOKEN", URL: serve(t, fake), Every: 5 * time.Minute}}
	clock := cadence.NewManualClock(now)
	o, err := ops.New(ops.Config{Store: cadencetest.NewStore(), Clock: clock, Logger: zerolog.Nop(),
		Rotations: []*cadence.Rotation{rot},
		Roster: cadence.NewRoster([]*cadence.Person{
			{ID: "ana", Name: "Ana", Role: cadence.RoleLead, Handles: cadence.Handles{Email: "ana@example.com"}},
			{ID: "bo", Name: "Bo", Role: cadence.RoleSpecialist, Handles: cadence.Handles{Email: "bo@example.com"}},
		})})
	require.NoError(t, err)
	var w waits
	p := &oncall.Poller{Ops: o, Clock: clock, Getenv: func(k string) string { return env{"PD_TOKEN": "pd-secret"}[k] }, Log: zerolog.Nop(), Sleep: w.sleep}
	line := func() string {
		cur, err := o.OnCall(context.Background(), clock.Now())
		require.NoError(t, err)
		return bot.OnCallLines(cur, func(id string) string { return id }, zurich)[0]
	}
	require.Contains(t, line(), "Primary: ana until", "the schedule before any import")

	p.Poll(context.Background())
	assert.Equal(t, 1, fake.calls)
	clock.Advance(2 * time.Minute)
	p.Poll(context.Background())
	assert.Equal(t, 1, fake.calls, "not again before every has passed")
	assert.Equal(t, "Primary: bo until Mon 14 Dec 09:00 CET · next ana from Mon 14 Dec 09:00 CET (from PagerDuty, 2 min ago)", line())

	down = true
	clock.Advance(4 * time.Minute)
	p.Poll(context.Background())
	assert.Equal(t, 5, fake.calls, "one call and three retries")
	assert.Equal(t, waits{time.Second, 2 * time.Second, 4 * time.Second}, w)
	assert.Equal(t, "Primary: bo until Mon 14 Dec 09:00 CET · next ana from Mon 14 Dec 09:00 CET (PagerDuty unreachable since Wed 2 Dec 11:06 CET: PagerDuty answered 502: Bad Gateway (after 4 attempts); showing the last known on-call)", line())
}

type env map[string]string

func TestCheckEnv(t *testing.T) {
	rs := []*cadence.Rotation{{ID: "primary", Import: &cadence.RotationImport{Provider: "opsgenie", TokenEnv: "OG_KEY"}}}
	err := oncall.CheckEnv(rs, func(string) string { return "" })
	require.EqualError(t, err, `rotation "primary" imports its on-call from Opsgenie, but OG_KEY is not set (the API token goes in the environment, never in the file)`)
	require.NoError(t, oncall.CheckEnv(rs, func(string) string { return "k" }))
}
