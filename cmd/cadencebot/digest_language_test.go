package main

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// The digest to a channel is in the team's language, a DM in the
// person's own (else the team's); the renderer words the link to the
// score page and the chart's description in it too.
func TestDigestInTheReadersLanguage(t *testing.T) {
	roster := cadence.NewRoster([]*cadence.Person{{ID: "max", Language: "pl"}, {ID: "lea"}}).WithLanguage("de")
	lang := digestLanguage(&config.Config{Roster: roster}, nil)
	assert.Equal(t, "de", lang(cadence.Recipient{Channel: "ml-leads"}))
	assert.Equal(t, "pl", lang(cadence.Recipient{Person: "max"}))
	assert.Equal(t, "de", lang(cadence.Recipient{Person: "lea"}))

	from := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	week := cadence.WeekAdherence{Week: "2026-W48", Start: from, Tally: cadence.Tally{Occurrences: 2, Held: 2, HeldOnTime: 2, Score: 87.5}}
	in := cadence.DigestInput{Fire: from.AddDate(0, 0, 7), Lang: "pl", Trend: []cadence.WeekAdherence{week},
		Report: &cadence.Report{From: from, To: from.AddDate(0, 0, 7), Team: week.Tally}}
	body, err := digestRenderer(0, nil, zerolog.Nop(), func() string { return "http://bot/dashboard/score" })(context.Background(), in)
	require.NoError(t, err)
	assert.Equal(t, "Podsumowanie cadence · 2026-W48", body.Title)
	assert.Contains(t, body.Footer, "Jak to działa: http://bot/dashboard/score")
	require.NotNil(t, body.Image)
	assert.Equal(t, "Wynik zespołu w tygodniach ISO (0 do 100): 2026-W48 88.", body.Image.Alt)
}
