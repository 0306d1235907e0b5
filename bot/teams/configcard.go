package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The ritual editor as an Adaptive Card: "ritual new [template]" or
// "ritual edit ID" said to the bot answers with a form (Input.Text per
// key, Input.Toggle per flag, a row per question) whose Action.Submit
// comes back as a message activity's value. A refused save answers with
// the form again: each problem above its input, what was typed kept.
// "Preview schedule" (a second Action.Submit) answers with the form
// again too, what was typed kept and the next fire times below the
// schedule; "ritual edit ID" opens with them.
// The inputs and checks are bot.ConfigForms, as on the web and in Slack.

// actionRitualSave is the submit's action; it carries the ritual and the
// version the form started from. actionRitualPreview is the "Preview
// schedule" submit: the card comes back with what was typed and the next
// fire times in each participant's zone (bot.WordPreview).
const (
	actionRitualSave    = "config_ritual_save"
	actionRitualPreview = "config_ritual_preview"
)

// cfgPrefix marks the card's inputs among the value's fields.
const cfgPrefix = "cfg:"

// WithConfigForms turns on the ritual form.
func WithConfigForms(f bot.ConfigForms) Option { return func(a *Adapter) { a.forms = f } }

type inputToggle struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Title string `json:"title"`
	Value string `json:"value"`
}

// ritualForm is what the card shows.
type ritualForm struct {
	id      string // empty: new
	version int64
	values  map[string]string
	errors  map[string]string
	top     string           // problems not next to an input
	lang    string           // the actor's language, for the card's own words
	preview *bot.PreviewText // nil: not asked
}

// previewBody is the preview as TextBlocks: the title, a heading per zone
// and a line per fire time, clock changes marked ⚠ in the warning colour.
func previewBody(p *bot.PreviewText) []any {
	body := []any{textBlock{Type: "TextBlock", Text: mdEscape(p.Title), Weight: "Bolder", Separator: true, Wrap: true}}
	for _, line := range p.Problems {
		body = append(body, textBlock{Type: "TextBlock", Text: mdEscape(line), Color: "Attention", Wrap: true, Spacing: "None"})
	}
	for _, z := range p.Zones {
		body = append(body, textBlock{Type: "TextBlock", Text: mdEscape(z.Heading), Weight: "Bolder", Wrap: true, Spacing: "Small"})
		for _, f := range z.Fires {
			tb := textBlock{Type: "TextBlock", Text: mdEscape(f.When), Wrap: true, Spacing: "None"}
			if len(f.Notes) > 0 {
				tb.Text += " — " + mdEscape(strings.Join(f.Notes, "; "))
			}
			if f.DST {
				tb.Text, tb.Color = "⚠ "+tb.Text, "Warning"
			}
			body = append(body, tb)
		}
	}
	return body
}

func ritualCard(fields []bot.FormField, f ritualForm) *adaptiveCard {
	title := cadence.UIText(f.lang, "ritual_form.title_new")
	if f.id != "" {
		title = cadence.UIText(f.lang, "ritual_form.title_edit", "ID", f.id, "Version", f.version)
	}
	body := []any{textBlock{Type: "TextBlock", Text: title, Size: "Medium", Weight: "Bolder", Wrap: true}}
	if f.top != "" {
		body = append(body, textBlock{Type: "TextBlock", Text: mdEscape(f.top), Color: "Attention", Wrap: true})
	}
	add := func(name, label string, ff bot.FormField) {
		if msg := f.errors[name]; msg != "" {
			body = append(body, textBlock{Type: "TextBlock", Text: mdEscape(label + ": " + msg), Color: "Attention", Wrap: true, Spacing: "Medium"})
		}
		if ff.Kind == "bool" {
			v := "false"
			if f.values[name] != "" {
				v = "true"
			}
			body = append(body, inputToggle{Type: "Input.Toggle", ID: cfgPrefix + name, Title: label, Value: v})
			return
		}
		body = append(body, inputText{Type: "Input.Text", ID: cfgPrefix + name, Label: label, Value: f.values[name], IsMultiline: ff.Kind == "list", MaxLength: 3000})
	}
	previewed := false
	for _, ff := range fields {
		label := strings.ReplaceAll(ff.Key, "_", " ")
		switch {
		case ff.Key == "id" && f.id != "":
			continue
		case ff.Kind == "tables":
			if f.preview != nil && !previewed { // next to the schedule it is about
				body, previewed = append(body, previewBody(f.preview)...), true
			}
			body = append(body, textBlock{Type: "TextBlock", Text: label, Weight: "Bolder", Separator: true, Wrap: true})
			rows := rowsOf(f.values, ff.Key) + 1
			for i := range rows {
				for _, sf := range ff.Sub {
					add(fmt.Sprintf("%s[%d].%s", ff.Key, i, sf.Key), fmt.Sprintf("%d. %s", i+1, strings.ReplaceAll(sf.Key, "_", " ")), sf)
				}
			}
		default:
			add(ff.Key, label, ff)
		}
	}
	if f.preview != nil && !previewed {
		body = append(body, previewBody(f.preview)...)
	}
	data := submitData{Action: actionRitualSave, Value: f.id, Key: strconv.FormatInt(f.version, 10)}
	pdata := data
	pdata.Action = actionRitualPreview
	return newCard(body, []any{
		actionSubmit{Type: "Action.Submit", Title: cadence.UIText(f.lang, "ritual_form.preview"), Data: pdata},
		actionSubmit{Type: "Action.Submit", Title: cadence.UIText(f.lang, "ritual_form.save"), Style: "positive", Data: data},
	}, title)
}

func rowsOf(values map[string]string, key string) int {
	n := 0
	for k := range values {
		if rest, ok := strings.CutPrefix(k, key+"["); ok {
			var i int
			if _, err := fmt.Sscanf(rest, "%d]", &i); err == nil && i+1 > n && i < 50 {
				n = i + 1
			}
		}
	}
	return n
}

// mdEscape keeps typed text from turning into Markdown in a TextBlock.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, "`", "\\`", `#`, `\#`)
	return r.Replace(s)
}

// ritualText answers "ritual new [template]" and "ritual edit ID"; ok is
// false for other text.
func (a *Adapter) ritualText(ctx context.Context, act *Activity, p *cadence.Person, text string) bool {
	f := strings.Fields(text)
	if len(f) < 2 || !strings.EqualFold(f[0], "ritual") || (!strings.EqualFold(f[1], "new") && !strings.EqualFold(f[1], "edit")) {
		return false
	}
	lang := a.svc.Roster().Language()
	if p != nil {
		lang = a.svc.Roster().LanguageOf(p.ID)
	}
	t := func(id string, kv ...any) string { return cadence.UIText(lang, "ritual_form."+id, kv...) }
	switch {
	case a.forms == nil:
		a.replyWith(ctx, act, notice(t("off_title"), t("off")))
		return true
	case p == nil:
		a.replyWith(ctx, act, notice(t("stranger_title"), t("stranger")))
		return true
	case !p.Role.CanRunRituals():
		a.replyWith(ctx, act, notice(t("refused_title"), t("refused_role", "Role", cadence.UIText(lang, "cmd.role_"+string(p.Role)))))
		return true
	}
	form := ritualForm{values: map[string]string{}, lang: lang}
	if strings.EqualFold(f[1], "new") {
		if len(f) == 3 {
			tpls := a.forms.Templates()
			i := slices.IndexFunc(tpls, func(t bot.FormTemplate) bool { return strings.EqualFold(t.Name, f[2]) })
			if i < 0 {
				var names []string
				for _, t := range tpls {
					names = append(names, t.Name)
				}
				a.replyWith(ctx, act, notice(t("no_template_title"), t("no_template", "Name", f[2], "Names", strings.Join(names, ", "))))
				return true
			}
			for k, v := range tpls[i].Values {
				form.values[k] = v
			}
		}
	} else {
		if len(f) != 3 {
			a.replyWith(ctx, act, notice(t("usage_title"), "ritual edit ID"))
			return true
		}
		values, def, err := a.forms.Load(ctx, cadence.DefRitual, strings.ToLower(f[2]))
		switch {
		case errors.Is(err, cadence.ErrNotFound):
			a.replyWith(ctx, act, notice(t("not_found_title"), t("not_found", "ID", f[2])))
			return true
		case err != nil:
			a.log.Error().Err(err).Msg("teams: loading a ritual to edit failed")
			a.replyWith(ctx, act, notice(t("unavailable_title"), t("read_failed")))
			return true
		}
		form.id, form.version, form.values = def.ID, def.Version, values
		form.preview = a.ritualPreview(ctx, p, def.ID, values) // an existing ritual opens with its next fire times
	}
	form.lang = a.svc.Roster().LanguageOf(p.ID)
	a.replyCard(ctx, act, ritualCard(a.forms.Fields(cadence.DefRitual), form), t("card_summary"))
	return true
}

func (a *Adapter) replyCard(ctx context.Context, act *Activity, c *adaptiveCard, summary string) {
	if _, err := a.post(ctx, act.ServiceURL, act.Conversation.ID, act.ID, act.From, cardActivity(c, summary)); err != nil {
		a.log.Error().Err(err).Str("activity", act.ID).Msg("teams: could not reply with the ritual form")
	}
}

// ritualSubmit reads a submit of the ritual form; ok is false for other
// submits.
func ritualSubmit(raw json.RawMessage) (preview bool, id string, version int64, values map[string]string, ok bool) {
	var fields map[string]any
	if json.Unmarshal(raw, &fields) != nil || (fields["action"] != actionRitualSave && fields["action"] != actionRitualPreview) {
		return false, "", 0, nil, false
	}
	preview = fields["action"] == actionRitualPreview
	id, _ = fields["value"].(string)
	k, _ := fields["key"].(string)
	version, _ = strconv.ParseInt(k, 10, 64)
	values = map[string]string{}
	for k, v := range fields {
		name, found := strings.CutPrefix(k, cfgPrefix)
		if !found {
			continue
		}
		s, _ := v.(string)
		if s == "false" {
			s = "" // an Input.Toggle left off
		}
		values[name] = s
	}
	return preview, id, version, values, true
}

// ritualPreview asks for the fire times of what is typed, worded in p's
// language; failures that are ours are logged.
func (a *Adapter) ritualPreview(ctx context.Context, p *cadence.Person, id string, values map[string]string) *bot.PreviewText {
	zones, err := a.forms.Preview(ctx, id, values)
	text, internal := bot.WordPreview(a.svc.Roster().LanguageOf(p.ID), zones, err)
	if internal {
		a.log.Error().Err(err).Str("person", p.ID).Str("ritual", id).Msg("teams: previewing a ritual's schedule failed")
	}
	return &text
}

// onRitualPreview answers "Preview schedule": the card again with what
// was typed and the next fire times; nothing is saved.
func (a *Adapter) onRitualPreview(ctx context.Context, act *Activity, p *cadence.Person, id string, version int64, values map[string]string) (int, error) {
	if a.forms == nil {
		a.replyWith(ctx, act, notice("Not enabled", "Editing rituals from chat is not enabled on this bot."))
		return http.StatusOK, nil
	}
	if !p.Role.CanRunRituals() {
		a.replyWith(ctx, act, notice("Leads and admins only", fmt.Sprintf("Only leads and admins create and edit rituals; you are a %s.", p.Role)))
		return http.StatusOK, nil
	}
	form := ritualForm{version: version, values: values, lang: a.svc.Roster().LanguageOf(p.ID)}
	if version > 0 {
		form.id = id
	}
	if id == "" {
		id = strings.TrimSpace(values["id"])
	}
	form.preview = a.ritualPreview(ctx, p, id, values)
	a.replyCard(ctx, act, ritualCard(a.forms.Fields(cadence.DefRitual), form), "Ritual form: preview")
	return http.StatusOK, nil
}

// onRitualSubmit saves the form, or answers with it again, problems next
// to their inputs and what was typed kept.
func (a *Adapter) onRitualSubmit(ctx context.Context, act *Activity, p *cadence.Person, id string, version int64, values map[string]string) (int, error) {
	lang := a.svc.Roster().LanguageOf(p.ID)
	t := func(id string, kv ...any) string { return cadence.UIText(lang, "ritual_form."+id, kv...) }
	if a.forms == nil {
		a.replyWith(ctx, act, notice(t("off_title"), t("off")))
		return http.StatusOK, nil
	}
	if id == "" {
		id = strings.TrimSpace(values["id"])
	}
	saved, err := a.forms.Save(ctx, p.ID, cadence.DefRitual, id, version, values)
	if err == nil {
		a.log.Info().Str("person", p.ID).Str("ritual", saved.ID).Int64("version", saved.Version).Msg("teams: ritual saved from a card")
		a.replyWith(ctx, act, notice(t("saved_title"), t("saved", "ID", saved.ID, "Version", saved.Version)))
		return http.StatusOK, nil
	}
	form := ritualForm{id: "", version: version, values: values, errors: map[string]string{}, lang: lang}
	if version > 0 {
		form.id = id
	}
	fields := a.forms.Fields(cadence.DefRitual)
	known := func(k string) bool {
		for _, f := range fields {
			if f.Key == k || (f.Kind == "tables" && strings.HasPrefix(k, f.Key+"[")) {
				return k != "id" || form.id == ""
			}
		}
		return false
	}
	var fe cadence.FieldErrors
	var stale *ops.StaleError
	var top []string
	switch {
	case errors.As(err, &fe):
		for k, msg := range fe {
			if known(k) {
				form.errors[k] = msg
			} else if k != "" {
				top = append(top, k+": "+msg)
			} else {
				top = append(top, msg)
			}
		}
	case errors.As(err, &stale):
		top = append(top, stale.Error())
		if !stale.Deleted {
			form.version = stale.Version // saving again overwrites theirs, on purpose
		}
	case bot.IsUserError(err):
		top = append(top, userMessageIn(lang, err))
	default:
		a.log.Error().Err(err).Str("person", p.ID).Msg("teams: saving a ritual failed")
		top = append(top, t("failed_kept"))
	}
	slices.Sort(top)
	form.top = strings.Join(append([]string{t("not_saved")}, top...), "\n\n")
	a.replyCard(ctx, act, ritualCard(fields, form), t("card_summary_not_saved"))
	return http.StatusOK, nil
}
