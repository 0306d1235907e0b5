package slack

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// The inbound handlers are shared by Socket Mode and HTTP mode: each
// takes a parsed payload and returns what to acknowledge it with.

const notOnRoster = "You are not on the cadencebot roster. Ask your team lead to add your Slack user ID or email to the config."

// handleEvent runs one Events API callback. Callers dedupe by event_id.
func (a *Adapter) handleEvent(ctx context.Context, ev slackevents.EventsAPIEvent) error {
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.AppHomeOpenedEvent:
		if inner.Tab != "" && inner.Tab != "home" {
			return nil
		}
		return a.publishHome(ctx, inner.User)
	case *slackevents.MessageEvent:
		return a.onDirectMessage(ctx, inner)
	case *slackevents.AppMentionEvent:
		return a.onMention(ctx, inner)
	default:
		a.log.Debug().Str("type", ev.InnerEvent.Type).Msg("event ignored")
	}
	return nil
}

// interactionIsSync reports whether the interaction's ack must carry our
// answer (view_submission); the others are acked at once and handled
// after.
func interactionIsSync(cb *slack.InteractionCallback) bool {
	return cb.Type == slack.InteractionTypeViewSubmission
}

// handleViewSubmission validates and stores a modal's answers and returns
// the ack payload: nil closes the modal, response_action "errors" shows
// the problems next to the inputs.
func (a *Adapter) handleViewSubmission(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	if resp, ok := a.handlePersonSubmission(ctx, cb); ok {
		return resp
	}
	if resp, ok := a.handleOpsSubmission(ctx, cb); ok {
		return resp
	}
	if cb.View.CallbackID == callbackOOO {
		return a.submitOOO(ctx, cb)
	}
	if cb.View.CallbackID != callbackAnswer {
		return nil
	}
	log := a.log.With().Str("slack_user", cb.User.ID).Str("occurrence", cb.View.PrivateMetadata).Logger()
	person := a.personFor(cb.User.ID)
	occID := cb.View.PrivateMetadata
	ritual := a.ritualOf(occID)
	if ritual == nil {
		log.Warn().Msg("answer modal for an unknown ritual")
		return slack.NewErrorsViewSubmissionResponse(map[string]string{firstBlock(cb.View): "This ritual no longer exists."})
	}
	if person == nil {
		return slack.NewErrorsViewSubmissionResponse(submissionErrors(ritual, cadence.ErrForbidden))
	}
	_, err := a.svc.SubmitAnswer(ctx, cadence.AnswerInput{
		OccurrenceID: occID, PersonID: person.ID, Responses: responses(ritual, cb.View.State), Via: "slack-modal",
	})
	if err != nil && !bot.IsUserError(err) {
		log.Error().Err(err).Msg("storing an answer failed")
	}
	if errs := submissionErrors(ritual, err); errs != nil {
		return slack.NewErrorsViewSubmissionResponse(errs)
	}
	log.Info().Str("person", person.ID).Msg("answer stored")
	return nil
}

func firstBlock(v slack.View) string {
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			return in.BlockID
		}
	}
	return ""
}

// ritualOf finds the ritual of an occurrence ID without a store read.
func (a *Adapter) ritualOf(occID string) *cadence.Ritual {
	rid, _, err := cadence.ParseOccurrenceID(occID)
	if err != nil {
		return nil
	}
	return a.svc.Ritual(rid)
}

// handleBlockActions runs button clicks: Answer opens the modal (the
// trigger_id is only valid for 3 s, so this runs right after the ack);
// Skip excuses the person from the occurrence; the snooze buttons and
// the out-of-office form are personcontrols.go's.
func (a *Adapter) handleBlockActions(ctx context.Context, cb *slack.InteractionCallback) {
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	person := a.personFor(cb.User.ID)
	if person == nil {
		bot.AuditStranger(ctx, a.svc, Platform, cb.User.ID, "click")
		a.ephemeral(ctx, channel, cb.User.ID, notOnRoster)
		return
	}
	for _, act := range cb.ActionCallback.BlockActions {
		log := a.log.With().Str("person", person.ID).Str("action", act.ActionID).Str("occurrence", act.Value).Logger()
		switch act.ActionID {
		case cadence.ActionAnswer:
			if msg := a.openAnswerModal(ctx, cb.TriggerID, person, act.Value); msg != "" {
				a.ephemeral(ctx, channel, cb.User.ID, msg)
			}
		case cadence.ActionSnoozeHour, cadence.ActionSnoozeTomorrow:
			a.snoozeClick(ctx, cb, person, act, channel)
		case cadence.ActionOOO:
			a.openOOOModal(ctx, cb, person, act.Value, channel)
		case actionRitualPreview:
			a.previewClick(ctx, cb, person)
		case cadence.ActionDecline:
			reason, done := "declined", "Got it: you are excused from this one (declined). No reminders will follow."
			err := a.svc.Decline(ctx, act.Value, person.ID, reason)
			switch {
			case err == nil:
				log.Info().Msg("excused from the occurrence")
				a.ephemeral(ctx, channel, cb.User.ID, done)
			case bot.IsUserError(err):
				a.ephemeral(ctx, channel, cb.User.ID, userMessage(err))
			default:
				log.Error().Err(err).Msg("decline failed")
				a.ephemeral(ctx, channel, cb.User.ID, "That did not work on our side; please try again in a minute.")
			}
			if channel == "" { // clicked in the App Home: show the new state there
				_ = a.publishHome(ctx, cb.User.ID)
			}
		default:
			if !a.opsAction(ctx, cb, person, act, channel) {
				log.Debug().Msg("unknown action ignored")
			}
		}
	}
}

// openAnswerModal opens the questions of an occurrence for person, with
// their earlier answer filled in. It returns a message for the person
// when the modal cannot be opened.
func (a *Adapter) openAnswerModal(ctx context.Context, triggerID string, person *cadence.Person, occID string) string {
	occ, answers, err := a.svc.Occurrence(ctx, occID)
	if err != nil {
		if errors.Is(err, cadence.ErrNotFound) {
			return "This ritual occurrence no longer exists."
		}
		a.log.Error().Err(err).Str("occurrence", occID).Msg("loading the occurrence failed")
		return "That did not work on our side; please try again in a minute."
	}
	r := a.svc.Ritual(occ.RitualID)
	if r == nil {
		return "This ritual is no longer configured."
	}
	// After the close the button leads to the late answer the rules allow.
	st, err := cadence.CheckAnswer(a.svc, r, occ, answers, person, a.clock.Now())
	if text, ok := cadence.RefusalText(err); ok {
		return escape(text)
	}
	if err != nil {
		return "You are not expected to answer *" + escape(r.Title) + "* this time."
	}
	var prev *cadence.Answer
	for _, an := range answers {
		if an.PersonID == person.ID {
			prev = an
		}
	}
	view := answerModalIn(a.svc.Roster().LanguageOf(person.ID), r, occ, st, prev, person.Location)
	err = a.call(ctx, "views.open", "", func() error {
		_, err := a.api.OpenViewContext(ctx, triggerID, view)
		return err
	})
	switch code := codeOf(err); {
	case err == nil:
		return ""
	case code == "expired_trigger_id" || code == "exchanged_trigger_id" || code == "invalid_trigger_id":
		a.log.Warn().Str("code", code).Str("person", person.ID).Msg("the Answer click expired before the modal opened")
		return "That click took too long to reach me. Please press *Answer* again."
	default:
		a.log.Error().Err(err).Str("person", person.ID).Msg("opening the answer modal failed")
		return "I could not open the questions; please try again in a minute."
	}
}

// userName names a Slack user for text that quotes them: the roster
// name when they are in it.
func (a *Adapter) userName(userID string) string {
	if p := a.personFor(userID); p != nil {
		return p.Name
	}
	return ""
}

// threadReply treats a person's reply in the thread of the prompt rec
// (found by onDirectMessage) as the answer to a single-question ritual.
func (a *Adapter) threadReply(ctx context.Context, ev *slackevents.MessageEvent, rec promptRecord) error {
	person := a.personFor(ev.User)
	if person == nil || person.ID != rec.Person {
		return nil
	}
	r := a.ritualOf(rec.Occurrence)
	if r == nil {
		return nil
	}
	if len(r.Questions) != 1 {
		a.ephemeralThread(ctx, ev.Channel, ev.User, ev.ThreadTimeStamp,
			"This ritual asks several questions: please use the *Answer* button so each answer lands in its place.")
		return nil
	}
	_, err := a.svc.SubmitAnswer(ctx, cadence.AnswerInput{
		OccurrenceID: rec.Occurrence, PersonID: person.ID, Via: "slack-thread",
		Responses: []cadence.Response{{QuestionID: r.Questions[0].ID, Text: plainText(ev.Text, a.userName)}},
	})
	switch {
	case err == nil:
		a.log.Info().Str("person", person.ID).Str("occurrence", rec.Occurrence).Msg("answer stored from a thread reply")
	case bot.IsUserError(err):
		a.ephemeralThread(ctx, ev.Channel, ev.User, ev.ThreadTimeStamp, userMessage(err))
	default:
		return err
	}
	return nil
}

// promptOf finds what a prompt DM asks: from the record written when it
// was sent, or from the metadata of the message itself.
func (a *Adapter) promptOf(ctx context.Context, channel, ts string) (promptRecord, bool, error) {
	var rec promptRecord
	v, ok, err := a.getKV(ctx, nsPrompts, channel+"/"+ts)
	if err != nil {
		return rec, false, err
	}
	if ok {
		return rec, json.Unmarshal(v, &rec) == nil, nil
	}
	msgs, _, err := a.replies(ctx, channel, ts, "", "")
	if err != nil || len(msgs) == 0 || msgs[0].Timestamp != ts {
		return rec, false, err
	}
	p := msgs[0].Metadata.EventPayload
	rec.Occurrence, _ = p["occurrence"].(string)
	rec.Person, _ = p["person"].(string)
	return rec, rec.Occurrence != "" && rec.Person != "", nil
}

// handleCommand runs /cadence and returns the ephemeral reply.
func (a *Adapter) handleCommand(ctx context.Context, cmd slack.SlashCommand) *slack.Msg {
	person := a.personFor(cmd.UserID)
	if person == nil {
		bot.AuditStranger(ctx, a.svc, Platform, cmd.UserID, "slash")
		return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: notOnRoster}
	}
	if msg, ok := a.commandForm(ctx, person, cmd); ok {
		return msg
	}
	if msg, ok := a.ritualCommand(ctx, person, cmd); ok {
		return msg
	}
	if msg, ok := a.personCommand(ctx, person, cmd); ok {
		return msg
	}
	reply, err := bot.Run(ctx, a.svc, person, cmd.Text, a.clock.Now())
	if err != nil {
		a.log.Error().Err(err).Str("person", person.ID).Str("command", cmd.Text).Msg("/cadence failed")
	}
	return replyMessage(reply)
}

// replyMessage renders a command reply as an ephemeral message, kept
// under Socket Mode's 20 KB ack limit.
func replyMessage(r bot.Reply) *slack.Msg {
	parts := render(&cadence.Message{Kind: cadence.KindNotice, Body: r.Body()}, "")
	msg := &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: truncate(escape(r.String()), maxFallbackText), Blocks: slack.Blocks{BlockSet: parts[0].Blocks}}
	if b, err := json.Marshal(msg); err != nil || len(b) > 15000 || len(parts) > 1 {
		msg.Blocks = slack.Blocks{}
		msg.Text = truncate(escape(r.String()), 12000)
	}
	return msg
}

// publishHome renders the App Home of a Slack user.
func (a *Adapter) publishHome(ctx context.Context, userID string) error {
	var view slack.HomeTabViewRequest
	if p := a.personFor(userID); p == nil {
		view = slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(markdown(notOnRoster), nil, nil)}}}
	} else {
		st, err := a.svc.Status(ctx, p.ID)
		if err != nil {
			return err
		}
		view = homeViewIn(a.svc.Roster().LanguageOf(p.ID), st)
		if err := a.homeFollowUps(ctx, p, &view); err != nil {
			return err
		}
		if err := a.homeOnCall(ctx, p, &view); err != nil {
			return err
		}
	}
	return a.call(ctx, "views.publish", "", func() error {
		_, err := a.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
		return err
	})
}

func (a *Adapter) ephemeral(ctx context.Context, channel, user, text string) {
	a.ephemeralThread(ctx, channel, user, "", text)
}

// ephemeralThread answers a person privately. Ephemeral messages are
// replies to what they just did, not records, so they skip the outbox.
func (a *Adapter) ephemeralThread(ctx context.Context, channel, user, threadTS, text string) {
	if channel == "" {
		return
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	err := a.call(ctx, "chat.postEphemeral", "", func() error {
		_, err := a.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
	if err != nil {
		a.log.Warn().Err(err).Str("slack_user", user).Msg("ephemeral reply failed")
	}
}

// userMessage words a cadence error for the person who caused it.
func userMessage(err error) string {
	var fe cadence.FieldErrors
	switch {
	case errors.As(err, &fe):
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(fe)) {
			parts = append(parts, fe[k])
		}
		return "Your answer was not saved: " + strings.Join(parts, "; ") + "."
	}
	if text, ok := cadence.RefusalText(err); ok {
		return escape(text)
	}
	switch {
	case errors.Is(err, cadence.ErrClosed):
		return "This ritual has closed: answers are no longer accepted."
	case errors.Is(err, cadence.ErrForbidden):
		return "You are not expected at this one."
	case errors.Is(err, cadence.ErrNotFound):
		return "This ritual occurrence no longer exists."
	}
	return err.Error()
}
