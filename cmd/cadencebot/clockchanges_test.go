package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/bot"
)

// clockChanges marks the participant's zone changing and, for rituals
// that fire at one instant, the ritual's zone changing (the meeting then
// moves on the participant's clock even without DST of their own).
func TestClockChanges(t *testing.T) {
	buc, _ := time.LoadLocation("Europe/Bucharest")
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	mar1 := time.Date(2027, 3, 1, 9, 0, 0, 0, buc)
	apr1 := time.Date(2027, 4, 1, 9, 0, 0, 0, buc)
	spring := []bot.ClockChange{{Zone: "Europe/Bucharest", From: "EET", To: "EEST"}}
	cases := []struct {
		name       string
		prev, next time.Time
		loc        *time.Location
		perPerson  bool
		want       []bot.ClockChange
	}{
		{"Bucharest participant across spring forward", mar1, apr1, buc, false, spring},
		{"São Paulo participant, ritual in Bucharest", mar1, apr1, sp, false, spring},
		{"São Paulo participant, per-person time", mar1, apr1, sp, true, nil},
		{"no change", mar1, mar1.AddDate(0, 0, 7), sp, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := clockChanges(tc.prev, tc.next, tc.loc, buc, tc.perPerson)
			assert.Equal(t, tc.want, got)
			if tc.want != nil {
				assert.Equal(t, "DST: clocks change in Europe/Bucharest (EET → EEST)", dstNote(got))
			}
		})
	}
}
