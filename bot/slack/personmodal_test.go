package slack_test

import (
	"context"
	"encoding/json"
	"slices"
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

// personForms is bot.ConfigForms with the people of the ops world: ana
// in the config file, kim made from chat (version 1, one open
// follow-up). Save refuses what the config editor would: a zone that is
// not IANA, an unknown role, a stale version.
type personForms struct {
	mu      sync.Mutex
	version int64
	saved   []map[string]string
	deleted []string
}

func (f *personForms) Items(context.Context) ([]bot.ConfigItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	items := []bot.ConfigItem{{Kind: cadence.DefPerson, ID: "ana", File: "cadence.toml"}}
	if !slices.Contains(f.deleted, "kim") {
		items = append(items, bot.ConfigItem{Kind: cadence.DefPerson, ID: "kim", InStore: true, Version: f.version})
	}
	return items, nil
}
func (f *personForms) Fields(cadence.DefinitionKind) []bot.FormField {
	return []bot.FormField{{Key: "id", Kind: "text"}, {Key: "name", Kind: "text"}, {Key: "role", Kind: "text", Help: "english help"},
		{Key: "timezone", Kind: "text"}, {Key: "capabilities", Kind: "list"}, {Key: "slack", Kind: "text"}, {Key: "language", Kind: "text"}}
}
func (f *personForms) Templates() []bot.FormTemplate { return nil }
func (f *personForms) Load(_ context.Context, _ cadence.DefinitionKind, id string) (map[string]string, *cadence.Definition, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id != "kim" || slices.Contains(f.deleted, "kim") {
		return nil, nil, cadence.ErrNotFound
	}
	return map[string]string{"id": "kim", "name": "Kim Lee", "role": "specialist", "timezone": "Europe/Zurich", "capabilities": "release\nci-cd"},
		&cadence.Definition{Kind: cadence.DefPerson, ID: "kim", Version: f.version}, nil
}
func (f *personForms) stale(id string) error {
	return &ops.StaleError{Key: "person:" + id, By: "Max Roth", At: time.Date(2026, 11, 30, 8, 5, 0, 0, time.UTC), Version: f.version}
}
func (f *personForms) Save(_ context.Context, actor string, _ cadence.DefinitionKind, id string, version int64, v map[string]string) (*cadence.Definition, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if version != 0 && version != f.version {
		return nil, f.stale(id)
	}
	fe := cadence.FieldErrors{}
	if _, err := time.LoadLocation(v["timezone"]); err != nil || v["timezone"] == "" {
		fe["timezone"] = "unknown time zone " + v["timezone"]
	}
	if !cadence.Role(v["role"]).Valid() {
		fe["role"] = "unknown role " + v["role"]
	}
	if len(fe) > 0 {
		return nil, fe
	}
	f.saved = append(f.saved, v)
	f.version++
	return &cadence.Definition{Kind: cadence.DefPerson, ID: id, Version: f.version, UpdatedBy: actor}, nil
}
func (f *personForms) Archive(context.Context, string, cadence.DefinitionKind, string, int64, bool) error {
	return nil
}
func (f *personForms) Delete(_ context.Context, _ string, _ cadence.DefinitionKind, id string, version int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if version != f.version {
		return f.stale(id)
	}
	f.deleted = append(f.deleted, id)
	return nil
}
func (f *personForms) Impact(context.Context, cadence.DefinitionKind, string) (ops.DeleteImpact, error) {
	return ops.DeleteImpact{FollowUps: []string{"INC-1/FU-1"}, HandTo: "lea"}, nil
}
func (f *personForms) Preview(context.Context, string, map[string]string) ([]bot.PreviewZone, error) {
	return nil, nil
}

type errorsAck struct {
	Action string            `json:"response_action"`
	Errors map[string]string `json:"errors"`
	View   struct {
		Blocks []struct {
			Text struct{ Text string } `json:"text"`
		} `json:"blocks"`
	} `json:"view"`
}

func (w *opsWorld) slash(user, text string) string {
	w.t.Helper()
	cmd := slashCommand(w.t, user, text)
	cmd["trigger_id"] = w.fake.NewTrigger(user)
	return string(w.send("slash_commands", cmd))
}

func (w *opsWorld) submit(user string, m modalJSON, values map[string]string) errorsAck {
	w.t.Helper()
	state := map[string]map[string]any{}
	for k, v := range values {
		state[k] = text(v)
	}
	var ack errorsAck
	raw := w.send("interactive", submission(w.t, user, m.CallbackID, m.PrivateMetadata, state))
	if string(raw) != "null" {
		require.NoError(w.t, json.Unmarshal(raw, &ack))
	}
	return ack
}

// `/cadence person …` refuses who may not and what cannot be edited
// from chat, in words that say why, and opens no modal.
func TestPersonCommandRefusals(t *testing.T) {
	w := newOpsWorldWith(t, []slack.Option{slack.WithConfigForms(&personForms{version: 1})})
	for _, tc := range []struct {
		name, user, text, want string
	}{
		{"not a lead", uAna, "person new", "Only leads and admins add, change and remove people; you are a specialist."},
		{"not a lead removing", uAna, "person remove kim", "you are a specialist"},
		{"file-managed", uLea, "person edit ana", "ana is managed in the config file cadence.toml: change them there"},
		{"file-managed removal", uMax, "person remove ana", "ana is managed in the config file cadence.toml"},
		{"unknown", uLea, "person edit zed", "There is no person zed."},
		{"usage", uLea, "person edit", "edit takes one person id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Contains(t, w.slash(tc.user, tc.text), tc.want)
		})
	}
	assert.Empty(t, w.fake.OpenedViews())
}

// `/cadence person new` opens the editor (views.open); each refusal of a
// submit comes back as response_action "errors" on the input's block
// (Slack keeps the typed values); a good one closes the modal, saves and
// confirms in the channel.
func TestPersonModalNew(t *testing.T) {
	forms := &personForms{version: 1}
	w := newOpsWorldWith(t, []slack.Option{slack.WithConfigForms(forms)})
	assert.Equal(t, "null", w.slash(uLea, "person new"))
	m := w.openedView(1)
	assert.Equal(t, "config_person", m.CallbackID)
	for _, k := range []string{"id", "name", "role", "timezone", "capabilities", "slack", "language"} {
		typ, _, _, _ := m.block(k)
		assert.Equal(t, "plain_text_input", typ, k)
	}
	raw, _ := json.Marshal(w.fake.OpenedViews()[0].JSON)
	assert.Contains(t, string(raw), "Time zone", "labels from the catalog")
	assert.Contains(t, string(raw), "specialist, lead, manager or admin", "hints from the catalog")

	good := map[string]string{"id": "noa", "name": "Noa Berg", "role": "specialist", "timezone": "Europe/Warsaw", "capabilities": "release", "slack": "U0NOA0009"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for k, v := range good {
			m[k] = v
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		name   string
		values map[string]string
		want   map[string]string
	}{
		{"bad zone", with("timezone", "Mars/Olympus"), map[string]string{"timezone": "unknown time zone Mars/Olympus"}},
		{"unknown role", with("role", "boss"), map[string]string{"role": "unknown role boss"}},
		{"duplicate id made from chat", with("id", "kim"), map[string]string{"id": "There is already a person kim; pick another id, or change them with /cadence person edit kim."}},
		{"duplicate id in the file", with("id", "ANA"), map[string]string{"id": "There is already a person ana in the config file cadence.toml; pick another id."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ack := w.submit(uLea, m, tc.values)
			assert.Equal(t, "errors", ack.Action)
			assert.Equal(t, tc.want, ack.Errors)
		})
	}
	forms.mu.Lock()
	assert.Empty(t, forms.saved)
	forms.mu.Unlock()

	ack := w.submit(uAna, m, good)
	assert.Contains(t, ack.Errors["id"], "you are a specialist", "a specialist's submit is refused too")

	ack = w.submit(uLea, m, good)
	assert.Empty(t, ack.Action, "closed")
	forms.mu.Lock()
	require.Len(t, forms.saved, 1)
	assert.Equal(t, "Europe/Warsaw", forms.saved[0]["timezone"])
	forms.mu.Unlock()
	eventually(t, "confirmed", func() bool {
		return slices.ContainsFunc(w.ephemeralsTo(uLea), func(s string) bool {
			return strings.Contains(s, "Added Noa Berg (noa, version 2): they are on the roster now.")
		})
	})
}

// `/cadence person edit kim` opens the stored values with the version; a
// save after someone else's answers with the view again (update): what
// was typed, the newer version and who changed it when; saving that
// overwrites their change on purpose.
func TestPersonModalEditStale(t *testing.T) {
	forms := &personForms{version: 1}
	w := newOpsWorldWith(t, []slack.Option{slack.WithConfigForms(forms)})
	assert.Equal(t, "null", w.slash(uLea, "person edit KIM"))
	m := w.openedView(1)
	assert.Contains(t, m.PrivateMetadata, `"v":1`)
	typ, _, _, _ := m.block("id")
	assert.Empty(t, typ, "an id cannot change: shown, not an input")
	_, initial, _, _ := m.block("capabilities")
	assert.Equal(t, "release\nci-cd", initial)

	forms.mu.Lock()
	forms.version = 2 // someone saved in between
	forms.mu.Unlock()
	typed := map[string]string{"name": "Kim Lee", "role": "lead", "timezone": "Europe/Zurich", "capabilities": "release"}
	raw := w.send("interactive", submission(t, uLea, m.CallbackID, m.PrivateMetadata, map[string]map[string]any{
		"name": text(typed["name"]), "role": text(typed["role"]), "timezone": text(typed["timezone"]), "capabilities": text(typed["capabilities"])}))
	var upd struct {
		Action string          `json:"response_action"`
		View   json.RawMessage `json:"view"`
	}
	require.NoError(t, json.Unmarshal(raw, &upd))
	assert.Equal(t, "update", upd.Action, "the view again with the newer version, not errors")
	var again modalJSON
	require.NoError(t, json.Unmarshal(upd.View, &again))
	assert.Contains(t, again.PrivateMetadata, `"v":2`)
	for block, want := range typed {
		_, initial, _, _ := again.block(block)
		assert.Equal(t, want, initial, block)
	}
	assert.Contains(t, string(upd.View), ":warning: Changed by Max Roth at Mon 30 Nov 09:05 CET (now version 2). Your changes are kept: saving again overwrites their change.")

	// The second Save is a deliberate overwrite.
	ack := w.submit(uLea, again, typed)
	assert.Empty(t, ack.Action)
	forms.mu.Lock()
	defer forms.mu.Unlock()
	assert.Equal(t, int64(3), forms.version)
}

// `/cadence person remove kim` opens a confirmation saying what happens;
// confirming removes and says so; a removal after someone's change is
// refused in the modal.
func TestPersonModalRemove(t *testing.T) {
	forms := &personForms{version: 1}
	w := newOpsWorldWith(t, []slack.Option{slack.WithConfigForms(forms)})
	assert.Equal(t, "null", w.slash(uLea, "person remove kim"))
	m := w.openedView(1)
	assert.Equal(t, "config_person_remove", m.CallbackID)
	raw := string(w.fake.OpenedViews()[0].JSON)
	for _, s := range []string{"Remove Kim Lee (kim) from the roster?", "They are in no ritual.",
		"Their open follow-up INC-1/FU-1 goes to Lea Meier, who is told in chat.", "Their history is kept"} {
		assert.Contains(t, raw, s)
	}

	forms.mu.Lock()
	forms.version = 2
	forms.mu.Unlock()
	ack := w.submit(uLea, m, nil)
	assert.Equal(t, "update", ack.Action)
	require.NotEmpty(t, ack.View.Blocks)
	assert.Contains(t, ack.View.Blocks[0].Text.Text, "Changed by Max Roth")
	forms.mu.Lock()
	assert.Empty(t, forms.deleted)
	forms.version = 1
	forms.mu.Unlock()

	ack = w.submit(uLea, m, nil)
	assert.Empty(t, ack.Action, "closed")
	forms.mu.Lock()
	assert.Equal(t, []string{"kim"}, forms.deleted)
	forms.mu.Unlock()
	eventually(t, "confirmed", func() bool {
		return slices.Contains(w.ephemeralsTo(uLea), "Removed kim from the roster; their history is kept.")
	})
}
