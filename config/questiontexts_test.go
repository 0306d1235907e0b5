package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// A question's text in other languages, as an inline table and as a
// sub-table, reads into Question.Texts; In picks the reader's.
func TestQuestionTextsFromFile(t *testing.T) {
	src := file(team, ritual(`kind = "standup"`, "questions = [\n"+
		`  { id = "done", text = "What did you do?", text_i18n = { de = "Was hast du gemacht?", PL = "Co zrobiłeś?" } },`+"\n"+
		`  { id = "next", text = "What next?" },`+"\n"+
		"]"))
	cfg, err := config.Parse("q.toml", []byte(src))
	require.NoError(t, err)
	qs := cfg.Ritual("triage").Questions
	assert.Equal(t, map[string]string{"de": "Was hast du gemacht?", "pl": "Co zrobiłeś?"}, qs[0].Texts)
	assert.Nil(t, qs[1].Texts)
	assert.Equal(t, "Was hast du gemacht?", qs[0].In("de").Text)
	assert.Equal(t, "Co zrobiłeś?", qs[0].In("pl").Text)
	assert.Equal(t, "What did you do?", qs[0].In("fr").Text, "a language not given reads the main text")
	assert.Equal(t, "What next?", qs[1].In("de").Text)

	sub := file(team, ritual(`kind = "standup"`), []string{
		`[[rituals.questions]]`,
		`id = "done"`,
		`text = "What did you do?"`,
		`[rituals.questions.text_i18n]`,
		`fr = "Qu'avez-vous fait ?"`,
	})
	cfg, err = config.Parse("q.toml", []byte(sub))
	require.NoError(t, err)
	assert.Equal(t, "Qu'avez-vous fait ?", cfg.Ritual("triage").Questions[0].In("fr").Text)
}

// An unknown language or an empty text is named by file, line and key.
func TestBadQuestionTexts(t *testing.T) {
	src := file(team, ritual(`kind = "standup"`), []string{
		`[[rituals.questions]]`,         // 22
		`id = "done"`,                   // 23
		`text = "What did you do?"`,     // 24
		`[rituals.questions.text_i18n]`, // 25
		`it = "Cosa hai fatto?"`,        // 26
		`de = " "`,                      // 27
	})
	_, err := config.Parse("bad.toml", []byte(src))
	var errs config.Errors
	require.ErrorAs(t, err, &errs)
	var lines []string
	for _, e := range errs {
		lines = append(lines, e.Error())
	}
	assert.Equal(t, []string{
		`bad.toml:26: rituals[0].questions[0].text_i18n.it: unknown language "it" (supported: de, en, es, fr, pl, ro)`,
		`bad.toml:27: rituals[0].questions[0].text_i18n.de: empty text: remove the line to ask in the main text`,
	}, lines)
}

// The texts survive an editor (one input, "code = text" per line) and
// config export, and a bad code typed in an editor is shown at that input.
func TestQuestionTextsRoundTrip(t *testing.T) {
	body := storeStandup + "[[questions]]\nid = \"done\"\ntext = \"Done?\"\n[questions.text_i18n]\nde = \"Erledigt?\"\npl = \"Zrobione?\"\n"
	f, err := config.BodyForm(cadence.DefRitual, body)
	require.NoError(t, err)
	assert.Equal(t, "de = Erledigt?\npl = Zrobione?", f["questions[0].text_i18n"])
	out, fe := config.FormBody(cadence.DefRitual, "", f)
	require.Empty(t, fe)
	a, _ := config.DecodeBody(body)
	b, _ := config.DecodeBody(out)
	assert.Equal(t, a, b)

	var sub []config.FormField
	for _, ff := range config.FormFields(cadence.DefRitual) {
		if ff.Key == "questions" {
			sub = ff.Sub
		}
	}
	i := strings.Index(fieldKeys(sub), "text_i18n")
	require.GreaterOrEqual(t, i, 0, "editors show text_i18n")

	f["questions[0].text_i18n"] = "de: Erledigt?\nnonsense"
	_, fe = config.FormBody(cadence.DefRitual, "", f)
	assert.Contains(t, fe["questions[0].text_i18n"], `"nonsense": want one per line`)

	f["questions[0].text_i18n"] = "it = Fatto?"
	bad, fe := config.FormBody(cadence.DefRitual, "", f)
	require.Empty(t, fe)
	_, err = config.Live("c.toml", []byte(liveFile), []*cadence.Definition{def(cadence.DefRitual, "standup", bad)})
	var ces config.Errors
	require.ErrorAs(t, err, &ces)
	assert.Contains(t, ces.FieldErrors("ritual:standup")["questions[0].text_i18n"], `unknown language "it"`)

	live, err := config.Live("c.toml", []byte(liveFile+"[[rituals.questions]]\nid = \"q\"\ntext = \"Q?\"\ntext_i18n = { ro = \"Î?\" }\n"),
		[]*cadence.Definition{def(cadence.DefRitual, "standup", body)})
	require.NoError(t, err)
	text, err := config.Export(live)
	require.NoError(t, err)
	back, err := config.Parse("export.toml", text)
	require.NoError(t, err, string(text))
	for _, id := range []string{"triage", "standup"} {
		assert.Equal(t, live.Ritual(id).Questions, back.Ritual(id).Questions, id)
	}
	assert.Equal(t, "Zrobione?", back.Ritual("standup").Questions[0].In("pl").Text)
	assert.Equal(t, "Î?", back.Ritual("triage").Questions[0].In("ro").Text)
}

func fieldKeys(fs []config.FormField) string {
	var keys []string
	for _, f := range fs {
		keys = append(keys, f.Key)
	}
	return strings.Join(keys, ",")
}
