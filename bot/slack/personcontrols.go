package slack

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// The person controls of a prompt on Slack: the snooze buttons (the
// prompt is updated to say until when) and the "I'm out of office…"
// button, which opens a modal asking for the range (two datepickers and
// a note). The rules and the words are bot's (bot/personcontrols.go).

// callbackOOO is the callback_id of the out-of-office modal.
const callbackOOO = "cadence_ooo"

// blockControl is the context block a person control adds to the prompt;
// a later click replaces it.
const blockControl = "person_control"

const (
	snoozeMark = ":zzz: "
	oooMark    = ":palm_tree: "
)

// oooDraft is the private_metadata of the out-of-office modal: the prompt
// it was opened from, to update it after.
type oooDraft struct {
	Occurrence string `json:"o"`
	origin
}

func clickOrigin(cb *slack.InteractionCallback, channel string) origin {
	from := origin{Channel: channel, TS: cb.Container.MessageTs}
	if from.TS == "" {
		from.TS = cb.Message.Timestamp
	}
	return from
}

// snoozeClick puts the prompt off and says until when on the prompt
// itself; a refusal (closed, answered) is told privately and changes
// nothing.
func (a *Adapter) snoozeClick(ctx context.Context, cb *slack.InteractionCallback, person *cadence.Person, act *slack.BlockAction, channel string) {
	from := clickOrigin(cb, channel)
	log := a.log.With().Str("person", person.ID).Str("action", act.ActionID).Str("occurrence", act.Value).Logger()
	res, err := bot.SnoozeClick(ctx, a.svc, person, act.Value, act.ActionID)
	switch {
	case err != nil && bot.IsUserError(err):
		a.tell(ctx, cb.TriggerID, from, cb.User.ID, infoMark+escape(err.Error()))
		return
	case err != nil:
		log.Error().Err(err).Msg("snooze failed")
		a.tell(ctx, cb.TriggerID, from, cb.User.ID, "That did not work on our side; please try again in a minute.")
		return
	case !res.Snoozed():
		log.Info().Str("refused", res.Text).Msg("snooze refused")
		a.tell(ctx, cb.TriggerID, from, cb.User.ID, infoMark+escape(res.Text))
		return
	}
	log.Info().Time("until", res.Until).Msg("prompt snoozed")
	if from.home() {
		a.tell(ctx, cb.TriggerID, from, cb.User.ID, snoozeMark+escape(res.Text))
		_ = a.publishHome(ctx, cb.User.ID)
		return
	}
	if !a.notePrompt(ctx, from, cb.Message.Blocks.BlockSet, snoozeMark+escape(res.Text), false) {
		a.ephemeral(ctx, from.Channel, cb.User.ID, snoozeMark+escape(res.Text))
	}
}

// openOOOModal asks for the out-of-office range: views.open on the
// click's trigger_id (valid for 3 s, so this runs right after the ack).
func (a *Adapter) openOOOModal(ctx context.Context, cb *slack.InteractionCallback, person *cadence.Person, occID, channel string) {
	d := oooDraft{Occurrence: occID, origin: clickOrigin(cb, channel)}
	view := oooModal(a.svc, person, d, bot.OOOFormFor(person, a.clock.Now()))
	if err := a.openView(ctx, cb.TriggerID, view); err != nil {
		a.log.Warn().Err(err).Str("person", person.ID).Msg("opening the out-of-office modal failed")
		a.tell(ctx, "", d.origin, cb.User.ID, viewFailure(err, "the out-of-office form"))
	}
}

// oooModal is the out-of-office form: from (today in the person's zone),
// to, and an optional note.
func oooModal(svc cadence.Service, p *cadence.Person, d oooDraft, f bot.OOOForm) slack.ModalViewRequest {
	t := func(id string) string { return bot.OOOText(svc, p, id) }
	md, _ := jsonString(d)
	date := func(block, label, initial string) *slack.InputBlock {
		el := slack.NewDatePickerBlockElement(block)
		el.InitialDate = initial
		return slack.NewInputBlock(block, plain(label), nil, el)
	}
	note := textInput(bot.OOOFieldNote, t("note"), f.Note, false, 200, true)
	note.Element.(*slack.PlainTextInputBlockElement).Placeholder = plain(t("note_hint"))
	v := modal(callbackOOO, t("title"), t("save"), md,
		slack.NewSectionBlock(markdown(escape(t("intro"))), nil, nil),
		date(bot.OOOFieldFrom, t("from"), f.From),
		date(bot.OOOFieldTo, t("to"), f.To),
		note)
	v.Close = plain(cadence.UIText(svc.Roster().LanguageOf(p.ID), "modal.cancel"))
	return v
}

// submitOOO records the range of the modal, or puts each problem next to
// its input. The prompt it came from then says so (without its buttons
// when the range excused it).
func (a *Adapter) submitOOO(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	first := bot.OOOFieldFrom
	person := a.personFor(cb.User.ID)
	if person == nil {
		return modalErrors(map[string]string{first: notOnRoster})
	}
	var d oooDraft
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &d); err != nil {
		return modalErrors(map[string]string{first: "This form is broken; close it and press the button again."})
	}
	state := func(block string) slack.BlockAction {
		if cb.View.State == nil {
			return slack.BlockAction{}
		}
		return cb.View.State.Values[block][block]
	}
	form := bot.OOOForm{From: state(bot.OOOFieldFrom).SelectedDate, To: state(bot.OOOFieldTo).SelectedDate, Note: state(bot.OOOFieldNote).Value}
	res, err := bot.SubmitOOO(ctx, a.svc, person, d.Occurrence, form, a.clock.Now())
	var fe cadence.FieldErrors
	switch {
	case errors.As(err, &fe):
		return modalErrors(fe)
	case err != nil && bot.IsUserError(err):
		return modalErrors(map[string]string{first: err.Error()})
	case err != nil:
		a.log.Error().Err(err).Str("person", person.ID).Msg("recording out of office failed")
		return modalErrors(map[string]string{first: "That did not work on our side; please try again in a minute."})
	}
	a.log.Info().Str("person", person.ID).Stringer("from", res.Range.From).Stringer("to", res.Range.To).Msg("out of office from the prompt's form")
	user, text := cb.User.ID, oooMark+escape(res.Text)
	a.background(func(ctx context.Context) {
		if d.home() {
			_ = a.publishHome(ctx, user)
			return
		}
		if !a.notePrompt(ctx, d.origin, nil, text, res.Excused) {
			a.ephemeral(ctx, d.Channel, user, text)
		}
	})
	return nil
}

// notePrompt adds line to the prompt a click came from, in place of an
// earlier line of a person control; dropButtons takes its buttons off
// (nothing is left to do). blocks are the prompt's blocks from the
// click's payload; without them the message is read back.
func (a *Adapter) notePrompt(ctx context.Context, from origin, blocks []slack.Block, line string, dropButtons bool) bool {
	text := ""
	if len(blocks) == 0 {
		msgs, _, err := a.replies(ctx, from.Channel, from.TS, "", "")
		if err != nil || len(msgs) == 0 || msgs[0].Timestamp != from.TS {
			a.log.Warn().Err(err).Str("channel", from.Channel).Str("ts", from.TS).Msg("could not read the prompt back")
			return false
		}
		blocks, text = msgs[0].Blocks.BlockSet, msgs[0].Text
	}
	var kept []slack.Block
	for _, b := range blocks {
		if c, ok := b.(*slack.ContextBlock); ok && c.BlockID == blockControl {
			continue
		}
		if dropButtons && b.BlockType() == slack.MBTAction {
			continue
		}
		kept = append(kept, b)
	}
	kept = append(kept, slack.NewContextBlock(blockControl, markdown(truncate(line, maxContextText))))
	opts := []slack.MsgOption{slack.MsgOptionBlocks(kept...)}
	if text != "" {
		opts = append(opts, slack.MsgOptionText(text, false))
	}
	err := a.call(ctx, "chat.update", from.Channel, func() error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, from.Channel, from.TS, opts...)
		return err
	})
	if err != nil {
		a.log.Warn().Err(err).Str("channel", from.Channel).Str("ts", from.TS).Msg("updating the prompt failed")
		return false
	}
	return true
}
