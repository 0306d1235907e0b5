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
	return map[string]string{"schedule": "0 9 * * *", "channel": "c"}, &cadence.Definition{Kind: cadence.DefRitual, ID: "daily", Version: 1}, nil
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
func (f *cardForms) Preview(context.Context, string, map[string]string) ([]bot.PreviewZone, error) {
	return nil, nil
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
	assert.Contains(t, lastCard(t, e), "Edit ritual daily (version 1)")
	forms.version = 2
	edit := map[string]any{"action": "config_ritual_save", "value": "daily", "key": "1", "cfg:schedule": "0 10 * * *", "cfg:channel": "c"}
	require.Equal(t, http.StatusOK, e.deliver(e.submit(lea, "1700000000003", edit)).Code)
	card = lastCard(t, e)
	assert.Contains(t, card, "changed by Max at 2026-11-30 08:05 UTC (now version 2)")
	assert.Contains(t, card, `"value":"0 10 * * *"`)
	assert.Contains(t, card, `"key":"2"`, "saving again overwrites theirs on purpose")
}
