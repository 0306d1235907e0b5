package cadence

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A lead is told about messages the platform refused for good: once per
// occurrence, in plain words (what failed, why, what to do), and the same
// notice is redrawn as more messages of that occurrence fail, instead of
// one notice per failed message with the outbox key and the platform's
// error code in it. The failures seen so far are kept under nsFailures,
// keyed by the notice's key.
const nsFailures = "cadence.failures"

// Directory names rituals and people in notices; the Engine is one.
type Directory interface {
	Ritual(id string) *Ritual
	Roster() *Roster
}

// WithDirectory lets failure notices name the ritual and the people
// instead of their IDs.
func WithDirectory(dir Directory) DispatcherOption {
	return func(d *Dispatcher) { d.dir = dir }
}

// failure is one refused message, as a notice lists it.
type failure struct {
	Kind MessageKind `json:"kind"`
	To   Recipient   `json:"to"`
	Code string      `json:"code"`
	// Update: the message was delivered, a later revision was refused;
	// the platform still shows an earlier version.
	Update bool `json:"update,omitempty"`
}

// failureNoticeKey is one per occurrence (per message for messages of no
// occurrence).
func failureNoticeKey(m *Message) string {
	if m.OccurrenceID != "" {
		return MessageKey("notice", "failed", m.OccurrenceID)
	}
	return MessageKey("notice", "failed", m.Key)
}

// noticeLead tells the ritual's lead that a message could not be
// delivered. Notices themselves are never noticed about, to avoid loops.
func (d *Dispatcher) noticeLead(tx Tx, m *Message, code string, now time.Time) error {
	if m.Kind == KindNotice || d.leadOf == nil || m.RitualID == "" {
		return nil
	}
	lead := d.leadOf(m.RitualID)
	if lead == "" {
		return nil
	}
	key := failureNoticeKey(m)
	var seen []failure
	switch raw, err := tx.Get(nsFailures, key); {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &seen); err != nil {
			return fmt.Errorf("failures of %s: %w", key, err)
		}
	}
	if strings.HasPrefix(m.LastError, "gave up after") {
		code = codeGaveUp
	}
	f := failure{Kind: m.Kind, To: m.To, Code: code, Update: !m.Ref.IsZero()}
	if slices.Contains(seen, f) {
		return nil
	}
	seen = append(seen, f)
	raw, err := json.Marshal(seen)
	if err != nil {
		return err
	}
	if err := tx.Put(nsFailures, key, raw); err != nil {
		return err
	}
	body := d.failureBody(m, seen)
	platform := m.Platform
	if m.Kind == KindHook {
		// A webhook or the registry failed: the lead reads about it in
		// the ritual's chat, not on the machine's platform.
		platform = "local"
		if r := d.ritual(m.RitualID); r != nil && r.Platform != "" {
			platform = r.Platform
		}
	}
	n, err := tx.Message(key)
	if errors.Is(err, ErrNotFound) {
		_, err = tx.Enqueue(&Message{
			Key: key, Kind: KindNotice, Platform: platform, To: Recipient{Person: lead},
			RitualID: m.RitualID, OccurrenceID: m.OccurrenceID, Body: body,
			CreatedAt: now, Revision: 1, State: StatePending, NextAttemptAt: now,
		})
		return err
	}
	if err != nil {
		return err
	}
	n.Revise(body, now)
	return tx.PutMessage(n)
}

// codeGaveUp marks a message that kept failing with retryable errors.
const codeGaveUp = "gave_up"

// failureBody words the notice: which messages of which occurrence, and
// per cause what happened and what the lead can do.
func (d *Dispatcher) failureBody(m *Message, fs []failure) Body {
	title, when := m.RitualID, ""
	var loc *time.Location
	if d.dir != nil {
		if r := d.dir.Ritual(m.RitualID); r != nil {
			title, loc = r.Title, r.Location
		}
	}
	if loc == nil {
		loc = time.UTC
	}
	if _, at, err := ParseOccurrenceID(m.OccurrenceID); err == nil && m.OccurrenceID != "" {
		when = " of " + at.In(loc).Format("Mon 2 Jan")
	}
	// Group by cause, then by kind and place: "The prompts to Ana and Bo
	// could not be delivered: …".
	type group struct {
		cause, kind, where string
		update             bool
		whom               []string
	}
	var groups []*group
	for _, f := range fs {
		what, _ := failureAdvice(f.Code)
		where, whom := d.place(f.To)
		kind := string(f.Kind)
		if f.Kind == KindHook {
			kind, where = "release event", "to "+f.To.Channel
		}
		i := slices.IndexFunc(groups, func(g *group) bool {
			return g.cause == what && g.kind == kind && g.where == where && g.update == f.Update
		})
		if i < 0 {
			groups = append(groups, &group{cause: what, kind: kind, where: where, update: f.Update})
			i = len(groups) - 1
		}
		if whom != "" {
			groups[i].whom = append(groups[i].whom, whom)
		}
	}
	var lines []string
	for _, g := range groups {
		subject := "The " + g.kind + " " + g.where
		if len(g.whom) > 0 {
			subject = "The " + g.kind + " to " + joinAnd(g.whom)
			if len(g.whom) > 1 {
				subject = "The " + g.kind + "s to " + joinAnd(g.whom)
			}
		}
		_, todo := failureAdvice(codeOfCause(fs, g.cause))
		if g.update {
			lines = append(lines, fmt.Sprintf("The latest update of the %s could not be applied, so it still shows an earlier version: %s. %s",
				strings.TrimPrefix(subject, "The "), g.cause, todo))
			continue
		}
		lines = append(lines, fmt.Sprintf("%s could not be delivered: %s. %s", subject, g.cause, todo))
	}
	return Body{
		Title:  fmt.Sprintf("%s%s: %s could not be delivered", title, when, plural(len(fs), "message")),
		Text:   strings.Join(lines, " "),
		Footer: "The other messages went out; the next occurrence is tried afresh.",
	}
}

func (d *Dispatcher) ritual(id string) *Ritual {
	if d.dir == nil {
		return nil
	}
	return d.dir.Ritual(id)
}

// codeOfCause finds a code worded as cause c.
func codeOfCause(fs []failure, c string) string {
	for _, f := range fs {
		if what, _ := failureAdvice(f.Code); what == c {
			return f.Code
		}
	}
	return ""
}

// place says where a message went: to a person (whom, by name) or in a
// channel (where).
func (d *Dispatcher) place(to Recipient) (where, whom string) {
	if to.Person == "" {
		return "in #" + strings.TrimPrefix(to.Channel, "#"), ""
	}
	if d.dir != nil {
		if p := d.dir.Roster().Person(to.Person); p != nil && p.Name != "" {
			return "", p.Name
		}
	}
	return "", to.Person
}

// failureAdvice words a platform's error code: what happened and what to
// do about it. Unknown codes get a general answer; the code itself is in
// the bot's log, not in the notice.
func failureAdvice(code string) (what, todo string) {
	switch code {
	case "channel_not_found", "conversation_not_found":
		return "the channel does not exist, or the bot cannot see it", "Check the ritual's channel in the config, and that the bot was added to it."
	case "teams_channel_unknown":
		return "no channel of that name in the teams cadencebot was added to", "Check the channel's name in the config (as Teams shows it), or add the cadencebot app to the team that holds the channel; its id (19:…, from the channel's ⋯ → Get link to channel) works too."
	case "teams_channel_ambiguous":
		return "more than one team has a channel of that name", "Set the ritual's channel to the id of the one you mean (19:…, from the channel's ⋯ → Get link to channel); the bot's log lists them."
	case "not_in_channel":
		return "the bot is not a member of the channel", "Add the bot to the channel (in Slack: /invite @cadencebot)."
	case "is_archived":
		return "the channel is archived", "Unarchive it, or give the ritual another channel in the config."
	case "user_not_found", "users_not_found", "no_user":
		return "the platform does not know this person", "Check their email or ID in the roster."
	case "unknown_person", "no_teams_id", "no_recipient":
		return "the bot does not know where to reach this person", "Add their ID for this platform to the roster, or ask them to message the bot once."
	case "app_not_installed":
		return "the person has not installed the cadencebot Teams app", "Ask them to add it in Teams (Apps → Built for your org → cadencebot → Add), or install it for them from the Teams admin center."
	case "account_inactive", "user_disabled":
		return "the person's account is deactivated", "Take them off the ritual or the roster."
	case "cannot_dm_bot", "messages_tab_disabled":
		return "the person cannot receive direct messages from the bot", "Ask them to allow messages from the app."
	case "invalid_auth", "not_authed", "token_revoked", "token_expired", "unauthorized", "forbidden", "auth_failed":
		return "the platform no longer accepts the bot's credentials", "Renew the bot's token or reinstall the app, then restart the bot."
	case "missing_scope":
		return "the app lacks a permission it needs", "Add the permission in the app's settings and reinstall it."
	case "msg_too_long", "message_too_large":
		return "the message is too long for the platform", "Shorten the ritual's questions or ask people for shorter answers; the bot's log has the details."
	case "no_thread", "thread_failed":
		return "the message it belongs under could not be posted", "See the notice about that message; fixing it fixes both."
	case codeGaveUp:
		return "the platform kept failing for a day", "Check that the bot can reach the platform; newer messages are tried again."
	}
	return "the platform refused it", "The bot's log has the details; an admin can check them."
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
