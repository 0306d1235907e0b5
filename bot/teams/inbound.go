package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// handleActivity acts on an authenticated activity and returns the HTTP
// status for the connector.
func (a *Adapter) handleActivity(ctx context.Context, act *Activity) (int, error) {
	switch act.Type {
	case typeConversationUpdate:
		return a.onConversationUpdate(ctx, act)
	case typeInstallationUpdate:
		if strings.HasPrefix(act.Action, "remove") {
			return a.updateRefs(ctx, act, forgetRefs)
		}
		return a.updateRefs(ctx, act, a.capture)
	case typeMessage:
		if st, err := a.updateRefs(ctx, act, a.capture); err != nil {
			return st, err
		}
		if len(act.Value) > 0 && string(act.Value) != "null" {
			return a.onSubmit(ctx, act)
		}
		return a.onText(ctx, act)
	}
	return http.StatusOK, nil // typing, reactions, ...: nothing to do
}

func (a *Adapter) capture(tx cadence.KVTx, act *Activity) error {
	return captureRefs(tx, act, a.clock.Now())
}

func (a *Adapter) updateRefs(ctx context.Context, act *Activity, fn func(cadence.KVTx, *Activity) error) (int, error) {
	if err := a.st.Update(ctx, func(tx cadence.Tx) error { return fn(tx, act) }); err != nil {
		return http.StatusInternalServerError, fmt.Errorf("storing conversation references: %w", err)
	}
	return http.StatusOK, nil
}

// onConversationUpdate learns where the bot was installed and greets
// people who added it to their personal scope.
func (a *Adapter) onConversationUpdate(ctx context.Context, act *Activity) (int, error) {
	botID := ""
	if act.Recipient != nil {
		botID = act.Recipient.ID
	}
	isBot := func(m ChannelAccount) bool { return m.ID == botID }
	if slices.ContainsFunc(act.MembersRemoved, isBot) {
		return a.updateRefs(ctx, act, forgetRefs)
	}
	if st, err := a.updateRefs(ctx, act, a.capture); err != nil {
		return st, err
	}
	if act.isPersonal() && slices.ContainsFunc(act.MembersAdded, isBot) {
		lang := a.svc.Roster().Language()
		if p := a.person(act.From); p != nil {
			lang = a.svc.Roster().LanguageOf(p.ID)
		}
		welcome := bot.HelpReply("")
		welcome.Title = cadence.UIText(lang, "teams.welcome_title")
		welcome.Lines = append([]string{cadence.UIText(lang, "teams.welcome")}, welcome.Lines...)
		a.replyWith(ctx, act, replyMessage(welcome))
	}
	return http.StatusOK, nil
}

// person finds the roster entry of the sender by either Teams ID.
func (a *Adapter) person(from *ChannelAccount) *cadence.Person {
	if from == nil {
		return nil
	}
	r := a.svc.Roster()
	if p := r.ByTeamsID(from.ID); p != nil && from.ID != "" {
		return p
	}
	if from.AADObjectID != "" {
		return r.ByTeamsID(from.AADObjectID)
	}
	return nil
}

// onText runs a typed command: anything said to the bot in its 1:1 chat,
// or a message that @mentions it in a channel or group chat.
func (a *Adapter) onText(ctx context.Context, act *Activity) (int, error) {
	text, mentioned := commandText(act)
	if !act.isPersonal() && !mentioned {
		return http.StatusOK, nil
	}
	if a.ritualText(ctx, act, a.person(act.From), text) {
		return http.StatusOK, nil
	}
	if a.personText(ctx, act, a.person(act.From), text) {
		return http.StatusOK, nil
	}
	reply, err := a.run(ctx, a.svc, a.person(act.From), text, a.clock.Now())
	if err != nil {
		a.log.Error().Err(err).Str("activity", act.ID).Msg("teams: command failed")
	}
	a.replyWith(ctx, act, replyMessage(reply))
	return http.StatusOK, nil
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// commandText strips the bot's <at>mention</at> (and any other markup
// Teams adds) from a message and reports whether the bot was mentioned.
func commandText(act *Activity) (string, bool) {
	text, mentioned := act.Text, false
	for _, e := range act.Entities {
		if e.Type == "mention" && e.Mentioned != nil && act.Recipient != nil && e.Mentioned.ID == act.Recipient.ID {
			mentioned = true
			if e.Text != "" {
				text = strings.ReplaceAll(text, e.Text, " ")
			}
		}
	}
	text = html.UnescapeString(tagRE.ReplaceAllString(text, " "))
	return strings.Join(strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\u00a0' }), " "), mentioned
}

// replyMessage turns a command reply into a card message.
func replyMessage(r bot.Reply) *cadence.Message {
	kind := cadence.KindReceipt
	if r.Failed {
		kind = cadence.KindNotice
	}
	return &cadence.Message{Kind: kind, Body: r.Body()}
}

// replyWith posts m in reply to act. Replies are immediate answers to the
// person, not outbox messages: a failure is logged and the person can ask
// again.
func (a *Adapter) replyWith(ctx context.Context, act *Activity, m *cadence.Message) {
	acts, err := render(m, cardOptions{}, a.maxBytes, address{from: a.bot(), to: act.From, conv: act.Conversation.ID, replyTo: act.ID})
	if err == nil {
		for _, out := range acts {
			if _, err = a.post(ctx, act.ServiceURL, act.Conversation.ID, act.ID, act.From, out); err != nil {
				break
			}
		}
	}
	if err != nil {
		a.log.Error().Err(err).Str("activity", act.ID).Msg("teams: could not reply")
	}
}

// submitValue is the value of a card submit: the button's data and the
// card's inputs.
type submitValue struct {
	action, occurrence string
	inputs             map[string]string // question ID → text
	// MLOps buttons: the item acted on, the button's input (new owner,
	// reason) and the outbox key of the clicked message.
	value, arg, key string
	// ooo holds the out-of-office form's inputs (bot.OOOField*).
	ooo map[string]string
}

func parseSubmit(raw json.RawMessage) (submitValue, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return submitValue{}, fmt.Errorf("%w: card value is not a JSON object: %v", cadence.ErrInvalidInput, err)
	}
	str := func(k string) (string, error) {
		var s string
		if err := json.Unmarshal(fields[k], &s); err != nil {
			return "", fmt.Errorf("%w: card value field %q is not a string", cadence.ErrInvalidInput, k)
		}
		return s, nil
	}
	// Inputs are strings on Teams; a client that sends Input.Number's
	// value as a JSON number or a toggle's as a boolean is read too.
	input := func(k string) (string, error) {
		var n json.Number
		var b bool
		switch raw := fields[k]; {
		case json.Unmarshal(raw, &n) == nil:
			return n.String(), nil
		case json.Unmarshal(raw, &b) == nil:
			return strconv.FormatBool(b), nil
		}
		return str(k)
	}
	optional := func(k string) (string, error) {
		if _, ok := fields[k]; !ok {
			return "", nil
		}
		return str(k)
	}
	var v submitValue
	var err error
	if v.action, err = str("action"); err != nil {
		return v, err
	}
	if ops.IsAction(v.action) {
		return parseOpsSubmit(v, fields, str)
	}
	if v.occurrence, err = str("occurrence"); err != nil {
		return v, err
	}
	if v.action == "" || v.occurrence == "" {
		return v, fmt.Errorf("%w: card value lacks action or occurrence", cadence.ErrInvalidInput)
	}
	if v.value, err = optional("value"); err != nil {
		return v, err
	}
	v.inputs, v.ooo = map[string]string{}, map[string]string{}
	for _, k := range []string{bot.OOOFieldFrom, bot.OOOFieldTo, bot.OOOFieldNote} {
		if v.ooo[k], err = optional(k); err != nil {
			return v, err
		}
	}
	for k := range fields {
		if id, ok := strings.CutPrefix(k, inputPrefix); ok {
			if v.inputs[id], err = input(k); err != nil {
				return v, err
			}
		}
	}
	return v, nil
}

// onSubmit handles a button press on one of our cards.
func (a *Adapter) onSubmit(ctx context.Context, act *Activity) (int, error) {
	if preview, id, version, values, ok := ritualSubmit(act.Value); ok {
		p := a.person(act.From)
		if p == nil {
			a.replyWith(ctx, act, a.strangerNotice())
			return http.StatusOK, nil
		}
		if preview {
			return a.onRitualPreview(ctx, act, p, id, version, values)
		}
		return a.onRitualSubmit(ctx, act, p, id, version, values)
	}
	if action, id, version, values, ok := personSubmit(act.Value); ok {
		p := a.person(act.From)
		if p == nil {
			a.replyWith(ctx, act, a.strangerNotice())
			return http.StatusOK, nil
		}
		return a.onPersonSubmit(ctx, act, p, action, id, version, values)
	}
	v, err := parseSubmit(act.Value)
	if err != nil {
		return http.StatusBadRequest, err
	}
	p := a.person(act.From)
	if p == nil {
		bot.AuditStranger(ctx, a.svc, Platform, teamsIDOf(act.From), "click")
		lang := a.svc.Roster().Language()
		a.replyWith(ctx, act, notice(cadence.UIText(lang, "ritual_form.stranger_title"),
			cadence.UIText(lang, "teams.stranger_id", "ID", teamsIDOf(act.From))))
		return http.StatusOK, nil
	}
	if ops.IsAction(v.action) {
		return a.onOpsSubmit(ctx, act, p, v)
	}
	log := a.log.With().Str("person", p.ID).Str("occurrence", v.occurrence).Str("action", v.action).Logger()
	switch v.action {
	case cadence.ActionAnswer:
		if len(v.inputs) == 0 {
			return a.sendPrompt(ctx, act, p, v.occurrence, cardOptions{})
		}
		return a.submitAnswer(ctx, act, p, v)
	case cadence.ActionSnoozeHour, cadence.ActionSnoozeTomorrow:
		return a.onSnooze(ctx, act, p, v)
	case actionOOORange:
		return a.onOOORange(ctx, act, p, v)
	case cadence.ActionDecline, cadence.ActionOOO:
		// ActionOOO is a plain submit only on cards drawn without the
		// form (before it existed): it records today, as it did then.
		reason := "declined in Teams"
		if v.action == cadence.ActionOOO {
			reason = cadence.ReasonOutOfOffice
		}
		if err := a.svc.Decline(ctx, v.occurrence, p.ID, reason); err != nil {
			if bot.IsUserError(err) {
				a.replyWith(ctx, act, notice(cadence.UIText(a.langOf(p), "teams.not_recorded"), userMessageIn(a.langOf(p), err)))
				return http.StatusOK, nil
			}
			return http.StatusInternalServerError, err
		}
		// The engine confirms with a receipt through the outbox.
		log.Info().Msg("teams: declined")
		return http.StatusOK, nil
	}
	return http.StatusBadRequest, fmt.Errorf("%w: unknown card action %q", cadence.ErrInvalidInput, v.action)
}

// submitAnswer stores the answers and redraws the card in place: with a
// confirmation, or with each error next to its input and the typed text
// kept.
func (a *Adapter) submitAnswer(ctx context.Context, act *Activity, p *cadence.Person, v submitValue) (int, error) {
	occ, answers, err := a.svc.Occurrence(ctx, v.occurrence)
	if err != nil {
		if bot.IsUserError(err) {
			a.replyWith(ctx, act, notice(cadence.UIText(a.langOf(p), "teams.not_saved"), userMessageIn(a.langOf(p), err)))
			return http.StatusOK, nil
		}
		return http.StatusInternalServerError, err
	}
	var rs []cadence.Response
	if r := a.svc.Ritual(occ.RitualID); r != nil {
		for id, t := range v.inputs { // a multi-select's indices → its options
			v.inputs[id] = fromWire(r.Question(id), t)
		}
		for _, q := range r.Questions { // ritual order first, then anything unknown
			if t, ok := v.inputs[q.ID]; ok {
				rs = append(rs, cadence.Response{QuestionID: q.ID, Text: t})
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(v.inputs)) {
		if !slices.ContainsFunc(rs, func(r cadence.Response) bool { return r.QuestionID == id }) {
			rs = append(rs, cadence.Response{QuestionID: id, Text: v.inputs[id]})
		}
	}
	var before cadence.AnswerState
	if r := a.svc.Ritual(occ.RitualID); r != nil {
		before, _ = cadence.CheckAnswer(a.svc, r, occ, answers, p, a.clock.Now())
	}
	_, err = a.svc.SubmitAnswer(ctx, cadence.AnswerInput{OccurrenceID: v.occurrence, PersonID: p.ID, Responses: rs, Via: "teams-card"})
	var fe cadence.FieldErrors
	switch {
	case errors.As(err, &fe):
		return a.sendPrompt(ctx, act, p, v.occurrence, cardOptions{errors: fe, values: v.inputs})
	case err != nil && bot.IsUserError(err):
		a.replyWith(ctx, act, notice(cadence.UIText(a.langOf(p), "teams.not_saved"), userMessageIn(a.langOf(p), err)))
		return http.StatusOK, nil
	case err != nil:
		return http.StatusInternalServerError, err
	}
	a.log.Info().Str("person", p.ID).Str("occurrence", v.occurrence).Msg("teams: answer stored")
	lang := a.langOf(p)
	savedAt := a.clock.Now().In(loc(p)).Format("15:04")
	o := cardOptions{values: v.inputs, note: cadence.UIText(lang, "teams.saved", "At", savedAt, "Until", cadence.UITime(lang, before.ClosesAt, loc(p)))}
	if before.Mode == cadence.AnswerLate {
		o = cardOptions{note: cadence.UIText(lang, "teams.saved_late", "At", savedAt), closed: true}
	}
	if _, err := a.sendPrompt(ctx, act, p, v.occurrence, o); err != nil {
		// Stored, and the engine's receipt confirms it: an error here must
		// not make the connector retry the submit as a second edit.
		a.log.Error().Err(err).Str("person", p.ID).Str("occurrence", v.occurrence).Msg("teams: could not redraw the saved card")
	}
	return http.StatusOK, nil
}

// sendPrompt draws the prompt of an occurrence for p: in place of the card
// that was submitted when there is one, otherwise in p's 1:1 chat (an
// Answer button on an agenda in a channel must not show answers there).
func (a *Adapter) sendPrompt(ctx context.Context, act *Activity, p *cadence.Person, occID string, o cardOptions) (int, error) {
	m, err := a.promptMessage(ctx, p, occID, o.closed)
	if err != nil {
		if bot.IsUserError(err) {
			a.replyWith(ctx, act, notice(cadence.UIText(a.langOf(p), "teams.not_available"), userMessageIn(a.langOf(p), err)))
			return http.StatusOK, nil
		}
		return http.StatusInternalServerError, err
	}
	if o.ooo == nil {
		o.ooo = a.oooFormOf
	}
	// Addressed as a reply to the click, the larger of the two ways the
	// card goes out below.
	acts, err := render(m, o, a.maxBytes, address{from: a.bot(), to: act.From, conv: act.Conversation.ID, replyTo: act.ID})
	if err != nil {
		return http.StatusInternalServerError, err
	}
	if act.ReplyToID != "" && (len(o.values) > 0 || o.closed) && len(acts) == 1 {
		err := a.put(ctx, act.ServiceURL, act.Conversation.ID, act.ReplyToID, act.From, acts[0])
		if err == nil {
			return http.StatusOK, nil
		}
		a.log.Warn().Err(err).Str("activity", act.ReplyToID).Msg("teams: could not update the card in place; replying instead")
	}
	d := destination{serviceURL: act.ServiceURL, conv: act.Conversation.ID, user: act.From.ID}
	replyTo := act.ID
	if !act.isPersonal() {
		if d, err = a.personDestination(ctx, p.ID); err != nil {
			a.log.Warn().Err(err).Str("person", p.ID).Msg("teams: cannot open a 1:1 chat for a prompt")
			a.replyWith(ctx, act, notice("I can't message you privately", "Add the cadencebot app for yourself (Apps → Built for your org → cadencebot → Add), then press the button again."))
			return http.StatusOK, nil
		}
		replyTo = ""
	}
	for _, out := range acts {
		if _, err := a.post(ctx, d.serviceURL, d.conv, replyTo, recipientOf(d), out); err != nil {
			a.log.Error().Err(err).Str("person", p.ID).Msg("teams: could not send the prompt card")
			break
		}
	}
	return http.StatusOK, nil
}

// promptMessage rebuilds the prompt of an occurrence for one person, with
// their stored answer as the pre-filled values. After the person's close
// it is the late answer's card while the rules allow one; otherwise the
// error says why there is nothing to answer (final: the card of an answer
// just saved late, which shows the answer without inputs).
func (a *Adapter) promptMessage(ctx context.Context, p *cadence.Person, occID string, final bool) (*cadence.Message, error) {
	occ, answers, err := a.svc.Occurrence(ctx, occID)
	if err != nil {
		return nil, err
	}
	r := a.svc.Ritual(occ.RitualID)
	if r == nil {
		return nil, fmt.Errorf("ritual %q of occurrence %s: %w", occ.RitualID, occID, cadence.ErrNotFound)
	}
	st, err := cadence.CheckAnswer(a.svc, r, occ, answers, p, a.clock.Now())
	if err != nil && !(final && st.Mode == cadence.AnswerFinal) {
		return nil, err
	}
	lang := a.svc.Roster().LanguageOf(p.ID)
	at := func(t time.Time) string { return cadence.UITime(lang, t, loc(p)) }
	b := cadence.Body{Title: r.Title, Questions: cadence.QuestionsIn(r.Questions, lang)}
	if !st.ClosesAt.IsZero() {
		b.Text = cadence.UIText(lang, "prompt.text", "Close", at(st.ClosesAt))
	}
	var mine *cadence.Answer
	for _, ans := range answers {
		if ans.PersonID == p.ID {
			mine = ans
			b.Prefill = map[string]string{}
			for _, x := range ans.Responses {
				b.Prefill[x.QuestionID] = x.Text
			}
		}
	}
	b.Actions = []cadence.Action{
		{ID: cadence.ActionSnoozeHour, Label: cadence.UIText(lang, "action.snooze_1h"), Value: occID},
		{ID: cadence.ActionSnoozeTomorrow, Label: cadence.UIText(lang, "action.snooze_tomorrow"), Value: occID},
		{ID: cadence.ActionDecline, Label: cadence.UIText(lang, "action.skip"), Value: occID},
		{ID: cadence.ActionOOO, Label: cadence.UIText(lang, "action.ooo"), Value: occID},
	}
	switch st.Mode {
	case cadence.AnswerLate:
		b.Text = cadence.UIText(lang, "card.late", "Close", at(st.ClosesAt), "Until", at(st.LateUntil))
		b.Actions = []cadence.Action{{ID: cadence.ActionAnswer, Label: cadence.UIText(lang, "action.answer_late"), Value: occID, Style: "primary", Late: true}}
	case cadence.AnswerFinal:
		qs := b.Questions
		b.Text, b.Questions, b.Prefill, b.Actions = cadence.UIText(lang, "card.closed", "Ritual", r.Title, "Close", at(st.ClosesAt)), nil, nil, nil
		if mine != nil {
			var lines []string
			for _, q := range qs {
				if t := strings.TrimSpace(mine.Text(q.ID)); t != "" {
					lines = append(lines, q.Text+" "+t)
				}
			}
			b.Sections = []cadence.Section{{Heading: cadence.UIText(lang, "card.your_answer"), Lines: lines}}
		}
	}
	return &cadence.Message{Kind: cadence.KindPrompt, RitualID: r.ID, OccurrenceID: occID,
		To: cadence.Recipient{Person: p.ID}, Body: b}, nil
}

func notice(title, text string) *cadence.Message {
	return &cadence.Message{Kind: cadence.KindNotice, Body: cadence.Body{Title: title, Text: text}}
}

func teamsIDOf(from *ChannelAccount) string {
	if from == nil {
		return "unknown"
	}
	if from.AADObjectID != "" {
		return from.AADObjectID
	}
	return from.ID
}

func loc(p *cadence.Person) *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// strangerNotice tells someone the roster does not know, in the team's
// language.
func (a *Adapter) strangerNotice() *cadence.Message {
	lang := a.svc.Roster().Language()
	return notice(cadence.UIText(lang, "ritual_form.stranger_title"), cadence.UIText(lang, "ritual_form.stranger"))
}

// langOf is the language p reads.
func (a *Adapter) langOf(p *cadence.Person) string {
	if p == nil {
		return a.svc.Roster().Language()
	}
	return a.svc.Roster().LanguageOf(p.ID)
}

// userMessageIn words a domain refusal for the person, in lang.
func userMessageIn(lang string, err error) string {
	if text, ok := cadence.RefusalText(err); ok {
		return text
	}
	switch {
	case errors.Is(err, cadence.ErrClosed):
		return cadence.UIText(lang, "teams.closed")
	case errors.Is(err, cadence.ErrForbidden):
		return cadence.UIText(lang, "teams.not_expected")
	case errors.Is(err, cadence.ErrNotFound):
		return cadence.UIText(lang, "teams.unknown_occurrence")
	}
	return err.Error()
}
