package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

const liveFile = `[bot]
timezone = "Europe/Zurich"

[[people]]
id = "lea"
role = "lead"

[[rituals]]
id = "triage"
kind = "triage"
schedule = "30 9 * * MON"
channel = "mlops"
participants = ["all"]
window = "1h"
`

func def(kind cadence.DefinitionKind, id, body string) *cadence.Definition {
	return &cadence.Definition{Kind: kind, ID: id, Body: body, Version: 1, UpdatedBy: "lea", UpdatedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
}

var storeStandup = `kind = "standup"
schedule = "15 9 * * MON-FRI"
channel = "standup"
participants = ["all"]
window = "4h"
per_person_time = true
`

// The store's rituals and people join the file's, checked together: a
// file ritual's "all" takes in a store person, a store ritual may name a
// file person.
func TestLiveJoinsFileAndStore(t *testing.T) {
	cfg, err := config.Live("c.toml", []byte(liveFile), []*cadence.Definition{
		def(cadence.DefPerson, "zoe", `name = "Zoe"`+"\ntimezone = \"Asia/Almaty\"\n"),
		def(cadence.DefRitual, "standup", storeStandup+"lead = \"lea\"\n"),
		{Kind: cadence.DefRitual, ID: "old", Body: "kind = 'nonsense'", Archived: true, Version: 2},
	})
	require.NoError(t, err)
	require.NotNil(t, cfg.Ritual("standup"))
	assert.Nil(t, cfg.Ritual("old"), "archived rituals do not run, and are not checked")
	assert.Equal(t, []string{"lea", "zoe"}, cfg.Ritual("triage").Participants)
	assert.Equal(t, "Asia/Almaty", cfg.Roster.Person("zoe").Location.String())
	assert.Contains(t, cfg.Managed, "ritual:old")
	assert.Contains(t, cfg.Managed, "person:zoe")
	assert.Equal(t, liveFile, string(cfg.Source), "Source is the file alone")
}

// An error in a stored definition names it and its field, not a line of
// a text nobody wrote; an error it causes elsewhere keeps its place.
func TestLiveErrorsNameTheDefinitionAndField(t *testing.T) {
	_, err := config.Live("c.toml", []byte(liveFile), []*cadence.Definition{
		def(cadence.DefRitual, "standup", strings.Replace(storeStandup, `"15 9 * * MON-FRI"`, `"15 25 * * *"`, 1)+
			"reminders = [\"5h before close\"]\n[[questions]]\nid = \"q\"\ntext = \"\"\n"),
		def(cadence.DefRitual, "triage", storeStandup),
	})
	var ces config.Errors
	require.ErrorAs(t, err, &ces)
	fe := ces.FieldErrors("ritual:standup")
	assert.Contains(t, fe["schedule"], "above maximum")
	assert.Contains(t, fe["questions[0].text"], "missing text")
	assert.Contains(t, fe[""], "store ritual:triage: id: duplicate ritual id")
	for _, e := range ces {
		if e.Def != "" {
			assert.Equal(t, config.StoreName, e.File)
			assert.Zero(t, e.Line)
		}
	}
}

// A body cannot reach outside its table: "[bot]" inside is a key of the
// ritual, refused as unknown, and the file's [bot] is untouched.
func TestLiveBodyStaysInItsTable(t *testing.T) {
	_, err := config.Live("c.toml", []byte(liveFile), []*cadence.Definition{
		def(cadence.DefRitual, "standup", storeStandup+"[bot]\nlisten = \"0.0.0.0:80\"\n"),
	})
	var ces config.Errors
	require.ErrorAs(t, err, &ces)
	assert.Contains(t, ces.FieldErrors("ritual:standup")["bot"], "unknown key")
	_, err = config.Live("c.toml", []byte(liveFile), []*cadence.Definition{def(cadence.DefPerson, "x", "not = toml = at all")})
	require.ErrorAs(t, err, &ces)
	assert.Contains(t, ces.FieldErrors("person:x")[""], "not TOML")
}

// Export writes file and store as one file that reads back to the same
// rituals and people; archived ones are comments.
func TestExportRoundTrips(t *testing.T) {
	live, err := config.Live("c.toml", []byte(liveFile), []*cadence.Definition{
		def(cadence.DefPerson, "zoe", `name = "Zoe"`),
		def(cadence.DefRitual, "standup", storeStandup+"checklist = [\"a \\\"quoted\\\" item\", \"ünï\"]\n"),
		{Kind: cadence.DefRitual, ID: "old", Body: storeStandup, Archived: true, Version: 2},
	})
	require.NoError(t, err)
	text, err := config.Export(live)
	require.NoError(t, err)
	back, err := config.Parse("export.toml", text)
	require.NoError(t, err, string(text))
	ids := func(c *config.Config) (out []string) {
		for _, r := range c.Rituals {
			out = append(out, r.ID+"="+r.Spec+"|"+strings.Join(r.Participants, ",")+"|"+strings.Join(r.Checklist, ","))
		}
		for _, p := range c.People {
			out = append(out, p.ID+"="+p.Name+"|"+string(p.Role))
		}
		return out
	}
	assert.Equal(t, ids(live), ids(back))
	assert.Contains(t, string(text), "# ritual:old is archived")
	assert.NotContains(t, ids(back), "old")
}

// What an editor shows reads back to the same body, and the form's
// inputs come from the file schema.
func TestFormRoundTrip(t *testing.T) {
	body := storeStandup + "checklist = [\"one, with a comma\", \"two\"]\nreminders = [\"1h before close\", \"30m after open\"]\n" +
		"[[questions]]\nid = \"done\"\ntext = \"Done?\"\nrequired = true\n[[questions]]\nid = \"next\"\ntext = \"Next?\"\nplan = true\n"
	f, err := config.BodyForm(cadence.DefRitual, body)
	require.NoError(t, err)
	assert.Equal(t, "one, with a comma\ntwo", f["checklist"])
	assert.Equal(t, "true", f["questions[0].required"])
	assert.Equal(t, 2, f.Rows("questions"))
	out, fe := config.FormBody(cadence.DefRitual, "", f)
	require.Empty(t, fe)
	a, _ := config.DecodeBody(body)
	b, _ := config.DecodeBody(out)
	assert.Equal(t, a, b)

	// Comma lists split on commas; empty rows and inputs drop their keys;
	// a number that is not one is named.
	f["participants"] = "lea, zoe\nrole:lead"
	f["questions[1].id"], f["questions[1].text"], f["questions[1].plan"] = "", "", ""
	f["per_person_time"] = ""
	out, fe = config.FormBody(cadence.DefRitual, body, f)
	require.Empty(t, fe)
	m, _ := config.DecodeBody(out)
	assert.Equal(t, []any{"lea", "zoe", "role:lead"}, m["participants"])
	assert.Len(t, m["questions"], 1)
	assert.NotContains(t, m, "per_person_time")

	var keys []string
	for _, ff := range config.FormFields(cadence.DefRitual) {
		keys = append(keys, ff.Key)
		if ff.Key == "questions" {
			assert.Equal(t, config.FieldTables, ff.Kind)
			assert.Equal(t, "id", ff.Sub[0].Key)
		}
	}
	assert.Contains(t, keys, "schedule")
	for _, ff := range config.FormFields(cadence.DefPerson) {
		assert.NotEqual(t, "out_of_office", ff.Key, "set with /cadence ooo")
	}
	// Keys no editor shows are kept.
	out, fe = config.FormBody(cadence.DefPerson, "out_of_office = [{from = \"2026-12-21\", to = \"2027-01-02\"}]\n", config.Form{"role": "lead"})
	require.Empty(t, fe)
	assert.Contains(t, out, "2027-01-02")
	assert.Contains(t, out, `role = "lead"`)
}

// Every template makes a ritual the file's rules accept.
func TestTemplatesAreValid(t *testing.T) {
	for _, tpl := range config.Templates() {
		t.Run(tpl.Name, func(t *testing.T) {
			f := config.Form{}
			for k, v := range tpl.Form {
				f[k] = v
			}
			f["channel"] = "team"
			body, fe := config.FormBody(cadence.DefRitual, "", f)
			require.Empty(t, fe)
			cfg, err := config.Live("c.toml", []byte(liveFile), []*cadence.Definition{def(cadence.DefRitual, "new", body)})
			require.NoError(t, err)
			r := cfg.Ritual("new")
			assert.Equal(t, cadence.Kind(tpl.Name), r.Kind)
			assert.NotEmpty(t, r.Questions)
			if tpl.Name == "quality-review" {
				assert.Equal(t, config.ModelChecklist, r.Checklist)
			}
		})
	}
}
