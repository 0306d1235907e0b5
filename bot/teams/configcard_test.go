package teams_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// cardForms is bot.ConfigForms refusing what the config editor would:
// a schedule that is not cron, a question without text, a stale version.
type cardForms struct {
	saved   []map[string]string
	version int64
}

func (f *cardForms) Items(context.Context) ([]bot.ConfigItem, error) { return nil, nil }
func (f *cardForms) Fields(cadence.DefinitionKind) []bot.FormField {
	return []bot.FormField{{Key: "id", Kind: "text"}, {Key: "schedule", Kind: "text"}, {Key: "channel", Kind: "text"},
		{Key: "per_person_time", Kind: "bool"},
		{Key: "questions", Kind: "tables", Sub: []bot.FormField{{Key: "id", Kind: "text"}, {Key: "text", Kind: "text"}, {Key: "required", Kind: "bool"}}}}
}
func (f *cardForms) Templates() []bot.FormTemplate {
	return []bot.FormTemplate{{Name: "standup", Values: map[string]string{"schedule": "15 9 * * MON-FRI", "per_person_time": "true",
		"questions[0].id": "today", "questions[0].text": "Today?"}}}
}
func (f *cardForms) Load(_ context.Context, _ cadence.DefinitionKind, id string) (map[string]string, *cadence.Definition, error) {
	if id != "daily" {
		return nil, nil, cadence.ErrNotFound
	}
	return map[string]string{"schedule": "0 9 * * *", "channel": "c", "participants": "ana"}, &cadence.Definition{Kind: cadence.DefRitual, ID: "daily", Version: 1}, nil
}
func (f *cardForms) Save(_ context.Context, actor string, _ cadence.DefinitionKind, id string, version int64, v map[string]string) (*cadence.Definition, error) {
	if version != f.version {
		return nil, &ops.StaleError{Key: "ritual:" + id, By: "Max", At: time.Date(2026, 11, 30, 8, 5, 0, 0, time.UTC), Version: f.version}
	}
	fe := cadence.FieldErrors{}
	if strings.Count(v["schedule"], " ") != 4 {
		fe["schedule"] = "not a 5-field cron"
	}
	if v["questions[0].id"] != "" && v["questions[0].text"] == "" {
		fe["questions[0].text"] = "missing text"
	}
	if len(fe) > 0 {
		return nil, fe
	}
	f.saved = append(f.saved, v)
	f.version++
	return &cadence.Definition{Kind: cadence.DefRitual, ID: id, Version: f.version, UpdatedBy: actor}, nil
}
func (f *cardForms) Archive(context.Context, string, cadence.DefinitionKind, string, int64, bool) error {
	return nil
}
func (f *cardForms) Delete(context.Context, string, cadence.DefinitionKind, string, int64) error {
	return nil
}
func (f *cardForms) Impact(context.Context, cadence.DefinitionKind, string) (ops.DeleteImpact, error) {
	return ops.DeleteImpact{}, nil
}

// Preview lists five fire times of the typed schedule from 30 Nov 2026
// 08:30 UTC, the ritual in Bucharest's time, for participants ana
// (Bucharest) and joao (São Paulo, no DST), clock changes marked as the
// config editor marks them; a spec that is not cron is refused on its key.
func (f *cardForms) Preview(_ context.Context, _ string, v map[string]string) ([]bot.PreviewZone, error) {
	ritualLoc, _ := time.LoadLocation("Europe/Bucharest")
	sched, err := cadence.ParseSchedule(v["schedule"], ritualLoc)
	if err != nil {
		return nil, cadence.FieldErrors{"schedule": err.Error()}
	}
	zones := map[string]string{"ana": "Europe/Bucharest", "joao": "America/Sao_Paulo"}
	var out []bot.PreviewZone
	for _, p := range strings.Fields(v["participants"]) {
		if zones[p] == "" {
			continue
		}
		loc, _ := time.LoadLocation(zones[p])
		z := bot.PreviewZone{Zone: loc.String(), People: []string{p}}
		prev := time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC)
		for range 5 {
			next := sched.Next(prev)
			fire := bot.PreviewFire{At: next.In(loc)}
			for _, l := range []*time.Location{loc, ritualLoc} {
				a, _ := prev.In(l).Zone()
				b, _ := next.In(l).Zone()
				if a != b && (l == loc || l.String() != loc.String()) {
					fire.Changes = append(fire.Changes, bot.ClockChange{Zone: l.String(), From: a, To: b})
				}
			}
			z.Fires = append(z.Fires, fire)
			prev = next
		}
		out = append(out, z)
	}
	return out, nil
}

// "Preview schedule" answers with the card again: what was typed kept,
// nothing saved, and the next fire times per participant zone below the
// schedule, the clock change in Bucharest marked for both zones; a bad
// cron spec is shown there instead.
func TestRitualCardPreview(t *testing.T) {
	cases := []struct {
		name, schedule string
		want, wantNot  []string
	}{
		{name: "DST in Bucharest, none in São Paulo", schedule: "0 9 1 * *", want: []string{
			`"text":"Next fire times","wrap":true,"weight":"Bolder","separator":true`,
			`"text":"Europe/Bucharest: ana","wrap":true,"weight":"Bolder"`,
			`"text":"Tue 1 Dec 09:00 EET","wrap":true`,
			`"text":"⚠ Thu 1 Apr 09:00 EEST — clocks change in Europe/Bucharest (EET → EEST)","wrap":true,"color":"Warning"`,
			`"text":"America/Sao\\_Paulo: joao"`,
			`"text":"Tue 1 Dec 04:00 -03","wrap":true`,
			`"text":"⚠ Thu 1 Apr 03:00 -03 — clocks change in Europe/Bucharest (EET → EEST)","wrap":true,"color":"Warning"`,
		}, wantNot: []string{"cannot be previewed"}},
		{name: "a bad cron spec", schedule: "every day", want: []string{
			`"text":"The schedule cannot be previewed as typed:","wrap":true,"color":"Attention"`,
			`"text":"schedule: schedule \"every day\": expected exactly 5 fields`,
		}, wantNot: []string{"EET"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forms := &cardForms{}
			e := newEnv(t, teams.WithConfigForms(forms))
			require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(lea, "ritual new")).Code)
			card := lastCard(t, e)
			assert.Contains(t, card, `{"type":"Action.Submit","title":"Preview schedule","data":{"action":"config_ritual_preview","key":"0"}}`)
			assert.NotContains(t, card, "Next fire times", "no preview before it is asked for")

			submit := map[string]any{"action": "config_ritual_preview", "value": "", "key": "0",
				"cfg:id": "daily", "cfg:schedule": tc.schedule, "cfg:channel": "standup", "cfg:participants": "ana\njoao",
				"cfg:per_person_time": "false", "cfg:questions[0].id": "today", "cfg:questions[0].text": "Today?", "cfg:questions[0].required": "true"}
			require.Equal(t, http.StatusOK, e.deliver(e.submit(lea, "1700000000101", submit)).Code)
			card = lastCard(t, e)
			assert.Empty(t, forms.saved, "a preview saves nothing")
			assert.Contains(t, card, `"value":"`+tc.schedule+`"`)
			assert.Contains(t, card, `"id":"cfg:questions[0].text","label":"1. text","isMultiline":false,"maxLength":3000,"value":"Today?"`)
			assert.Contains(t, card, `"type":"Input.Toggle","id":"cfg:questions[0].required","title":"1. required","value":"true"`)
			assert.Less(t, strings.Index(card, "Next fire times"), strings.Index(card, `"id":"cfg:questions[0].id"`), "next to the schedule, before the questions")
			for _, s := range tc.want {
				assert.Contains(t, card, s)
			}
			for _, s := range tc.wantNot {
				assert.NotContains(t, card, s)
			}
		})
	}
}

var lea = user("29:lea", "aad-lea", "Lea")

// lastCard is the JSON of the card in the bot's last post.
func lastCard(t *testing.T, e *env) string {
	t.Helper()
	ps := e.fc.posts()
	require.NotEmpty(t, ps)
	return string(ps[len(ps)-1].Raw)
}

// "ritual new standup" answers with the form (an Adaptive Card filled
// from the template); a refused submit answers with the form again, each
// problem above its input and what was typed kept; a good one is saved.
func TestRitualCardForm(t *testing.T) {
	forms := &cardForms{}
	e := newEnv(t, teams.WithConfigForms(forms))

	require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(ana, "ritual new standup")).Code)
	assert.Contains(t, lastCard(t, e), "Only leads and admins")

	require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(lea, "ritual new standup")).Code)
	card := lastCard(t, e)
	assert.Contains(t, card, `"id":"cfg:schedule"`)
	assert.Contains(t, card, `"value":"15 9 * * MON-FRI"`)
	assert.Contains(t, card, `"type":"Input.Toggle","id":"cfg:per_person_time","title":"per person time","value":"true"`)
	assert.Contains(t, card, `"id":"cfg:questions[1].text"`, "an empty row to add a question")
	assert.Contains(t, card, `"type":"Action.Submit","title":"Save"`)

	// Refused: the form comes back with the problems and the typed values.
	submit := map[string]any{"action": "config_ritual_save", "value": "", "key": "0",
		"cfg:id": "daily", "cfg:schedule": "every day", "cfg:channel": "standup", "cfg:per_person_time": "false",
		"cfg:questions[0].id": "today", "cfg:questions[0].text": "", "cfg:questions[0].required": "true"}
	require.Equal(t, http.StatusOK, e.deliver(e.submit(lea, "1700000000001", submit)).Code)
	card = lastCard(t, e)
	assert.Contains(t, card, "schedule: not a 5-field cron")
	assert.Contains(t, card, "1. text: missing text")
	assert.Contains(t, card, `"value":"every day"`)
	assert.Contains(t, card, `"id":"cfg:id","label":"id","isMultiline":false,"maxLength":3000,"value":"daily"`)
	assert.Empty(t, forms.saved)

	submit["cfg:schedule"], submit["cfg:questions[0].text"] = "0 9 * * *", "Today?"
	require.Equal(t, http.StatusOK, e.deliver(e.submit(lea, "1700000000002", submit)).Code)
	require.Len(t, forms.saved, 1)
	assert.Equal(t, map[string]string{"id": "daily", "schedule": "0 9 * * *", "channel": "standup", "per_person_time": "",
		"questions[0].id": "today", "questions[0].text": "Today?", "questions[0].required": "true"}, forms.saved[0])
	assert.Contains(t, lastCard(t, e), "Saved ritual daily (version 1)")

	// Edit from an older version: refused with who and when, the form kept.
	require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(lea, "ritual edit daily")).Code)
	card = lastCard(t, e)
	assert.Contains(t, card, "Edit ritual daily (version 1)")
	assert.Contains(t, card, `"text":"Europe/Bucharest: ana"`, "an existing ritual opens with its next fire times")
	assert.Contains(t, card, `"text":"Tue 1 Dec 09:00 EET"`)
	forms.version = 2
	edit := map[string]any{"action": "config_ritual_save", "value": "daily", "key": "1", "cfg:schedule": "0 10 * * *", "cfg:channel": "c"}
	require.Equal(t, http.StatusOK, e.deliver(e.submit(lea, "1700000000003", edit)).Code)
	card = lastCard(t, e)
	assert.Contains(t, card, "changed by Max at 2026-11-30 08:05 UTC (now version 2)")
	assert.Contains(t, card, `"value":"0 10 * * *"`)
	assert.Contains(t, card, `"key":"2"`, "saving again overwrites theirs on purpose")
}
