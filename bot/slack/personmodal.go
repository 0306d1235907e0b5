package slack

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// The person editor as a modal: `/cadence person new` and `/cadence
// person edit ID` open it (views.open on the command's trigger_id), one
// input per key of the file's [[people]] table, labelled in the actor's
// language. A refused save answers response_action "errors" on the
// inputs concerned, so Slack keeps what was typed; a save refused as
// stale answers "update" with the view carrying the newer version, what
// was typed and whose change it was, so saving again overwrites it. `/cadence person
// remove ID` opens a confirmation saying what removing does; its submit
// removes. The rules and the words are bot's (bot/personforms.go).

const (
	callbackPerson       = "config_person"
	callbackPersonRemove = "config_person_remove"
)

// personDraft is the private_metadata of both modals.
type personDraft struct {
	ID      string `json:"id,omitempty"` // empty: new
	Version int64  `json:"v,omitempty"`
	Channel string `json:"c,omitempty"` // where to confirm
}

// personCommand answers `/cadence person …`; ok is false for other
// commands. Usage errors fall through to bot.Run, which explains them.
func (a *Adapter) personCommand(ctx context.Context, person *cadence.Person, cmd slack.SlashCommand) (*slack.Msg, bool) {
	c, err := bot.ParseCommand(cmd.Text)
	if err != nil || c.Verb != bot.VerbPerson {
		return nil, false
	}
	say := func(text string) (*slack.Msg, bool) {
		return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: escape(text)}, true
	}
	log := a.log.With().Str("person", person.ID).Str("command", cmd.Text).Logger()
	d := personDraft{Channel: cmd.ChannelID}
	var view slack.ModalViewRequest
	lang := a.svc.Roster().LanguageOf(person.ID)
	if c.Sub == "remove" {
		rm, refusal, err := bot.OpenPersonRemoval(ctx, a.opts.forms, a.svc, person, c.Person)
		if err != nil {
			log.Error().Err(err).Msg("reading a person to remove failed")
		}
		if rm == nil {
			return say(refusal)
		}
		d.ID, d.Version = rm.ID, rm.Version
		view = removalModal(lang, rm, d)
	} else {
		form, refusal, err := bot.OpenPersonForm(ctx, a.opts.forms, a.svc, person, c)
		if err != nil {
			log.Error().Err(err).Msg("reading a person to edit failed")
		}
		if form == nil {
			return say(refusal)
		}
		d.ID, d.Version = form.ID, form.Version
		view = personModal(lang, form, d)
	}
	if err := a.openView(ctx, cmd.TriggerID, view); err != nil {
		log.Warn().Err(err).Msg("opening the person modal failed")
		return say(viewFailure(err, "the person"))
	}
	return nil, true
}

func personModal(lang string, f *bot.PersonForm, d personDraft) slack.ModalViewRequest {
	md, _ := jsonString(d)
	var blocks []slack.Block
	if f.Top != "" { // a save refused as stale: whose change, and that saving again overwrites it
		blocks = append(blocks, slack.NewSectionBlock(markdown(truncate(":warning: "+escape(f.Top), maxSectionText)), nil, nil))
	}
	if f.IDLine != "" {
		blocks = append(blocks, slack.NewContextBlock("id", markdown(escape(f.IDLine))))
	}
	for _, in := range f.Inputs {
		el := textInput(in.Key, in.Label, in.Value, in.Kind == "list", 3000, in.Key != "id")
		if in.Help != "" {
			el.Hint = plain(truncate(in.Help, 2000))
		}
		blocks = append(blocks, el)
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackPerson, PrivateMetadata: md,
		Title: plain(truncate(f.Title, maxModalTitle)), Submit: plain(f.Submit), Close: plain(cadence.UIText(lang, "modal.cancel")),
		Blocks: slack.Blocks{BlockSet: blocks},
	}
}

func removalModal(lang string, rm *bot.PersonRemoval, d personDraft) slack.ModalViewRequest {
	md, _ := jsonString(d)
	var blocks []slack.Block
	for _, l := range rm.Lines {
		blocks = append(blocks, slack.NewSectionBlock(markdown(truncate(escape(l), maxSectionText)), nil, nil))
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackPersonRemove, PrivateMetadata: md,
		Title: plain(truncate(rm.Title, maxModalTitle)), Submit: plain(rm.Confirm), Close: plain(cadence.UIText(lang, "modal.cancel")),
		Blocks: slack.Blocks{BlockSet: blocks},
	}
}

// handlePersonSubmission answers the view_submission of the person
// modals; ok is false for other modals.
func (a *Adapter) handlePersonSubmission(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, bool) {
	if cb.View.CallbackID != callbackPerson && cb.View.CallbackID != callbackPersonRemove {
		return nil, false
	}
	person := a.personFor(cb.User.ID)
	var d personDraft
	mdErr := json.Unmarshal([]byte(cb.View.PrivateMetadata), &d)
	if cb.View.CallbackID == callbackPersonRemove {
		return a.submitRemoval(ctx, cb, person, d, mdErr), true
	}
	values := map[string]string{}
	blocks := map[string]bool{}
	for block, actions := range stateValues(cb.View.State) {
		blocks[block] = true
		if act, ok := actions[block]; ok {
			values[block] = act.Value
		}
	}
	switch {
	case person == nil:
		return modalErrors(map[string]string{firstOf(blocks, "name"): notOnRoster}), true
	case mdErr != nil:
		return modalErrors(map[string]string{firstOf(blocks, "name"): "This form is broken; close it and run the command again."}), true
	}
	done, form, err := bot.SubmitPersonForm(ctx, a.opts.forms, a.svc, person, d.ID, d.Version, values)
	if err != nil {
		a.log.Error().Err(err).Str("person", person.ID).Str("editing", d.ID).Msg("saving a person from a modal failed")
	}
	if form == nil {
		a.log.Info().Str("person", person.ID).Str("editing", cmpOr(d.ID, values["id"])).Msg("person saved from a modal")
		if d.Channel != "" {
			user := cb.User.ID
			a.background(func(ctx context.Context) { a.ephemeral(ctx, d.Channel, user, escape(done)) })
		}
		return nil, true
	}
	// A save refused as stale: the view again, with the newer version and
	// whose change it was on top, so a second Save overwrites on purpose.
	if form.Version != d.Version && form.Top != "" {
		d.Version = form.Version
		v := personModal(a.svc.Roster().LanguageOf(person.ID), form, d)
		return slack.NewUpdateViewSubmissionResponse(&v), true
	}
	// Each problem on its input's block; the rest on the first input
	// the view has, so Slack shows it and keeps every typed value.
	first := ""
	for _, in := range form.Inputs {
		if blocks[in.Key] {
			first = in.Key
			break
		}
	}
	errs := map[string]string{}
	for _, in := range form.Inputs {
		if in.Error == "" {
			continue
		}
		k := in.Key
		if !blocks[k] {
			k = first
		}
		errs[k] = joinErr(errs[k], in.Error)
	}
	if form.Top != "" {
		errs[first] = joinErr(form.Top, errs[first])
	}
	for k, v := range errs {
		errs[k] = truncate(v, 2000)
	}
	return modalErrors(errs), true
}

// submitRemoval removes the person the confirmation is for; a refusal
// (someone changed or removed them meanwhile) replaces the modal's text.
func (a *Adapter) submitRemoval(ctx context.Context, cb *slack.InteractionCallback, person *cadence.Person, d personDraft, mdErr error) *slack.ViewSubmissionResponse {
	notice := func(text string) *slack.ViewSubmissionResponse {
		v := noticeModal(escape(text))
		return slack.NewUpdateViewSubmissionResponse(&v)
	}
	switch {
	case person == nil:
		return notice(notOnRoster)
	case mdErr != nil || d.ID == "":
		return notice("This form is broken; close it and run the command again.")
	}
	done, refusal, err := bot.ConfirmPersonRemoval(ctx, a.opts.forms, a.svc, person, d.ID, d.Version)
	if err != nil {
		a.log.Error().Err(err).Str("person", person.ID).Str("removing", d.ID).Msg("removing a person failed")
	}
	if refusal != "" {
		return notice(refusal)
	}
	a.log.Info().Str("person", person.ID).Str("removed", d.ID).Msg("person removed from a modal")
	if d.Channel != "" {
		user := cb.User.ID
		a.background(func(ctx context.Context) { a.ephemeral(ctx, d.Channel, user, escape(done)) })
	}
	return nil
}

func firstOf(blocks map[string]bool, prefer string) string {
	if blocks[prefer] || len(blocks) == 0 {
		return prefer
	}
	for b := range blocks {
		return b
	}
	return prefer
}

func joinErr(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
