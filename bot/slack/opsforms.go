package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The MLOps forms: the incident modal of the message shortcut, the
// follow-up modal (`/cadence followup add` without the rest, or the
// "Add follow-up" button on an opened incident's confirmation) and the
// release-proposal modal (`/cadence release propose` without arguments).

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// isShortcut reports whether an interaction is a shortcut the adapter
// handles (message shortcuts; global ones are not registered).
func isShortcut(cb *slack.InteractionCallback) bool {
	return cb.Type == slack.InteractionTypeMessageAction || cb.Type == slack.InteractionTypeShortcut
}

// handleShortcut runs "Open incident from message": it fetches the
// message's permalink and opens the incident modal, all inside the 3 s
// the trigger_id lives.
func (a *Adapter) handleShortcut(ctx context.Context, cb *slack.InteractionCallback) {
	if cb.CallbackID != shortcutOpenIncident {
		a.log.Debug().Str("callback_id", cb.CallbackID).Msg("unknown shortcut ignored")
		return
	}
	from := origin{Channel: cb.Channel.ID, TS: cb.Message.Timestamp}
	if from.TS == "" {
		from.TS = cb.MessageTs
	}
	switch {
	case a.personFor(cb.User.ID) == nil:
		bot.AuditStranger(ctx, a.svc, Platform, cb.User.ID, "form")
		a.tell(ctx, cb.TriggerID, from, cb.User.ID, notOnRoster)
		return
	case a.ops() == nil:
		a.tell(ctx, cb.TriggerID, from, cb.User.ID, opsOff)
		return
	}
	d := incidentDraft{origin: from}
	if from.Channel != "" && from.TS != "" {
		err := a.call(ctx, "chat.getPermalink", "", func() (err error) {
			d.Link, err = a.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: from.Channel, Ts: from.TS})
			return err
		})
		if err != nil {
			// The incident is worth more than its link: open the form anyway.
			a.log.Warn().Err(err).Str("channel", from.Channel).Str("ts", from.TS).Msg("no permalink for the shortcut's message")
		}
	}
	if err := a.openView(ctx, cb.TriggerID, incidentModal(d, cb.Message.Text, cb.User.ID)); err != nil {
		a.log.Warn().Err(err).Str("slack_user", cb.User.ID).Msg("opening the incident modal failed")
		a.tell(ctx, "", from, cb.User.ID, viewFailure(err, "the incident"))
	}
}

// submitIncident opens the incident; refusals go next to the inputs.
func (a *Adapter) submitIncident(ctx context.Context, cb *slack.InteractionCallback, person *cadence.Person) *slack.ViewSubmissionResponse {
	var d incidentDraft
	_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &d)
	title, _ := inputValue(cb.View.State, blockTitle)
	owner, _ := inputValue(cb.View.State, blockOwner)
	inc, err := a.ops().OpenIncident(ctx, person.ID, ops.IncidentInput{
		Title: title.Value, Severity: severityOf(cb.View.State), Owner: a.personOf(owner.SelectedUser), Link: d.Link,
	})
	if resp := a.formRefusal(err, person, "incident.open", map[string]string{
		"title": blockTitle, "severity": blockSeverity, "owner": blockOwner}, blockTitle); resp != nil {
		return resp
	}
	user := cb.User.ID
	a.background(func(ctx context.Context) { a.confirmIncident(ctx, d.origin, user, inc) })
	return nil
}

// confirmIncident tells the opener, where the message was, that the
// incident exists, with a button to add its first follow-up.
func (a *Adapter) confirmIncident(ctx context.Context, from origin, user string, inc *cadence.Incident) {
	if from.home() {
		return
	}
	text := fmt.Sprintf("%sOpened *%s* (sev %d): %s", doneMark, inc.ID(), inc.Severity, escape(inc.Title))
	btn := slack.NewButtonBlockElement(actionFollowUpAdd, inc.ID(), plain("Add follow-up"))
	blocks := []slack.Block{slack.NewSectionBlock(markdown(text), nil, slack.NewAccessory(btn))}
	err := a.call(ctx, "chat.postEphemeral", "", func() error {
		_, err := a.api.PostEphemeralContext(ctx, from.Channel, user, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
		return err
	})
	if err != nil {
		a.log.Warn().Err(err).Str("slack_user", user).Msg("confirming the incident failed")
	}
}

// openFollowUpModal opens the follow-up form, for incident (may be "")
// or for a pick among the open incidents. It returns a message for the
// person when it cannot.
func (a *Adapter) openFollowUpModal(ctx context.Context, trigger string, person *cadence.Person, incident string, from origin) string {
	incs, err := a.ops().Incidents(ctx, cadence.IncidentFilter{Status: []cadence.IncidentStatus{cadence.IncidentOpen}})
	if err != nil {
		a.log.Error().Err(err).Msg("listing open incidents failed")
		return opsFault
	}
	if len(incs) == 0 {
		return "There is no open incident to add a follow-up to. Open one with `/cadence incident new TITLE` or the message shortcut *Open incident from message*."
	}
	user := ""
	if u, ok := a.users.user(person.ID); ok {
		user = u.ID
	}
	if err := a.openView(ctx, trigger, followUpModal(incs, incident, from, user)); err != nil {
		a.log.Warn().Err(err).Str("person", person.ID).Msg("opening the follow-up modal failed")
		return viewFailure(err, "the follow-up")
	}
	return ""
}

// submitFollowUp adds the follow-up; refusals go next to the inputs.
func (a *Adapter) submitFollowUp(ctx context.Context, cb *slack.InteractionCallback, person *cadence.Person) *slack.ViewSubmissionResponse {
	var from origin
	_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &from)
	st := cb.View.State
	inc, _ := inputValue(st, blockIncident)
	title, _ := inputValue(st, blockTitle)
	owner, _ := inputValue(st, blockOwner)
	due, _ := inputValue(st, blockDue)
	in := ops.FollowUpInput{Incident: inc.SelectedOption.Value, Title: title.Value, Owner: a.personOf(owner.SelectedUser)}
	if due.SelectedDate != "" {
		d, err := cadence.ParseDate(due.SelectedDate)
		if err != nil {
			return modalErrors(map[string]string{blockDue: fmt.Sprintf("%q is not a date", due.SelectedDate)})
		}
		in.Due = d
	}
	f, err := a.ops().AddFollowUp(ctx, person.ID, in)
	if resp := a.formRefusal(err, person, "followup.add", map[string]string{
		"title": blockTitle, "owner": blockOwner, "due": blockDue}, blockIncident); resp != nil {
		return resp
	}
	user := cb.User.ID
	text := fmt.Sprintf("%sAdded *%s* to %s: %s · owner %s · due %s", doneMark, f.ID(), cadence.IncidentID(f.Incident),
		escape(f.Title), a.mention(f.Owner), f.Due)
	a.background(func(ctx context.Context) { a.tell(ctx, "", from, user, text) })
	return nil
}

// submitRelease proposes the release; FieldErrors go next to the inputs.
func (a *Adapter) submitRelease(ctx context.Context, cb *slack.InteractionCallback, person *cadence.Person) *slack.ViewSubmissionResponse {
	var from origin
	_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &from)
	in, bad := releaseInput(cb.View.State)
	if bad != nil {
		return modalErrors(bad)
	}
	r, err := a.ops().ProposeRelease(ctx, person.ID, in)
	if resp := a.formRefusal(err, person, "release.propose", releaseBlocks, ops.FieldModel); resp != nil {
		return resp
	}
	user := cb.User.ID
	text := fmt.Sprintf("%sProposed *%s* %s %s (%s, %s risk). The approvers are asked now.", doneMark, r.ID(),
		escape(r.Model), escape(r.Version), r.Change, r.Risk)
	a.background(func(ctx context.Context) { a.tell(ctx, "", from, user, text) })
	return nil
}

// formRefusal turns the error of a form's operation into the modal's
// errors, or nil when it succeeded.
func (a *Adapter) formRefusal(err error, person *cadence.Person, action string, blocks map[string]string, fallback string) *slack.ViewSubmissionResponse {
	switch {
	case err == nil:
		return nil
	case bot.IsUserError(err):
		a.log.Info().Err(err).Str("person", person.ID).Str("action", action).Msg("form refused")
		return modalErrors(refusalErrors(err, blocks, fallback))
	default:
		a.log.Error().Err(err).Str("person", person.ID).Str("action", action).Msg("form failed")
		return modalErrors(map[string]string{fallback: "Saving failed on our side (the error was logged); please try again in a minute."})
	}
}

// mention is a person as Slack shows them: a mention when their Slack
// user is known, else their name.
func (a *Adapter) mention(personID string) string {
	if u, ok := a.users.user(personID); ok {
		return "<@" + u.ID + ">"
	}
	if p := a.svc.Roster().Person(personID); p != nil && p.Name != "" {
		return escape(p.Name)
	}
	return escape(personID)
}

// commandForm opens a modal for the /cadence commands that take a form
// instead of arguments: `followup add` with at most an incident ID, and
// `release propose` alone. ok is false for every other command. The
// returned message (nil when the modal opened) is the command's ack.
func (a *Adapter) commandForm(ctx context.Context, person *cadence.Person, cmd slack.SlashCommand) (msg *slack.Msg, ok bool) {
	f := strings.Fields(strings.ToLower(cmd.Text))
	from := origin{Channel: cmd.ChannelID}
	var open func() string
	switch {
	case len(f) >= 2 && len(f) <= 3 && f[0] == string(bot.VerbFollowUp) && f[1] == "add":
		incident := ""
		if len(f) == 3 {
			incident = strings.ToUpper(f[2])
		}
		open = func() string { return a.openFollowUpModal(ctx, cmd.TriggerID, person, incident, from) }
	case len(f) == 2 && f[0] == string(bot.VerbRelease) && f[1] == "propose":
		open = func() string {
			if err := a.openView(ctx, cmd.TriggerID, releaseModal(from)); err != nil {
				a.log.Warn().Err(err).Str("person", person.ID).Msg("opening the release modal failed")
				return viewFailure(err, "the release")
			}
			return ""
		}
	default:
		return nil, false
	}
	if a.ops() == nil {
		return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: opsOff}, true
	}
	if text := open(); text != "" {
		return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text}, true
	}
	return nil, true
}
