package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// fakeForms is bot.ConfigForms with one stored ritual; Save refuses a
// schedule that is not cron, a missing channel, a question without text
// and a stale version, as the config editor does.
type fakeForms struct {
	mu      sync.Mutex
	saved   []map[string]string
	version int64
	rows    int // question rows the stored ritual has
}

func (f *fakeForms) Items(context.Context) ([]bot.ConfigItem, error) { return nil, nil }
func (f *fakeForms) Fields(cadence.DefinitionKind) []bot.FormField {
	return []bot.FormField{{Key: "id", Kind: "text"}, {Key: "schedule", Kind: "text", Help: "cron"}, {Key: "channel", Kind: "text"},
		{Key: "participants", Kind: "list"}, {Key: "per_person_time", Kind: "bool"},
		{Key: "questions", Kind: "tables", Sub: []bot.FormField{{Key: "id", Kind: "text"}, {Key: "text", Kind: "text"}, {Key: "required", Kind: "bool"}, {Key: "blocker", Kind: "bool"}}}}
}
func (f *fakeForms) Templates() []bot.FormTemplate {
	return []bot.FormTemplate{{Name: "standup", Values: map[string]string{"schedule": "15 9 * * MON-FRI", "per_person_time": "true",
		"questions[0].id": "today", "questions[0].text": "Today?", "questions[0].required": "true"}}}
}
func (f *fakeForms) Load(_ context.Context, _ cadence.DefinitionKind, id string) (map[string]string, *cadence.Definition, error) {
	if id != "daily" {
		return nil, nil, cadence.ErrNotFound
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v := map[string]string{"id": "daily", "schedule": "0 9 * * *", "channel": "c", "participants": "ana"}
	for i := range f.rows {
		v[fmt.Sprintf("questions[%d].id", i)] = fmt.Sprintf("q%d", i)
		v[fmt.Sprintf("questions[%d].text", i)] = fmt.Sprintf("Question %d?", i)
	}
	return v, &cadence.Definition{Kind: cadence.DefRitual, ID: "daily", Version: f.version}, nil
}
func (f *fakeForms) Save(_ context.Context, actor string, _ cadence.DefinitionKind, id string, version int64, v map[string]string) (*cadence.Definition, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if version != 0 && version != f.version {
		return nil, &ops.StaleError{Key: "ritual:" + id, By: "Max Roth", At: time.Date(2026, 11, 30, 8, 5, 0, 0, time.UTC), Version: f.version}
	}
	fe := cadence.FieldErrors{}
	if strings.Count(v["schedule"], " ") != 4 {
		fe["schedule"] = "not a 5-field cron"
	}
	if v["channel"] == "" {
		fe["channel"] = "missing channel"
	}
	if v["questions[0].id"] != "" && v["questions[0].text"] == "" {
		fe["questions[0].text"] = "missing text"
	}
	if v["questions[0].blocker"] != "" && v["questions[0].required"] != "" {
		fe["questions[0].blocker"] = "a blocker question is optional"
	}
	if v["participants"] == "nobody" {
		fe["participants"] = "matches nobody"
		fe[""] = "store ritual:other: lead: unknown person"
	}
	if len(fe) > 0 {
		return nil, fe
	}
	f.saved = append(f.saved, v)
	f.version++
	return &cadence.Definition{Kind: cadence.DefRitual, ID: id, Version: f.version, UpdatedBy: actor}, nil
}
func (f *fakeForms) Archive(context.Context, string, cadence.DefinitionKind, string, int64, bool) error {
	return nil
}
func (f *fakeForms) Delete(context.Context, string, cadence.DefinitionKind, string, int64) error {
	return nil
}
func (f *fakeForms) Impact(context.Context, cadence.DefinitionKind, string) (ops.DeleteImpact, error) {
	return ops.DeleteImpact{}, nil
}

// Preview lists five fire times of the typed schedule from t0, the
// ritual in Bucharest's time, for participants ana (Bucharest) and joao
// (São Paulo, no DST), marking clock changes as the config editor does;
// a spec that is not cron is refused on its key.
func (f *fakeForms) Preview(_ context.Context, _ string, v map[string]string) ([]bot.PreviewZone, error) {
	ritualLoc, _ := time.LoadLocation("Europe/Bucharest")
	sched, err := cadence.ParseSchedule(v["schedule"], ritualLoc)
	if err != nil {
		return nil, cadence.FieldErrors{"schedule": err.Error()}
	}
	zones := map[string]string{"ana": "Europe/Bucharest", "joao": "America/Sao_Paulo"}
	var out []bot.PreviewZone
	for _, p := range strings.Fields(v["participants"]) {
		loc, err := time.LoadLocation(zones[p])
		if err != nil || zones[p] == "" {
			continue
		}
		z := bot.PreviewZone{Zone: loc.String(), People: []string{p}}
		prev := t0
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

func checked(values ...string) map[string]any {
	var opts []map[string]any
	for _, v := range values {
		opts = append(opts, map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}})
	}
	return map[string]any{"type": "checkboxes", "selected_options": opts}
}

// `/cadence ritual new standup` opens the editor filled from the template
// (views.open); a refused save answers response_action "errors" on the
// inputs concerned; a good one closes the modal and is saved.
func TestRitualModalFromSlashCommand(t *testing.T) {
	forms := &fakeForms{}
	w := newOpsWorldWith(t, []slack.Option{slack.WithConfigForms(forms)})

	// Specialists are told, no modal.
	cmd := slashCommand(t, uBo, "ritual new standup")
	cmd["trigger_id"] = w.fake.NewTrigger(uBo)
	assert.Contains(t, string(w.send("slash_commands", cmd)), "Only leads and admins")
	cmd = slashCommand(t, uLea, "ritual new nonsense")
	cmd["trigger_id"] = w.fake.NewTrigger(uLea)
	assert.Contains(t, string(w.send("slash_commands", cmd)), "There is no template")
	assert.Empty(t, w.fake.OpenedViews())

	cmd = slashCommand(t, uLea, "ritual new standup")
	cmd["trigger_id"] = w.fake.NewTrigger(uLea)
	assert.Equal(t, "null", string(w.send("slash_commands", cmd)))
	modal := w.openedView(1)
	assert.Equal(t, "config_ritual", modal.CallbackID)
	typ, initial, _, _ := modal.block("schedule")
	assert.Equal(t, "plain_text_input", typ)
	assert.Equal(t, "15 9 * * MON-FRI", initial)
	_, initial, _, _ = modal.block("questions[0].text")
	assert.Equal(t, "Today?", initial)
	typ, _, _, _ = modal.block("questions[0].#")
	assert.Equal(t, "checkboxes", typ)
	typ, _, _, _ = modal.block("questions[1].text")
	assert.Equal(t, "plain_text_input", typ, "one empty row to add a question")

	// Everything wrong at once: each problem on its block.
	ack := w.send("interactive", submission(t, uLea, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{
		"id": text("daily"), "schedule": text("every day"), "channel": text(""), "participants": text("nobody"),
		"questions[0].id": text("today"), "questions[0].text": text(""), "questions[0].#": checked("questions[0].required", "questions[0].blocker"),
	}))
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(ack, &resp))
	assert.Equal(t, "errors", resp.Action)
	assert.Equal(t, map[string]string{
		"id":                "store ritual:other: lead: unknown person",
		"schedule":          "not a 5-field cron",
		"channel":           "missing channel",
		"participants":      "matches nobody",
		"questions[0].text": "missing text",
		"questions[0].#":    "a blocker question is optional",
	}, resp.Errors)
	assert.Empty(t, forms.saved)

	ack = w.send("interactive", submission(t, uLea, modal.CallbackID, modal.PrivateMetadata, map[string]map[string]any{
		"id": text("daily"), "schedule": text("0 9 * * *"), "channel": text("standup"), "participants": text("all"),
		"per_person_time#": checked("per_person_time"),
		"questions[0].id":  text("today"), "questions[0].text": text("Today?"), "questions[0].#": checked("questions[0].required"),
	}))
	assert.Equal(t, "null", string(ack))
	require.Len(t, forms.saved, 1)
	assert.Equal(t, map[string]string{"id": "daily", "schedule": "0 9 * * *", "channel": "standup", "participants": "all",
		"per_person_time": "true", "questions[0].id": "today", "questions[0].text": "Today?", "questions[0].required": "true"}, forms.saved[0])

	// Edit: the stored version rides in the metadata; a stale save is refused with who and when.
	cmd = slashCommand(t, uLea, "ritual edit daily")
	cmd["trigger_id"] = w.fake.NewTrigger(uLea)
	assert.Equal(t, "null", string(w.send("slash_commands", cmd)))
	edit := w.openedView(2)
	assert.Contains(t, edit.PrivateMetadata, `"v":1`)
	forms.mu.Lock()
	forms.version = 2 // someone saved in between
	forms.mu.Unlock()
	typed := map[string]map[string]any{"schedule": text("0 10 * * *"), "channel": text("standup"), "participants": text("all")}
	ack = w.send("interactive", submission(t, uLea, edit.CallbackID, edit.PrivateMetadata, typed))
	var upd struct {
		Action string          `json:"response_action"`
		View   json.RawMessage `json:"view"`
	}
	require.NoError(t, json.Unmarshal(ack, &upd))
	assert.Equal(t, "update", upd.Action, "the view again, not errors: it carries the newer version")
	var again modalJSON
	require.NoError(t, json.Unmarshal(upd.View, &again))
	assert.Contains(t, again.PrivateMetadata, `"v":2`)
	assert.Equal(t, "config_ritual", again.CallbackID)
	for block, want := range map[string]string{"schedule": "0 10 * * *", "channel": "standup", "participants": "all"} {
		_, initial, _, _ := again.block(block)
		assert.Equal(t, want, initial, block)
	}
	assert.Contains(t, string(upd.View), ":warning: Changed by Max Roth at Mon 30 Nov 09:05 CET (now version 2). Your changes are kept: saving again overwrites their change.")
	assert.Len(t, forms.saved, 1, "nothing saved by the stale save")

	// Saving the redrawn view again overwrites Max's change, on purpose.
	assert.Equal(t, "null", string(w.send("interactive", submission(t, uLea, again.CallbackID, again.PrivateMetadata, typed))))
	require.Len(t, forms.saved, 2)
	assert.Equal(t, "0 10 * * *", forms.saved[1]["schedule"])
	assert.Equal(t, int64(3), forms.version)

	cmd = slashCommand(t, uLea, "ritual edit triage")
	cmd["trigger_id"] = w.fake.NewTrigger(uLea)
	assert.Contains(t, string(w.send("slash_commands", cmd)), "edited in the file")
}

// A ritual with more questions than a modal holds is not opened in a
// form: its submission would lack the rows not shown, and saving would
// drop them. The lead is told where every row is shown.
func TestRitualModalRefusesWhatItCannotShow(t *testing.T) {
	for _, tt := range []struct {
		rows   int
		opened bool // a form with a Save button
	}{
		{rows: 3, opened: true},
		{rows: 40},
	} {
		forms := &fakeForms{rows: tt.rows}
		w := newOpsWorldWith(t, []slack.Option{slack.WithConfigForms(forms)})
		cmd := slashCommand(t, uLea, "ritual edit daily")
		cmd["trigger_id"] = w.fake.NewTrigger(uLea)
		assert.Equal(t, "null", string(w.send("slash_commands", cmd)))
		raw := string(w.fake.OpenedViews()[0].JSON)
		if tt.opened {
			assert.Contains(t, raw, `"submit"`, "%d rows", tt.rows)
			assert.Contains(t, raw, fmt.Sprintf("questions[%d].text", tt.rows-1), "every row shown")
			continue
		}
		assert.NotContains(t, raw, `"submit"`, "%d rows: no Save", tt.rows)
		assert.NotContains(t, raw, "questions[0].text", "no inputs")
		assert.Contains(t, raw, "This ritual has 40 questions; a Slack form holds")
		assert.Contains(t, raw, "/admin")
	}
}
