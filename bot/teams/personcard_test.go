package teams_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// peopleForms is bot.ConfigForms with ana in the config file and kim
// made from chat (one open follow-up); Save refuses a zone that is not
// IANA, an unknown role and a stale version, as the config editor does.
type peopleForms struct {
	version int64
	saved   []map[string]string
	deleted []string
}

func (f *peopleForms) Items(context.Context) ([]bot.ConfigItem, error) {
	items := []bot.ConfigItem{{Kind: cadence.DefPerson, ID: "ana", File: "/etc/cadence.toml"}}
	if !slices.Contains(f.deleted, "kim") {
		items = append(items, bot.ConfigItem{Kind: cadence.DefPerson, ID: "kim", InStore: true, Version: f.version})
	}
	return items, nil
}
func (f *peopleForms) Fields(cadence.DefinitionKind) []bot.FormField {
	return []bot.FormField{{Key: "id", Kind: "text"}, {Key: "name", Kind: "text"}, {Key: "role", Kind: "text"},
		{Key: "timezone", Kind: "text"}, {Key: "capabilities", Kind: "list"}, {Key: "teams", Kind: "text"}}
}
func (f *peopleForms) Templates() []bot.FormTemplate { return nil }
func (f *peopleForms) Load(_ context.Context, _ cadence.DefinitionKind, id string) (map[string]string, *cadence.Definition, error) {
	if id != "kim" || slices.Contains(f.deleted, "kim") {
		return nil, nil, cadence.ErrNotFound
	}
	return map[string]string{"id": "kim", "name": "Kim Lee", "role": "specialist", "timezone": "Europe/Zurich", "capabilities": "release\nci-cd"},
		&cadence.Definition{Kind: cadence.DefPerson, ID: "kim", Version: f.version}, nil
}
func (f *peopleForms) stale(id string) error {
	return &ops.StaleError{Key: "person:" + id, By: "Max", At: time.Date(2026, 11, 30, 8, 5, 0, 0, time.UTC), Version: f.version}
}
func (f *peopleForms) Save(_ context.Context, actor string, _ cadence.DefinitionKind, id string, version int64, v map[string]string) (*cadence.Definition, error) {
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
func (f *peopleForms) Archive(context.Context, string, cadence.DefinitionKind, string, int64, bool) error {
	return nil
}
func (f *peopleForms) Delete(_ context.Context, _ string, _ cadence.DefinitionKind, id string, version int64) error {
	if version != f.version {
		return f.stale(id)
	}
	f.deleted = append(f.deleted, id)
	return nil
}
func (f *peopleForms) Impact(context.Context, cadence.DefinitionKind, string) (ops.DeleteImpact, error) {
	return ops.DeleteImpact{FollowUps: []string{"INC-1/FU-1", "INC-2/FU-1"}, HandTo: "lea"}, nil
}
func (f *peopleForms) Preview(context.Context, string, map[string]string) ([]bot.PreviewZone, error) {
	return nil, nil
}

// "person …" said to the bot refuses who may not and what is edited in
// the file, with a card saying why and no form.
func TestPersonCardRefusals(t *testing.T) {
	e := newEnv(t, teams.WithConfigForms(&peopleForms{version: 1}))
	for _, tc := range []struct{ name, text, want string }{
		{"not a lead", "person new", "Only leads and admins add, change and remove people; you are a specialist."},
		{"not a lead removing", "person remove kim", "you are a specialist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(ana, tc.text)).Code)
			assert.Contains(t, lastCard(t, e), tc.want)
		})
	}
	for _, tc := range []struct{ name, text, want string }{
		{"file-managed", "person edit ana", "ana is managed in the config file /etc/cadence.toml: change them there"},
		{"file-managed removal", "person remove ana", "ana is managed in the config file /etc/cadence.toml"},
		{"unknown", "person edit zed", "There is no person zed."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(lea, tc.text)).Code)
			card := lastCard(t, e)
			assert.Contains(t, card, tc.want)
			assert.NotContains(t, card, "Action.Submit")
		})
	}
}

// "person new" answers with the form; each refused submit answers with
// it again, the problem above its input and every typed value kept; a
// good one is saved and confirmed.
func TestPersonCardForm(t *testing.T) {
	forms := &peopleForms{version: 1}
	e := newEnv(t, teams.WithConfigForms(forms))
	require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(lea, "person new")).Code)
	card := lastCard(t, e)
	assert.Contains(t, card, `"type":"Input.Text","id":"cfg:timezone","label":"Time zone"`)
	assert.Contains(t, card, `"id":"cfg:capabilities","label":"Capabilities","isMultiline":true`)
	assert.Contains(t, card, "specialist, lead, manager or admin", "hints from the catalog")
	assert.Contains(t, card, `"type":"Action.Submit","title":"Save"`)
	assert.Contains(t, card, `"action":"config_person_save"`)

	good := map[string]any{"action": "config_person_save", "value": "", "key": "0",
		"cfg:id": "noa", "cfg:name": "Noa Berg", "cfg:role": "specialist", "cfg:timezone": "Europe/Warsaw", "cfg:capabilities": "release", "cfg:teams": "29:noa"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for k, v := range good {
			m[k] = v
		}
		m[k] = v
		return m
	}
	for i, tc := range []struct {
		name      string
		submit    map[string]any
		want, typ string
	}{
		{"bad zone", with("cfg:timezone", "Mars/Olympus"), "Time zone: unknown time zone Mars/Olympus", `"value":"Mars/Olympus"`},
		{"unknown role", with("cfg:role", "boss"), "Role: unknown role boss", `"value":"boss"`},
		{"duplicate id", with("cfg:id", "kim"), "Id: There is already a person kim; pick another id", `"value":"kim"`},
		{"duplicate id in the file", with("cfg:id", "ana"), "Id: There is already a person ana in the config file /etc/cadence.toml", `"value":"ana"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, http.StatusOK, e.deliver(e.submit(lea, "17000000000"+strconv.Itoa(i), tc.submit)).Code)
			card := lastCard(t, e)
			assert.Contains(t, card, "Not saved.")
			assert.Contains(t, card, tc.want)
			assert.Contains(t, card, tc.typ, "what was typed is kept")
			assert.Contains(t, card, `"value":"Noa Berg"`, "what was typed is kept")
		})
	}
	assert.Empty(t, forms.saved)

	require.Equal(t, http.StatusOK, e.deliver(e.submit(lea, "1700000000100", good)).Code)
	require.Len(t, forms.saved, 1)
	assert.Equal(t, "Europe/Warsaw", forms.saved[0]["timezone"])
	assert.Contains(t, lastCard(t, e), "Added Noa Berg (noa, version 2): they are on the roster now.")
}

// "person edit kim" shows the stored values; a save from an older
// version is refused with who and when, the typed values kept and the
// form now carrying the newer version.
func TestPersonCardEditStale(t *testing.T) {
	forms := &peopleForms{version: 1}
	e := newEnv(t, teams.WithConfigForms(forms))
	require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(lea, "person edit kim")).Code)
	card := lastCard(t, e)
	assert.Contains(t, card, "kim · version 1")
	assert.NotContains(t, card, `"id":"cfg:id"`, "an id cannot change")
	assert.Contains(t, card, `"value":"release\nci-cd"`)
	assert.Contains(t, card, `"key":"1"`)

	forms.version = 2
	edit := map[string]any{"action": "config_person_save", "value": "kim", "key": "1",
		"cfg:name": "Kim Park", "cfg:role": "lead", "cfg:timezone": "Europe/Zurich"}
	require.Equal(t, http.StatusOK, e.deliver(e.submit(lea, "1700000000200", edit)).Code)
	card = lastCard(t, e)
	assert.Contains(t, card, "Changed by Max at Mon 30 Nov 09:05 CET (now version 2). Your changes are kept: saving again overwrites their change.")
	assert.Contains(t, card, `"value":"Kim Park"`)
	assert.Contains(t, card, `"key":"2"`, "saving again overwrites theirs on purpose")
	assert.Empty(t, forms.saved)
}

// "person remove kim" answers with what removing does and a Remove
// button; pressing it removes and says so.
func TestPersonCardRemove(t *testing.T) {
	forms := &peopleForms{version: 1}
	e := newEnv(t, teams.WithConfigForms(forms))
	require.Equal(t, http.StatusOK, e.deliver(e.personalMessage(lea, "person remove kim")).Code)
	card := lastCard(t, e)
	for _, s := range []string{"Remove Kim Lee (kim) from the roster?", "They are in no ritual.",
		"Their 2 open follow-ups (INC-1/FU-1, INC-2/FU-1) go to Lea, who is told in chat.", "Their history is kept",
		`"type":"Action.Submit","title":"Remove","style":"destructive"`, `"action":"config_person_remove","value":"kim","key":"1"`} {
		assert.Contains(t, card, s)
	}
	require.Equal(t, http.StatusOK, e.deliver(e.submit(lea, "1700000000300", map[string]any{"action": "config_person_remove", "value": "kim", "key": "1"})).Code)
	assert.Equal(t, []string{"kim"}, forms.deleted)
	assert.Contains(t, lastCard(t, e), "Removed kim from the roster; their history is kept.")

	require.Equal(t, http.StatusOK, e.deliver(e.submit(ana, "1700000000301", map[string]any{"action": "config_person_remove", "value": "kim", "key": "1"})).Code)
	assert.Contains(t, lastCard(t, e), "you are a specialist", "a specialist's press is refused too")
}
