package local

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// fieldPrefix names answer fields: "q.blockers".
const fieldPrefix = "q."

type inboxView struct {
	Prompts []promptView
	// LatePrompts are closed for the person, unanswered, and still take a
	// late answer (the rules allow one for a while after the close).
	LatePrompts []promptView
	// Unsent holds answers posted for an occurrence that is not pending
	// for this person (unknown, closed): shown so nothing typed is lost.
	Unsent   *promptView
	Messages []messageView
	Pager    *pager
	Command  string
	// OutOfOffice lists the person's days off from today on, as status
	// has them: "2026-12-21 to 2027-01-02 (winter break)".
	OutOfOffice []string
}

type promptView struct {
	OccurrenceID string
	Anchor       string
	Title        string
	Scheduled    string
	ClosesAt     string
	ClosesIn     string
	Answered     bool
	Late         bool // opened late (the bot was down when it was due)
	// LateUntil is set on a late answer's form: until when it is taken.
	LateUntil string
	Error     string
	Fields    []fieldView
	// Controls are the snooze buttons and the out-of-office form
	// (personcontrols.go).
	Controls controlsView
}

type fieldView struct {
	Name, ID, Label string
	Required        bool
	Value, Error    string
	// Kind is the control: textarea (""), radio, checkbox, select or
	// number (questionfield.go); Choices its options, Min and Max a
	// number's bounds, Hint when a follow-up applies.
	Kind     string
	Choices  []choiceView
	Min, Max string
	Hint     string
}

// formState is a post being answered again: the text as typed and what
// was wrong with it.
type formState struct {
	OccurrenceID string
	Values       map[string]string // by question ID
	Errors       map[string]string // by question ID, or by bot.OOOField*
	Error        string
	// OOO is a refused out-of-office form, shown again as typed.
	OOO *bot.OOOForm
}

// inbox is the current person's page: pending prompts, command box,
// received messages.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	ss := s.sessions.ensure(w, r, s.clock.Now(), cookiePath(basePath(r))) // a signed-in visitor may come here first
	me := s.svc.Roster().Person(s.personOf(r, ss))
	if me == nil {
		redirect(w, r, "/")
		return
	}
	p := s.newPage(r, ss, "Inbox of "+displayName(me), true)
	p.Flash = s.sessions.takeFlash(ss)
	s.renderInbox(w, r, http.StatusOK, p, me, nil, "")
}

func (s *Server) renderInbox(w http.ResponseWriter, r *http.Request, status int, p *page, me *cadence.Person, fs *formState, command string) {
	iv, err := s.buildInbox(r.Context(), me, fs, p.Base, r.URL.Query())
	var bad *badPageError
	if errors.As(err, &bad) {
		s.problem(w, r, http.StatusBadRequest, "Page not found", "In your inbox: "+err.Error()+".", keptFields(fs))
		return
	}
	if err != nil {
		s.log.Error().Err(err).Str("person", me.ID).Msg("inbox failed")
		s.problem(w, r, statusOf(err), "Inbox unavailable", "Your inbox could not be read; the error was logged. Try again in a minute.", keptFields(fs))
		return
	}
	iv.Command = command
	s.attachActions(iv.Messages, p, "/me")
	p.Inbox = iv
	s.render(w, r, status, "inbox", p)
}

// buildInbox shows the pending prompts and one page of the messages (q's
// "before" parameter picks which).
func (s *Server) buildInbox(ctx context.Context, me *cadence.Person, fs *formState, base string, q url.Values) (*inboxView, error) {
	now, loc := s.clock.Now(), locOf(me)
	st, err := s.svc.Status(ctx, me.ID)
	if err != nil {
		return nil, err
	}
	iv := &inboxView{}
	for _, dr := range st.OutOfOffice {
		line := dr.From.String()
		if dr.To != dr.From {
			line += " to " + dr.To.String()
		}
		if dr.Note != "" {
			line += " (" + dr.Note + ")"
		}
		iv.OutOfOffice = append(iv.OutOfOffice, line)
	}
	pending := map[string]string{} // occurrence → anchor of its form
	late := map[string]bool{}      // occurrences whose form takes a late answer
	for _, pp := range st.Pending {
		pv, err := s.promptView(ctx, me, pp, fs, now, loc)
		if err != nil {
			return nil, err
		}
		pending[pv.OccurrenceID] = "#" + pv.Anchor
		iv.Prompts = append(iv.Prompts, pv)
	}
	for _, pp := range st.Late {
		pv, err := s.promptView(ctx, me, pp, fs, now, loc)
		if err != nil {
			return nil, err
		}
		pv.LateUntil = formatTime(pp.LateUntil, loc)
		pending[pv.OccurrenceID] = "#" + pv.Anchor
		late[pv.OccurrenceID] = true
		iv.LatePrompts = append(iv.LatePrompts, pv)
	}
	if fs != nil {
		if _, ok := pending[fs.OccurrenceID]; !ok {
			iv.Unsent = &promptView{OccurrenceID: fs.OccurrenceID, Error: fs.Error, Fields: keptFields(fs)}
		}
	}
	var ms []*cadence.Message
	err = s.st.View(ctx, func(tx cadence.Tx) error {
		var err error
		ms, err = tx.Messages(cadence.MessageFilter{Platform: Platform, To: &cadence.Recipient{Person: me.ID}, Since: now.Add(-history)})
		return err
	})
	if err != nil {
		return nil, err
	}
	shown, pg, err := paginate(delivered(ms), func(m *cadence.Message) *cadence.Message { return m }, q, base+"/me")
	if err != nil {
		return nil, err
	}
	for _, l := range []*string{&pg.Newest, &pg.Older} {
		if *l != "" {
			*l += "#messages" // past the prompts, where the list goes on
		}
	}
	iv.Pager = pg
	for _, m := range shown {
		mv := newMessageView(m, loc, base)
		if m.Kind == cadence.KindPrompt || m.Kind == cadence.KindReminder {
			mv.AnswerHref, mv.AnswerLabel = pending[m.OccurrenceID], "Answer"
			if late[m.OccurrenceID] {
				mv.AnswerLabel = cadence.LabelAnswerLate
			}
		}
		iv.Messages = append(iv.Messages, mv)
	}
	return iv, nil
}

// promptView builds the form of one pending prompt: the text just posted
// if this is the form being answered again, else the stored answer.
func (s *Server) promptView(ctx context.Context, me *cadence.Person, pp cadence.PendingPrompt, fs *formState, now time.Time, loc *time.Location) (promptView, error) {
	occ, rit := pp.Occurrence, pp.Ritual
	if rit == nil {
		rit = s.svc.Ritual(occ.RitualID)
	}
	if rit == nil {
		return promptView{}, errors.New("occurrence " + occ.ID + " names unknown ritual " + occ.RitualID)
	}
	pv := promptView{
		OccurrenceID: occ.ID, Anchor: "occ-" + occ.ID, Title: rit.Title,
		Scheduled: formatTime(occ.Scheduled, loc), ClosesAt: formatTime(pp.ClosesAt, loc), ClosesIn: relative(pp.ClosesAt, now),
		Answered: pp.Answered, Late: occ.Late,
	}
	values, errs := map[string]string{}, map[string]string{}
	pv.Controls = s.controls(me, pv.Anchor, occ.ID, fs, now)
	if fs != nil && fs.OccurrenceID == occ.ID && fs.OOO == nil {
		values, errs, pv.Error = fs.Values, fs.Errors, fs.Error
	} else if pp.Answered {
		_, answers, err := s.svc.Occurrence(ctx, occ.ID)
		if err != nil {
			return promptView{}, err
		}
		for _, a := range answers {
			if a.PersonID == me.ID {
				for _, resp := range a.Responses {
					values[resp.QuestionID] = resp.Text
				}
			}
		}
	}
	rit = rit.In(s.svc.Roster().LanguageOf(me.ID)) // the questions as the config words them for me
	for i := range rit.Questions {
		q := &rit.Questions[i]
		pv.Fields = append(pv.Fields, questionField(rit, q, fieldView{
			Name: fieldPrefix + q.ID, ID: pv.Anchor + "-" + q.ID, Label: q.Text, Required: q.Required && !q.IsFollowUp(),
			Value: values[q.ID], Error: errs[q.ID],
		}))
	}
	return pv, nil
}

// keptFields lists what was typed, for pages that cannot show the form.
func keptFields(fs *formState) []fieldView {
	if fs == nil {
		return nil
	}
	var out []fieldView
	for _, id := range sortedKeys(fs.Values) {
		if fs.Values[id] == "" {
			continue
		}
		out = append(out, fieldView{Name: fieldPrefix + id, ID: "kept-" + id, Label: id, Value: fs.Values[id], Error: fs.Errors[id]})
	}
	return out
}

// answer stores a prompt's answers. Bad answers come back with the form,
// the text as typed and the reason next to each field.
func (s *Server) answer(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.parsePost(w, r)
	if !ok {
		return
	}
	fs := &formState{OccurrenceID: r.PostForm.Get("occurrence"), Values: map[string]string{}, Errors: map[string]string{}}
	for k, v := range r.PostForm {
		if id, ok := strings.CutPrefix(k, fieldPrefix); ok && len(v) > 0 {
			// Browsers send CRLF line breaks; store what the person sees.
			// Check boxes (a multiple choice) send one value each.
			fs.Values[id] = strings.ReplaceAll(strings.Join(v, "\n"), "\r\n", "\n")
		}
	}
	me := s.svc.Roster().Person(s.personOf(r, ss))
	if !checkCSRF(ss, r.PostForm.Get("csrf")) || me == nil {
		s.refuse(w, r, ss, me, http.StatusForbidden, fs, csrfText+" Your answers were not saved; they are below.")
		return
	}
	log := s.log.With().Str("person", me.ID).Str("occurrence", fs.OccurrenceID).Logger()
	rit := s.ritualOf(fs.OccurrenceID)
	if rit == nil {
		s.refuse(w, r, ss, me, http.StatusNotFound, fs, "There is no ritual occurrence "+quote(fs.OccurrenceID)+", so your answers were not saved. Your text is below.")
		return
	}
	in := cadence.AnswerInput{OccurrenceID: fs.OccurrenceID, PersonID: me.ID, Via: "local-form"}
	for _, q := range rit.Questions {
		in.Responses = append(in.Responses, cadence.Response{QuestionID: q.ID, Text: fs.Values[q.ID]})
	}
	a, err := s.svc.SubmitAnswer(r.Context(), in)
	var fe cadence.FieldErrors
	refusal, refused := cadence.RefusalText(err)
	switch {
	case err == nil:
		log.Info().Msg("answer stored")
		text := s.savedText(r.Context(), rit, a, me)
		s.sessions.update(ss, func(ss *session) { ss.flash = &flash{Kind: "ok", Text: text} })
		redirect(w, r, "/me#occ-"+fs.OccurrenceID)
		return
	case errors.As(err, &fe):
		fs.Errors = fe
		fs.Error = "Some answers need a change; nothing was saved yet."
	case refused:
		fs.Error = refusal + " Your answers were not saved; your text is below."
	case errors.Is(err, cadence.ErrClosed):
		fs.Error = rit.Title + " is closed, so your answers were not saved. Your text is below."
	case errors.Is(err, cadence.ErrForbidden):
		fs.Error = "You are not expected to answer this " + rit.Title + ", so your answers were not saved."
	case errors.Is(err, cadence.ErrNotFound):
		fs.Error = "There is no " + rit.Title + " occurrence " + quote(fs.OccurrenceID) + ", so your answers were not saved. Your text is below."
	case statusOf(err) < 500:
		fs.Error = "Your answers were not saved: " + err.Error()
	default:
		log.Error().Err(err).Msg("answer failed")
		fs.Error = "Your answers could not be saved (the error was logged). Your text is below; try again in a minute."
	}
	if statusOf(err) < 500 {
		log.Info().Err(err).Msg("answer refused")
	}
	s.refuse(w, r, ss, me, statusOf(err), fs, fs.Error)
}

// savedText confirms a stored answer in words that are true for it: an
// answer on time can be edited until the person's close, a late one not.
func (s *Server) savedText(ctx context.Context, rit *cadence.Ritual, a *cadence.Answer, me *cadence.Person) string {
	text := "Saved your answers to " + rit.Title + "."
	occ, _, err := s.svc.Occurrence(ctx, a.OccurrenceID)
	if err != nil {
		return text // stored all the same; the receipt says the rest
	}
	closes := occ.PersonCloseAt(me.ID)
	if a.SubmittedAt.After(closes) {
		return "Saved your late answers to " + rit.Title + ": it closed " + formatTime(closes, locOf(me)) +
			", so they count as late and can no longer be edited."
	}
	return text + " You can edit them until " + formatTime(closes, locOf(me)) + "."
}

// refuse answers a post that did nothing: the inbox again with the typed
// text kept, or an error page holding it when there is no person.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, ss *session, me *cadence.Person, status int, fs *formState, msg string) {
	fs.Error = msg
	if me == nil {
		s.problem(w, r, status, "Not saved", msg+" Pick who you are on the people page first.", keptFields(fs))
		return
	}
	p := s.newPage(r, ss, "Inbox of "+displayName(me), false)
	s.renderInbox(w, r, status, p, me, fs, "")
}

// ritualOf finds the ritual of an occurrence ID, or nil.
func (s *Server) ritualOf(occurrenceID string) *cadence.Ritual {
	id, _, err := cadence.ParseOccurrenceID(occurrenceID)
	if err != nil {
		return nil
	}
	return s.svc.Ritual(id)
}

// decline is the Skip and Out-of-office buttons of a prompt.
func (s *Server) decline(w http.ResponseWriter, r *http.Request) {
	ss, me, ok := s.postAs(w, r)
	if !ok {
		return
	}
	occID := r.PostForm.Get("occurrence")
	// The engine words the excuse ("declined", "declined: out of office").
	reason, ooo := "", r.PostForm.Get("action") == cadence.ActionOOO
	if ooo {
		reason = cadence.ReasonOutOfOffice
	}
	rit := s.ritualOf(occID)
	if rit == nil {
		s.problem(w, r, http.StatusNotFound, "Unknown occurrence", "There is no ritual occurrence "+quote(occID)+".", nil)
		return
	}
	if err := s.svc.Decline(r.Context(), occID, me.ID, reason); err != nil {
		status := statusOf(err)
		text := "Could not record that: " + err.Error()
		if status >= 500 {
			s.log.Error().Err(err).Str("person", me.ID).Str("occurrence", occID).Msg("decline failed")
			text = "Could not record that (the error was logged). Try again in a minute."
		}
		s.problem(w, r, status, "Not recorded", text, nil)
		return
	}
	s.sessions.update(ss, func(ss *session) {
		text := "You skipped " + rit.Title + " of " + formatTime(scheduledOf(occID), locOf(me)) + "; you will not be reminded."
		if ooo {
			today := cadence.DateOf(s.clock.Now().In(locOf(me)))
			text = "You are out of office today (" + today.String() + "): no prompts or reminders today. /cadence ooo cancel " + today.String() + " takes it back."
		}
		ss.flash = &flash{Kind: "ok", Text: text}
	})
	redirect(w, r, "/me")
}

func scheduledOf(occurrenceID string) time.Time {
	_, t, _ := cadence.ParseOccurrenceID(occurrenceID)
	return t
}

// command runs a /cadence command for the current person and shows the
// reply on the next page.
func (s *Server) command(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.parsePost(w, r)
	if !ok {
		return
	}
	text := r.PostForm.Get("text")
	me := s.svc.Roster().Person(s.personOf(r, ss))
	if me == nil {
		s.problem(w, r, http.StatusForbidden, "Who are you?", "Pick who you are on the people page before running commands.", nil)
		return
	}
	if !checkCSRF(ss, r.PostForm.Get("csrf")) {
		p := s.newPage(r, ss, "Inbox of "+displayName(me), false)
		p.Flash = &flash{Kind: "error", Text: csrfText}
		s.renderInbox(w, r, http.StatusForbidden, p, me, nil, text)
		return
	}
	// The person editor is the admin page's: open it rather than say
	// where it is (others are refused by bot.Run, in their language).
	if cmd, err := bot.ParseCommand(text); err == nil && cmd.Verb == bot.VerbPerson && s.forms != nil && me.Role.CanRunRituals() {
		redirect(w, r, bot.PersonEditorURL(cmd))
		return
	}
	reply, err := bot.Run(r.Context(), s.svc, me, text, s.clock.Now())
	if err != nil {
		s.log.Error().Err(err).Str("person", me.ID).Str("command", text).Msg("command failed")
	}
	kind := "ok"
	if reply.Failed {
		kind = "error"
	}
	typed := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), "/cadence"))
	s.sessions.update(ss, func(ss *session) { ss.flash = &flash{Kind: kind, Reply: &reply, Text: typed} })
	redirect(w, r, "/me#command")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
