package local_test

import (
	"net/http"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/local"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The home page says who is on call now and next: in the rotation's zone
// for a visitor, in the visitor's own once they have picked who they are.
func TestHomeShowsOnCall(t *testing.T) {
	zurich := mustLoad(t, "Europe/Zurich")
	roster := cadence.NewRoster([]*cadence.Person{
		{ID: "ana", Name: "Ana Popescu", Role: cadence.RoleSpecialist, Location: mustLoad(t, "Europe/Bucharest")},
		{ID: "lena", Name: "Lena Meier", Role: cadence.RoleLead, Location: zurich},
	})
	st, clock, chat := cadencetest.NewStore(), cadence.NewManualClock(start), local.NewChat()
	eng, err := cadence.New(cadence.EngineConfig{Roster: roster, Store: st, Clock: clock, Logger: zerolog.Nop(), DefaultPlatform: local.Platform})
	require.NoError(t, err)
	rot := &cadence.Rotation{ID: "primary", Title: "Primary", Members: []string{"lena", "ana"}, Location: zurich,
		Start: cadence.Date{Year: 2026, Month: 11, Day: 30}, HandoffHour: 9, Length: 7}
	o, err := ops.New(ops.Config{Roster: roster, Store: st, Clock: clock, Logger: zerolog.Nop(), Rotations: []*cadence.Rotation{rot}})
	require.NoError(t, err)
	h := serve(t, "", o.Wrap(eng), st, clock, chat)

	status, home := h.get("/")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, home, "<h2>On call</h2>")
	assert.Contains(t, home, "<li>Primary: Lena Meier until Mon 7 Dec 09:00 CET · next Ana Popescu from Mon 7 Dec 09:00 CET</li>")

	h.login("ana")
	_, home = h.get("/")
	assert.Contains(t, home, "<li>Primary: Lena Meier until Mon 7 Dec 10:00 EET · next Ana Popescu from Mon 7 Dec 10:00 EET</li>")
}
