package teams

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// The person editor as an Adaptive Card: "person new" or "person edit
// ID" said to the bot answers with a form (an Input.Text per key of the
// file's [[people]] table, labelled in the actor's language) whose
// Action.Submit comes back as a message activity's value. A refused save
// answers with the form again: each problem above its input, what was
// typed kept. "person remove ID" answers with a card saying what removing
// does and a Remove button. The rules and words are bot's
// (bot/personforms.go), as in Slack and on the web.

const (
	actionPersonSave   = "config_person_save"
	actionPersonRemove = "config_person_remove"
)

// personText answers "person …"; ok is false for other text. Usage
// errors fall through to the command runner, which explains them.
func (a *Adapter) personText(ctx context.Context, act *Activity, p *cadence.Person, text string) bool {
	cmd, err := bot.ParseCommand(text)
	if err != nil || cmd.Verb != bot.VerbPerson || p == nil {
		return false
	}
	log := a.log.With().Str("person", p.ID).Str("command", text).Logger()
	if cmd.Sub == "remove" {
		rm, refusal, err := bot.OpenPersonRemoval(ctx, a.forms, a.svc, p, cmd.Person)
		if err != nil {
			log.Error().Err(err).Msg("teams: reading a person to remove failed")
		}
		if rm == nil {
			a.replyWith(ctx, act, notice("cadencebot", refusal))
			return true
		}
		a.replyCard(ctx, act, removalCard(rm), rm.Title)
		return true
	}
	form, refusal, err := bot.OpenPersonForm(ctx, a.forms, a.svc, p, cmd)
	if err != nil {
		log.Error().Err(err).Msg("teams: reading a person to edit failed")
	}
	if form == nil {
		a.replyWith(ctx, act, notice("cadencebot", refusal))
		return true
	}
	a.replyCard(ctx, act, personCard(form), form.Title)
	return true
}

func personCard(f *bot.PersonForm) *adaptiveCard {
	body := []any{textBlock{Type: "TextBlock", Text: mdEscape(f.Title), Size: "Medium", Weight: "Bolder", Wrap: true}}
	if f.IDLine != "" {
		body = append(body, textBlock{Type: "TextBlock", Text: mdEscape(f.IDLine), IsSubtle: true, Wrap: true})
	}
	if f.Top != "" {
		body = append(body, textBlock{Type: "TextBlock", Text: mdEscape(f.Top), Color: "Attention", Wrap: true})
	}
	for _, in := range f.Inputs {
		if in.Error != "" {
			body = append(body, textBlock{Type: "TextBlock", Text: mdEscape(in.Label + ": " + in.Error), Color: "Attention", Wrap: true, Spacing: "Medium"})
		}
		body = append(body, inputText{Type: "Input.Text", ID: cfgPrefix + in.Key, Label: in.Label, Value: in.Value, IsMultiline: in.Kind == "list", MaxLength: 3000})
		if in.Help != "" {
			body = append(body, textBlock{Type: "TextBlock", Text: mdEscape(in.Help), IsSubtle: true, Size: "Small", Wrap: true})
		}
	}
	data := submitData{Action: actionPersonSave, Value: f.ID, Key: strconv.FormatInt(f.Version, 10)}
	return newCard(body, []any{actionSubmit{Type: "Action.Submit", Title: f.Submit, Style: "positive", Data: data}}, f.Title)
}

func removalCard(rm *bot.PersonRemoval) *adaptiveCard {
	body := []any{textBlock{Type: "TextBlock", Text: mdEscape(rm.Title), Size: "Medium", Weight: "Bolder", Wrap: true}}
	for _, l := range rm.Lines {
		body = append(body, textBlock{Type: "TextBlock", Text: mdEscape(l), Wrap: true})
	}
	data := submitData{Action: actionPersonRemove, Value: rm.ID, Key: strconv.FormatInt(rm.Version, 10)}
	return newCard(body, []any{actionSubmit{Type: "Action.Submit", Title: rm.Confirm, Style: "destructive", Data: data}}, rm.Title)
}

// personSubmit reads a submit of the person form or the removal card;
// ok is false for other submits.
func personSubmit(raw json.RawMessage) (action, id string, version int64, values map[string]string, ok bool) {
	var fields map[string]any
	if json.Unmarshal(raw, &fields) != nil {
		return "", "", 0, nil, false
	}
	action, _ = fields["action"].(string)
	if action != actionPersonSave && action != actionPersonRemove {
		return "", "", 0, nil, false
	}
	id, _ = fields["value"].(string)
	k, _ := fields["key"].(string)
	version, _ = strconv.ParseInt(k, 10, 64)
	values = map[string]string{}
	for k, v := range fields {
		if name, found := strings.CutPrefix(k, cfgPrefix); found {
			s, _ := v.(string)
			values[name] = s
		}
	}
	return action, id, version, values, true
}

// onPersonSubmit saves the form or removes the person; a refused save
// answers with the form again, problems next to their inputs.
func (a *Adapter) onPersonSubmit(ctx context.Context, act *Activity, p *cadence.Person, action, id string, version int64, values map[string]string) (int, error) {
	lang := a.svc.Roster().LanguageOf(p.ID)
	if action == actionPersonRemove {
		done, refusal, err := bot.ConfirmPersonRemoval(ctx, a.forms, a.svc, p, id, version)
		if err != nil {
			a.log.Error().Err(err).Str("person", p.ID).Str("removing", id).Msg("teams: removing a person failed")
		}
		if refusal != "" {
			a.replyWith(ctx, act, notice("cadencebot", refusal))
			return http.StatusOK, nil
		}
		a.log.Info().Str("person", p.ID).Str("removed", id).Msg("teams: person removed from a card")
		a.replyWith(ctx, act, notice("cadencebot", done))
		return http.StatusOK, nil
	}
	done, form, err := bot.SubmitPersonForm(ctx, a.forms, a.svc, p, id, version, values)
	if err != nil {
		a.log.Error().Err(err).Str("person", p.ID).Str("editing", id).Msg("teams: saving a person failed")
	}
	if form == nil {
		a.log.Info().Str("person", p.ID).Str("editing", id).Msg("teams: person saved from a card")
		a.replyWith(ctx, act, notice("cadencebot", done))
		return http.StatusOK, nil
	}
	form.Top = strings.TrimSpace(cadence.UIText(lang, "person_form.not_saved") + "\n\n" + form.Top)
	a.replyCard(ctx, act, personCard(form), form.Title)
	return http.StatusOK, nil
}
