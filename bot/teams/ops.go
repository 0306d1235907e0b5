package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The MLOps buttons in Teams: a submit of a follow-up or release button
// goes to Ops.Act as the person who clicked. A success redraws the card in
// place with a result line (without its buttons when nothing is left to
// click); a refusal is told to the clicker alone, and changes nothing but
// the audit log, which the domain keeps.

// opsAPI is what the buttons call. cmd/cadencebot hands the adapter a
// *ops.Service, whose embedded *ops.Ops has both; a bare
// engine has neither, and the buttons then say the feature is off.
type opsAPI interface {
	Act(ctx context.Context, actorID string, a ops.Action) (string, error)
	Release(ctx context.Context, id string) (*cadence.Release, error)
}

var _ opsAPI = (*ops.Service)(nil)

func (a *Adapter) ops() opsAPI {
	o, _ := a.svc.(opsAPI)
	return o
}

// parseOpsSubmit reads an MLOps button's data: the item (required), the
// message key and the button's input (both optional: a missing input is
// the domain's to refuse, with an audit entry).
func parseOpsSubmit(v submitValue, fields map[string]json.RawMessage, str func(string) (string, error)) (submitValue, error) {
	var err error
	if v.value, err = str("value"); err != nil {
		return v, err
	}
	if v.value == "" {
		return v, fmt.Errorf("%w: card value of %s lacks the item it acts on", cadence.ErrInvalidInput, v.action)
	}
	if _, ok := fields["key"]; ok {
		if v.key, err = str("key"); err != nil {
			return v, err
		}
	}
	if id := argInputID(v.action, v.value); fields[id] != nil {
		if v.arg, err = str(id); err != nil {
			return v, err
		}
	}
	return v, nil
}

// onOpsSubmit runs an MLOps button for p.
func (a *Adapter) onOpsSubmit(ctx context.Context, act *Activity, p *cadence.Person, v submitValue) (int, error) {
	log := a.log.With().Str("person", p.ID).Str("action", v.action).Str("target", v.value).Logger()
	svc := a.ops()
	if svc == nil {
		a.tellPrivately(ctx, act, p, notice(cadence.UIText(a.langOf(p), "teams.not_available"), cadence.UIText(a.langOf(p), "teams.ops_off")))
		return http.StatusOK, nil
	}
	msg, err := svc.Act(ctx, p.ID, ops.Action{ID: v.action, Value: v.value, Arg: v.arg})
	switch {
	case err == nil:
		log.Info().Msg("teams: ops action done")
	case errors.Is(err, cadence.ErrConflict) && a.releaseDecided(ctx, v):
		// A late click: say what was decided, by whom and when, on the
		// card itself, which loses its buttons.
		log.Info().Err(err).Msg("teams: late click on a decided release")
		text := capitalizeFirst(err.Error()) + "."
		if !a.redraw(ctx, act, v.key, "ℹ "+text, true) {
			a.tellPrivately(ctx, act, p, notice(cadence.UIText(a.langOf(p), "teams.already_decided"), text))
		}
		return http.StatusOK, nil
	case bot.IsUserError(err):
		log.Info().Err(err).Msg("teams: ops action refused")
		a.tellPrivately(ctx, act, p, notice(cadence.UIText(a.langOf(p), "teams.not_done"), err.Error()))
		return http.StatusOK, nil
	default:
		log.Error().Err(err).Msg("teams: ops action failed")
		a.tellPrivately(ctx, act, p, notice(cadence.UIText(a.langOf(p), "teams.not_done"), cadence.UIText(a.langOf(p), "teams.ops_fault")))
		return http.StatusOK, nil
	}
	if a.redraw(ctx, act, v.key, "✓ "+msg+" — "+p.Name, a.closes(ctx, act, v)) {
		return http.StatusOK, nil
	}
	a.tellPrivately(ctx, act, p, &cadence.Message{Kind: cadence.KindReceipt, Body: cadence.Body{Title: cadence.UIText(a.langOf(p), "teams.done"), Text: msg}})
	return http.StatusOK, nil
}

// closes decides whether a successful click leaves nothing to click on
// the card: a follow-up done or reassigned, a release rejected, approved
// in the approver's own chat, or no longer waiting for approvals. Snooze
// keeps Done and Reassign.
func (a *Adapter) closes(ctx context.Context, act *Activity, v submitValue) bool {
	switch v.action {
	case ops.ActionFollowUpDone, ops.ActionFollowUpReassign, ops.ActionReleaseReject:
		return true
	case ops.ActionReleaseApprove:
		if act.isPersonal() {
			return true
		}
		r, err := a.ops().Release(ctx, v.value)
		return err == nil && r.Status != cadence.ReleaseProposed
	}
	return false
}

// releaseDecided reports whether a release button's release is no longer
// waiting for a decision.
func (a *Adapter) releaseDecided(ctx context.Context, v submitValue) bool {
	if v.action != ops.ActionReleaseApprove && v.action != ops.ActionReleaseReject {
		return false
	}
	r, err := a.ops().Release(ctx, v.value)
	return err == nil && r.Status != cadence.ReleaseProposed
}

func capitalizeFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// redraw updates the clicked card in place with a result line. The click
// must come from an activity journaled for the message it names, in the
// same conversation: the key in a card's data picks which of our own
// messages to redraw, never where. It reports whether the card changed.
func (a *Adapter) redraw(ctx context.Context, act *Activity, key, line string, closed bool) bool {
	if key == "" || act.ReplyToID == "" {
		return false
	}
	log := a.log.With().Str("key", key).Str("activity", act.ReplyToID).Logger()
	j, err := a.journal(ctx, key)
	if err != nil || j == nil {
		log.Warn().Err(err).Msg("teams: the clicked message is not in the journal; answering instead of redrawing")
		return false
	}
	i := slices.Index(j.Parts, act.ReplyToID)
	if i < 0 || baseConversation(j.Conversation) != baseConversation(act.Conversation.ID) {
		log.Warn().Str("conversation", act.Conversation.ID).Msg("teams: a click names a message it did not come from")
		return false
	}
	var m *cadence.Message
	if err := a.st.View(ctx, func(tx cadence.Tx) (err error) { m, err = tx.Message(key); return err }); err != nil {
		log.Warn().Err(err).Msg("teams: could not read the clicked message back")
		return false
	}
	o := a.cardOptions()
	o.note, o.closed = line, closed
	acts, err := render(m, o, j.limit(a.maxBytes), a.addressOf(j))
	if err != nil || len(acts) != len(j.Parts) {
		log.Warn().Err(err).Int("parts", len(acts)).Msg("teams: the redrawn card does not fit the delivered one")
		return false
	}
	if err := a.put(ctx, j.ServiceURL, j.Conversation, act.ReplyToID, j.recipient(), acts[i]); err != nil {
		log.Warn().Err(err).Msg("teams: could not update the clicked card")
		return false
	}
	return true
}

// tellPrivately answers the person who clicked: in the chat of the click
// when it is their 1:1 chat, else in their 1:1 chat with the bot, and in
// the click's thread only when that chat cannot be reached.
func (a *Adapter) tellPrivately(ctx context.Context, act *Activity, p *cadence.Person, m *cadence.Message) {
	if act.isPersonal() {
		a.replyWith(ctx, act, m)
		return
	}
	d, err := a.personDestination(ctx, p.ID)
	if err == nil {
		var acts []*Activity
		if acts, err = render(m, cardOptions{}, a.maxBytes, address{from: a.bot(), to: recipientOf(d), conv: d.conv}); err == nil {
			for _, out := range acts {
				if _, err = a.post(ctx, d.serviceURL, d.conv, "", recipientOf(d), out); err != nil {
					break
				}
			}
		}
		if err == nil {
			return
		}
	}
	a.log.Warn().Err(err).Str("person", p.ID).Msg("teams: cannot answer privately; replying in the thread")
	a.replyWith(ctx, act, m)
}

// baseConversation drops the ";messageid=" of a channel thread.
func baseConversation(id string) string {
	base, _, _ := strings.Cut(id, ";")
	return base
}
