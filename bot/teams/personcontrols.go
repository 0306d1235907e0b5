package teams

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// The person controls of a prompt card: the snooze buttons (Action.Submit;
// the result is a reply) and "I'm out of office…", an Action.ShowCard that
// unfolds two Input.Date fields (from starts today in the person's zone),
// a note and its own Action.Submit. The rules and the words are bot's
// (bot/personcontrols.go).
//
// Inputs of a parent card are validated with a ShowCard's submit
// (Adaptive Cards, "Input validation"), so a prompt card carrying the
// form does not mark its questions isRequired: the engine checks them
// and the card is redrawn with the errors next to them.

// actionOOORange submits the out-of-office form.
const actionOOORange = "ooo_range"

// oooFormValue marks the submit of a standalone form card (sent back
// with errors), which a success replaces in place.
const oooFormValue = "form"

// inputDate is Adaptive Cards' Input.Date: it submits YYYY-MM-DD.
type inputDate struct {
	Type         string `json:"type"`
	ID           string `json:"id"`
	Label        string `json:"label"`
	IsRequired   bool   `json:"isRequired,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
	Value        string `json:"value,omitempty"`
}

// oooForm is what the out-of-office form of one person shows: its words,
// the dates (today, or as typed) and the errors of a refused submit.
type oooForm struct {
	words  map[string]string
	form   bot.OOOForm
	errors map[string]string
}

// oooFormOf words the form for a person, dates from today in their zone.
func (a *Adapter) oooFormOf(personID string) *oooForm {
	p := a.svc.Roster().Person(personID)
	if p == nil {
		return nil
	}
	f := &oooForm{words: map[string]string{}, form: bot.OOOFormFor(p, a.clock.Now())}
	for _, id := range []string{"title", "intro", "from", "to", "note", "note_hint", "save", "err_required"} {
		f.words[id] = bot.OOOText(a.svc, p, id)
	}
	return f
}

// oooItems are the form's inputs, each error in red under its input.
func (f *oooForm) oooItems() []any {
	errLine := func(field string) []any {
		if e, ok := f.errors[field]; ok {
			return []any{textBlock{Type: "TextBlock", Text: "⚠ " + mdText(e), Wrap: true, Color: "Attention", Spacing: "None"}}
		}
		return nil
	}
	items := []any{textBlock{Type: "TextBlock", Text: mdText(f.words["intro"]), Wrap: true, Size: "Small"}}
	items = append(items, inputDate{Type: "Input.Date", ID: bot.OOOFieldFrom, Label: f.words["from"], IsRequired: true, ErrorMessage: f.words["err_required"], Value: f.form.From})
	items = append(items, errLine(bot.OOOFieldFrom)...)
	items = append(items, inputDate{Type: "Input.Date", ID: bot.OOOFieldTo, Label: f.words["to"], IsRequired: true, ErrorMessage: f.words["err_required"], Value: f.form.To})
	items = append(items, errLine(bot.OOOFieldTo)...)
	items = append(items, inputText{Type: "Input.Text", ID: bot.OOOFieldNote, Label: f.words["note"], MaxLength: 200, Value: f.form.Note})
	return append(items, errLine(bot.OOOFieldNote)...)
}

func (f *oooForm) submit(occID, value string) actionSubmit {
	return actionSubmit{Type: "Action.Submit", Title: f.words["save"], Style: "positive",
		Data: submitData{Action: actionOOORange, Occurrence: occID, Value: value}}
}

// oooAction is the prompt's out-of-office button: the form unfolds under
// the card.
func oooAction(label, occID string, f *oooForm) actionShowCard {
	return actionShowCard{Type: "Action.ShowCard", Title: label,
		Card: &subCard{Type: "AdaptiveCard", Body: f.oooItems(), Actions: []any{f.submit(occID, "")}}}
}

// oooCard is the form on a card of its own, sent back with the errors of
// a refused submit and the dates as typed.
func oooCard(occID string, f *oooForm) *adaptiveCard {
	body := append([]any{textBlock{Type: "TextBlock", Text: mdText(f.words["title"]), Wrap: true, Size: "Large", Weight: "Bolder"}}, f.oooItems()...)
	actions := []any{f.submit(occID, oooFormValue)}
	return newCard(body, actions, f.words["title"])
}

// hasOOOForm reports whether m's card unfolds the out-of-office form.
func hasOOOForm(m *cadence.Message, o cardOptions) bool {
	return o.ooo != nil && m.To.Person != "" &&
		slices.ContainsFunc(m.Body.Actions, func(a cadence.Action) bool { return a.ID == cadence.ActionOOO })
}

// onSnooze answers a snooze button with a reply saying until when, or
// why nothing changed.
func (a *Adapter) onSnooze(ctx context.Context, act *Activity, p *cadence.Person, v submitValue) (int, error) {
	res, err := bot.SnoozeClick(ctx, a.svc, p, v.occurrence, v.action)
	switch {
	case err != nil && bot.IsUserError(err):
		a.replyWith(ctx, act, notice(cadence.UIText(a.langOf(p), "teams.not_snoozed"), userMessageIn(a.langOf(p), err)))
		return http.StatusOK, nil
	case err != nil:
		return http.StatusInternalServerError, err
	}
	title := "💤 " + cadence.UIText(a.svc.Roster().LanguageOf(p.ID), "action."+v.action)
	if !res.Snoozed() {
		title = "ℹ " + title
	}
	a.log.Info().Str("person", p.ID).Str("occurrence", v.occurrence).Time("until", res.Until).Msg("teams: snooze")
	a.replyWith(ctx, act, notice(title, res.Text))
	return http.StatusOK, nil
}

// onOOORange records the range of the out-of-office form. Errors come
// back on a form card of its own, next to their inputs with the dates as
// typed; a recorded range replaces the card it came from when nothing is
// left to do on it (the prompt was excused, or it was that form card),
// otherwise it is a reply.
func (a *Adapter) onOOORange(ctx context.Context, act *Activity, p *cadence.Person, v submitValue) (int, error) {
	form := bot.OOOForm{From: v.ooo[bot.OOOFieldFrom], To: v.ooo[bot.OOOFieldTo], Note: v.ooo[bot.OOOFieldNote]}
	res, err := bot.SubmitOOO(ctx, a.svc, p, v.occurrence, form, a.clock.Now())
	var fe cadence.FieldErrors
	switch {
	case errors.As(err, &fe):
		f := a.oooFormOf(p.ID)
		f.form, f.errors = form, fe
		out := cardActivity(oooCard(v.occurrence, f), f.words["title"])
		if act.ReplyToID != "" && v.value == oooFormValue {
			if err := a.put(ctx, act.ServiceURL, act.Conversation.ID, act.ReplyToID, act.From, out); err == nil {
				return http.StatusOK, nil
			}
		}
		if _, err := a.post(ctx, act.ServiceURL, act.Conversation.ID, act.ID, act.From, out); err != nil {
			return http.StatusInternalServerError, err
		}
		return http.StatusOK, nil
	case err != nil && bot.IsUserError(err):
		a.replyWith(ctx, act, notice(cadence.UIText(a.langOf(p), "teams.not_recorded"), userMessageIn(a.langOf(p), err)))
		return http.StatusOK, nil
	case err != nil:
		return http.StatusInternalServerError, err
	}
	a.log.Info().Str("person", p.ID).Stringer("from", res.Range.From).Stringer("to", res.Range.To).Msg("teams: out of office from the prompt's form")
	title := "🌴 " + bot.OOOText(a.svc, p, "title")
	if act.ReplyToID != "" && (res.Excused || v.value == oooFormValue) {
		acts, err := render(notice(title, res.Text), cardOptions{}, a.maxBytes, address{from: a.bot(), to: act.From, conv: act.Conversation.ID})
		if err == nil && len(acts) == 1 {
			if err := a.put(ctx, act.ServiceURL, act.Conversation.ID, act.ReplyToID, act.From, acts[0]); err == nil {
				return http.StatusOK, nil
			}
			a.log.Warn().Err(err).Msg("teams: could not update the card in place; replying instead")
		}
	}
	a.replyWith(ctx, act, notice(title, res.Text))
	return http.StatusOK, nil
}
