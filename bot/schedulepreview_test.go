package bot_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// WordPreview words fire times with the catalogs' time format and the
// clock changes and refusals in the actor's language.
func TestWordPreview(t *testing.T) {
	buc, _ := time.LoadLocation("Europe/Bucharest")
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	zones := []bot.PreviewZone{
		{Zone: "Europe/Bucharest", People: []string{"Ana Pop", "Radu"}, Fires: []bot.PreviewFire{
			{At: time.Date(2027, 3, 1, 9, 0, 0, 0, buc)},
			{At: time.Date(2027, 4, 1, 9, 0, 0, 0, buc), Changes: []bot.ClockChange{{Zone: "Europe/Bucharest", From: "EET", To: "EEST"}}},
		}},
		{Zone: "America/Sao_Paulo", People: []string{"João"}, Fires: []bot.PreviewFire{
			{At: time.Date(2027, 4, 1, 3, 0, 0, 0, sp), Changes: []bot.ClockChange{{Zone: "Europe/Bucharest", From: "EET", To: "EEST"}}, Skip: "skip date"},
		}},
	}
	cases := []struct {
		name, lang string
		zones      []bot.PreviewZone
		err        error
		want       bot.PreviewText
		internal   bool
	}{
		{name: "English", lang: "en", zones: zones, want: bot.PreviewText{Title: "Next fire times", Zones: []bot.PreviewZoneText{
			{Heading: "Europe/Bucharest: Ana Pop, Radu", Fires: []bot.PreviewFireText{
				{When: "Mon 1 Mar 09:00 EET"},
				{When: "Thu 1 Apr 09:00 EEST", Notes: []string{"clocks change in Europe/Bucharest (EET → EEST)"}, DST: true}}},
			{Heading: "America/Sao_Paulo: João", Fires: []bot.PreviewFireText{
				{When: "Thu 1 Apr 03:00 -03", Notes: []string{"clocks change in Europe/Bucharest (EET → EEST)", "skip date: no occurrence"}, DST: true}}},
		}}},
		{name: "German", lang: "de", zones: zones[1:], want: bot.PreviewText{Title: "Nächste Termine", Zones: []bot.PreviewZoneText{
			{Heading: "America/Sao_Paulo: João", Fires: []bot.PreviewFireText{
				{When: "Do, 1. Apr., 03:00 -03", Notes: []string{"Zeitumstellung in Europe/Bucharest (EET → EEST)", "ausgelassener Tag: kein Termin"}, DST: true}}},
		}}},
		{name: "a bad cron spec", lang: "en", err: cadence.FieldErrors{"schedule": "expected 5 fields", "": "ritual:x: lead unknown"},
			want: bot.PreviewText{Title: "Next fire times", Problems: []string{"The schedule cannot be previewed as typed:", "ritual:x: lead unknown", "schedule: expected 5 fields"}}},
		{name: "nobody", lang: "pl", want: bot.PreviewText{Title: "Najbliższe terminy", Problems: []string{"Nikt nie bierze udziału, więc nie ma czego pokazać."}}},
		{name: "ours", lang: "en", err: errors.New("disk on fire"), internal: true,
			want: bot.PreviewText{Title: "Next fire times", Problems: []string{"The preview failed on our side (the error was logged); please try again in a minute."}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, internal := bot.WordPreview(tc.lang, tc.zones, tc.err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.internal, internal)
		})
	}
}
