package slack

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The MLOps flows on Slack: the buttons of follow-up and release notices
// (block_actions → Ops.Act), the modals that ask what a button needs
// (a new owner, a reason), the "Open incident from message" shortcut, the
// follow-up and release-proposal modals, and the App Home's follow-ups.
// Permission checks, refusals and their audit entries are the domain's:
// the adapter only shows them to the person who clicked.

// opsAPI is what these flows call. cmd/cadencebot hands the adapter a
// *ops.Service, whose embedded *ops.Ops has all of it; a bare
// engine has none, and the flows then say the feature is off.
type opsAPI interface {
	Act(ctx context.Context, actorID string, a ops.Action) (string, error)
	OpenIncident(ctx context.Context, actorID string, in ops.IncidentInput) (*cadence.Incident, error)
	Incidents(ctx context.Context, f cadence.IncidentFilter) ([]*cadence.Incident, error)
	AddFollowUp(ctx context.Context, actorID string, in ops.FollowUpInput) (*cadence.FollowUp, error)
	FollowUps(ctx context.Context, f cadence.FollowUpFilter) ([]*cadence.FollowUp, error)
	ProposeRelease(ctx context.Context, actorID string, in ops.ReleaseInput) (*cadence.Release, error)
	Release(ctx context.Context, id string) (*cadence.Release, error)
}

var _ opsAPI = (*ops.Service)(nil)

// actionFollowUpAdd is the adapter's own button (on the confirmation of
// an incident opened from a message): it opens the follow-up modal.
const actionFollowUpAdd = "followup_add"

const (
	opsOff      = "Incidents, follow-ups and releases are not enabled on this bot."
	opsFault    = "That did not work on our side (the error was logged); please try again in a minute."
	refusedMark = ":no_entry: "
	doneMark    = ":white_check_mark: "
	infoMark    = ":information_source: "
)

// ops returns the MLOps service, or nil when the bot runs without it.
func (a *Adapter) ops() opsAPI {
	o, _ := a.svc.(opsAPI)
	return o
}

// origin is where a click came from: a message (channel and ts) or the
// App Home (no channel).
type origin struct {
	Channel string `json:"c,omitempty"`
	TS      string `json:"t,omitempty"`
}

func (o origin) home() bool { return o.Channel == "" }

// argRequest is the private_metadata of the modal that asks for a
// button's missing input.
type argRequest struct {
	Action string `json:"a"`
	Value  string `json:"v"`
	origin
}

// opsAction handles a click on an MLOps button and reports whether the
// action was one.
func (a *Adapter) opsAction(ctx context.Context, cb *slack.InteractionCallback, person *cadence.Person, act *slack.BlockAction, channel string) bool {
	if !ops.IsAction(act.ActionID) && act.ActionID != actionFollowUpAdd {
		return false
	}
	from := origin{Channel: channel, TS: cb.Container.MessageTs}
	if from.TS == "" {
		from.TS = cb.Message.Timestamp
	}
	log := a.log.With().Str("person", person.ID).Str("action", act.ActionID).Str("target", act.Value).Logger()
	svc := a.ops()
	if svc == nil {
		a.tell(ctx, cb.TriggerID, from, cb.User.ID, opsOff)
		return true
	}
	switch {
	case act.ActionID == actionFollowUpAdd:
		if msg := a.openFollowUpModal(ctx, cb.TriggerID, person, act.Value, from); msg != "" {
			a.tell(ctx, cb.TriggerID, from, cb.User.ID, msg)
		}
	case ops.NeedsArg(act.ActionID):
		req := argRequest{Action: act.ActionID, Value: act.Value, origin: from}
		if err := a.openView(ctx, cb.TriggerID, argModal(req, person)); err != nil {
			log.Warn().Err(err).Msg("opening the modal of an ops button failed")
			a.ephemeral(ctx, from.Channel, cb.User.ID, viewFailure(err, act.ActionID))
		}
	default:
		msg, err := svc.Act(ctx, person.ID, ops.Action{ID: act.ActionID, Value: act.Value})
		a.actResult(ctx, cb.TriggerID, from, cb.User.ID, act.ActionID, act.Value, msg, err, cb.Message.Blocks.BlockSet)
		// Only an action that ran can change the home. Republishing on
		// a click that just opens a modal would race the republish after
		// its submission and could leave the older view in place.
		if from.home() {
			_ = a.publishHome(ctx, cb.User.ID)
		}
	}
	return true
}

// actResult shows the outcome of an action to the person who clicked. A
// follow-up done or reassigned replaces the message's buttons with the
// result, so nobody clicks them again. Release requests are redrawn by the
// domain, every copy of them (the channel post, each approver's DM),
// through the outbox. A late click on a release that was decided says
// what was decided and by whom, and takes the buttons off the clicked
// copy (one posted before requests were redrawn). Anything else, refusals
// included, is answered privately.
func (a *Adapter) actResult(ctx context.Context, trigger string, from origin, user, actionID, value, msg string, err error, blocks []slack.Block) {
	log := a.log.With().Str("slack_user", user).Str("action", actionID).Str("target", value).Logger()
	switch {
	case err == nil:
		log.Info().Msg("ops action done")
	case errors.Is(err, cadence.ErrConflict) && a.releaseDecided(ctx, actionID, value):
		log.Info().Err(err).Msg("late click on a decided release")
		text := infoMark + escape(capitalizeFirst(err.Error())) + "."
		if from.home() || !a.resolveMessage(ctx, from, blocks, text) {
			a.tell(ctx, trigger, from, user, text)
		}
		return
	case bot.IsUserError(err):
		log.Info().Err(err).Msg("ops action refused")
		a.tell(ctx, trigger, from, user, refusedMark+"Not done: "+escape(err.Error()))
		return
	default:
		log.Error().Err(err).Msg("ops action failed")
		a.tell(ctx, trigger, from, user, opsFault)
		return
	}
	if !from.home() && a.closesMessage(ctx, from, actionID, value) {
		if a.resolveMessage(ctx, from, blocks, doneMark+escape(msg)+" — <@"+user+">") {
			return
		}
	}
	a.tell(ctx, trigger, from, user, doneMark+escape(msg))
}

// closesMessage decides whether a successful action leaves nothing to
// click on the message it came from. Release requests are the domain's to
// redraw.
func (a *Adapter) closesMessage(_ context.Context, _ origin, actionID, _ string) bool {
	switch actionID {
	case ops.ActionFollowUpDone, ops.ActionFollowUpReassign:
		return true
	}
	return false
}

// releaseDecided reports whether a release button's release is no longer
// waiting for a decision.
func (a *Adapter) releaseDecided(ctx context.Context, actionID, value string) bool {
	if actionID != ops.ActionReleaseApprove && actionID != ops.ActionReleaseReject {
		return false
	}
	r, err := a.ops().Release(ctx, value)
	return err == nil && r.Status != cadence.ReleaseProposed
}

func isDM(channel string) bool { return strings.HasPrefix(channel, "D") }

func capitalizeFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// resolveMessage replaces the buttons of the message a click came from
// with a line saying what happened. blocks are the message's blocks from
// the click's payload; without them the message is read back. It reports
// whether the message was updated.
func (a *Adapter) resolveMessage(ctx context.Context, from origin, blocks []slack.Block, line string) bool {
	text := ""
	if len(blocks) == 0 {
		msgs, _, err := a.replies(ctx, from.Channel, from.TS, "", "")
		if err != nil || len(msgs) == 0 || msgs[0].Timestamp != from.TS {
			a.log.Warn().Err(err).Str("channel", from.Channel).Str("ts", from.TS).Msg("could not read the clicked message back")
			return false
		}
		blocks, text = msgs[0].Blocks.BlockSet, msgs[0].Text
	}
	var kept []slack.Block
	for _, b := range blocks {
		if b.BlockType() != slack.MBTAction {
			kept = append(kept, b)
		}
	}
	kept = append(kept, slack.NewContextBlock("resolved", markdown(truncate(line, maxContextText))))
	opts := []slack.MsgOption{slack.MsgOptionBlocks(kept...)}
	if text != "" {
		opts = append(opts, slack.MsgOptionText(text, false))
	}
	err := a.call(ctx, "chat.update", from.Channel, func() error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, from.Channel, from.TS, opts...)
		return err
	})
	if err != nil {
		a.log.Warn().Err(err).Str("channel", from.Channel).Str("ts", from.TS).Msg("updating the clicked message failed")
		return false
	}
	return true
}

// tell answers the person who clicked: ephemerally where the click
// happened, or, in the App Home (which has no channel), in a small modal.
func (a *Adapter) tell(ctx context.Context, trigger string, from origin, user, text string) {
	if !from.home() {
		a.ephemeral(ctx, from.Channel, user, text)
		return
	}
	if trigger == "" {
		return
	}
	if err := a.openView(ctx, trigger, noticeModal(text)); err != nil {
		a.log.Warn().Err(err).Str("slack_user", user).Msg("could not show the result in a modal")
	}
}

// openView opens a modal under the rate limiter.
func (a *Adapter) openView(ctx context.Context, trigger string, v slack.ModalViewRequest) error {
	return a.call(ctx, "views.open", "", func() error {
		_, err := a.api.OpenViewContext(ctx, trigger, v)
		return err
	})
}

// viewFailure words a failed views.open for the person.
func viewFailure(err error, what string) string {
	switch codeOf(err) {
	case "expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id":
		return "That click took too long to reach me. Please try again."
	}
	return "I could not open the form for " + what + "; please try again in a minute."
}

// handleArgSubmission runs the button whose input the modal asked for.
// Refusals stay in the modal, next to the input, so the person sees them
// where they acted; nothing was changed.
func (a *Adapter) handleArgSubmission(ctx context.Context, cb *slack.InteractionCallback, person *cadence.Person) *slack.ViewSubmissionResponse {
	var req argRequest
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &req); err != nil || !ops.NeedsArg(req.Action) {
		a.log.Warn().Err(err).Str("metadata", cb.View.PrivateMetadata).Msg("ops modal with bad metadata")
		return modalErrors(map[string]string{blockArg: "This form is broken; close it and click the button again."})
	}
	arg := ""
	if v, ok := inputValue(cb.View.State, blockArg); ok {
		arg = v.Value
		if req.Action == ops.ActionFollowUpReassign {
			arg = a.personOf(v.SelectedUser)
		}
	}
	msg, err := a.ops().Act(ctx, person.ID, ops.Action{ID: req.Action, Value: req.Value, Arg: arg})
	switch {
	case err == nil:
	case bot.IsUserError(err):
		a.log.Info().Err(err).Str("person", person.ID).Str("action", req.Action).Msg("ops action refused")
		_, text, ok := cadence.ErrorField(err)
		if !ok {
			text = err.Error()
		}
		return modalErrors(map[string]string{blockArg: text})
	default:
		a.log.Error().Err(err).Str("person", person.ID).Str("action", req.Action).Msg("ops action failed")
		return modalErrors(map[string]string{blockArg: opsFault})
	}
	user := cb.User.ID
	if req.home() {
		// No channel to answer in: the modal itself shows the result.
		a.background(func(ctx context.Context) { _ = a.publishHome(ctx, user) })
		v := noticeModal(doneMark + escape(msg))
		return slack.NewUpdateViewSubmissionResponse(&v)
	}
	// The ack must come within 3 s: report after it.
	a.background(func(ctx context.Context) {
		a.actResult(ctx, "", req.origin, user, req.Action, req.Value, msg, nil, nil)
	})
	return nil
}

// personOf maps a Slack user picked in a modal to a roster ID. Someone
// not on the roster is passed on as their Slack ID, so the domain refuses
// (and audits) it by name.
func (a *Adapter) personOf(userID string) string {
	if userID == "" {
		return ""
	}
	if p := a.personFor(userID); p != nil {
		return p.ID
	}
	return userID
}

// handleOpsSubmission answers the view_submission of an MLOps modal; ok
// is false for other modals.
func (a *Adapter) handleOpsSubmission(ctx context.Context, cb *slack.InteractionCallback) (resp *slack.ViewSubmissionResponse, ok bool) {
	switch cb.View.CallbackID {
	case callbackOpsArg, callbackIncident, callbackFollowUp, callbackRelease, callbackRitual:
	default:
		return nil, false
	}
	person := a.personFor(cb.User.ID)
	first := firstBlock(cb.View)
	if cb.View.CallbackID == callbackRitual {
		if person == nil {
			return modalErrors(map[string]string{first: notOnRoster}), true
		}
		return a.submitRitual(ctx, cb, person), true
	}
	switch {
	case person == nil:
		return modalErrors(map[string]string{first: notOnRoster}), true
	case a.ops() == nil:
		return modalErrors(map[string]string{first: opsOff}), true
	}
	switch cb.View.CallbackID {
	case callbackOpsArg:
		return a.handleArgSubmission(ctx, cb, person), true
	case callbackIncident:
		return a.submitIncident(ctx, cb, person), true
	case callbackFollowUp:
		return a.submitFollowUp(ctx, cb, person), true
	default:
		return a.submitRelease(ctx, cb, person), true
	}
}

func modalErrors(errs map[string]string) *slack.ViewSubmissionResponse {
	return slack.NewErrorsViewSubmissionResponse(errs)
}

// refusalErrors places a refusal of a modal's submission: on the input
// ErrorField names (via blocks, field → block id), else on fallback.
func refusalErrors(err error, blocks map[string]string, fallback string) map[string]string {
	if field, text, ok := cadence.ErrorField(err); ok {
		if id, ok := blocks[field]; ok {
			return map[string]string{id: text}
		}
		return map[string]string{fallback: err.Error()}
	}
	var fe cadence.FieldErrors
	if errors.As(err, &fe) {
		out := map[string]string{}
		for field, text := range fe {
			id, ok := blocks[field]
			if !ok {
				id = fallback
			}
			if prev, dup := out[id]; dup {
				text = prev + "; " + text
			}
			out[id] = text
		}
		return out
	}
	return map[string]string{fallback: err.Error()}
}

// inputValue reads one input of a submitted view: the element's action
// id is the block id in every MLOps modal.
func inputValue(st *slack.ViewState, block string) (slack.BlockAction, bool) {
	if st == nil {
		return slack.BlockAction{}, false
	}
	v, ok := st.Values[block][block]
	return v, ok
}
