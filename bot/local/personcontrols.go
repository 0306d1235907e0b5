package local

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// The person controls of a prompt in the local chat: the snooze buttons
// (POST /snooze) and the out-of-office form (POST /ooo, date inputs);
// both are CSRF-checked forms like /answer and /decline. The rules and
// the words are bot's (bot/personcontrols.go).

// controlsView is what a pending prompt offers besides its questions.
type controlsView struct {
	Snooze1h, SnoozeTomorrow, OOO string // button labels
	Form                          oooView
}

// oooView is the out-of-office form: open, with the typed values and the
// errors next to their inputs, after a refused post.
type oooView struct {
	Open                                        bool
	Anchor                                      string
	Title, Intro, FromLabel, ToLabel, NoteLabel string
	NoteHint, Save                              string
	From, To, Note                              string
	FromError, ToError, NoteError               string
	FromName, ToName, NoteName                  string
}

// controls words the controls of a prompt for me; fs holds a refused
// out-of-office post of this prompt.
func (s *Server) controls(me *cadence.Person, anchor, occID string, fs *formState, now time.Time) controlsView {
	lang := s.svc.Roster().LanguageOf(me.ID)
	t := func(id string) string { return bot.OOOText(s.svc, me, id) }
	f := bot.OOOFormFor(me, now)
	v := oooView{
		Anchor: anchor + "-ooo", Title: t("title"), Intro: t("intro"), FromLabel: t("from"), ToLabel: t("to"),
		NoteLabel: t("note"), NoteHint: t("note_hint"), Save: t("save"),
		FromName: bot.OOOFieldFrom, ToName: bot.OOOFieldTo, NoteName: bot.OOOFieldNote,
	}
	if fs != nil && fs.OccurrenceID == occID && fs.OOO != nil {
		f, v.Open = *fs.OOO, true
		v.FromError, v.ToError, v.NoteError = fs.Errors[bot.OOOFieldFrom], fs.Errors[bot.OOOFieldTo], fs.Errors[bot.OOOFieldNote]
	}
	v.From, v.To, v.Note = f.From, f.To, f.Note
	return controlsView{
		Snooze1h: cadence.UIText(lang, "action.snooze_1h"), SnoozeTomorrow: cadence.UIText(lang, "action.snooze_tomorrow"),
		OOO: cadence.UIText(lang, "action.ooo"), Form: v,
	}
}

// snooze is the prompt's snooze buttons: the result (until when, or why
// not) shows on the inbox.
func (s *Server) snooze(w http.ResponseWriter, r *http.Request) {
	ss, me, ok := s.postAs(w, r)
	if !ok {
		return
	}
	occID := r.PostForm.Get("occurrence")
	res, err := bot.SnoozeClick(r.Context(), s.svc, me, occID, r.PostForm.Get("action"))
	if err != nil {
		status, text := statusOf(err), "Not snoozed: "+err.Error()
		if status >= 500 {
			s.log.Error().Err(err).Str("person", me.ID).Str("occurrence", occID).Msg("snooze failed")
			text = "Not snoozed (the error was logged). Try again in a minute."
		}
		s.problem(w, r, status, "Not snoozed", text, nil)
		return
	}
	kind := "ok"
	if !res.Snoozed() {
		kind = "error"
	}
	s.sessions.update(ss, func(ss *session) { ss.flash = &flash{Kind: kind, Text: res.Text} })
	redirect(w, r, "/me")
}

// ooo records the range of the out-of-office form, or shows the inbox
// again with the form open, the typed dates kept and each problem next
// to its input.
func (s *Server) ooo(w http.ResponseWriter, r *http.Request) {
	ss, me, ok := s.postAs(w, r)
	if !ok {
		return
	}
	occID := r.PostForm.Get("occurrence")
	form := bot.OOOForm{From: r.PostForm.Get(bot.OOOFieldFrom), To: r.PostForm.Get(bot.OOOFieldTo), Note: r.PostForm.Get(bot.OOOFieldNote)}
	res, err := bot.SubmitOOO(r.Context(), s.svc, me, occID, form, s.clock.Now())
	var fe cadence.FieldErrors
	switch {
	case errors.As(err, &fe):
		var all []string
		for _, k := range sortedKeys(fe) {
			all = append(all, fe[k])
		}
		fs := &formState{OccurrenceID: occID, OOO: &form, Errors: fe, Error: strings.Join(all, " ")}
		p := s.newPage(r, ss, "Inbox of "+displayName(me), false)
		s.renderInbox(w, r, http.StatusBadRequest, p, me, fs, "")
		return
	case err != nil:
		status, text := statusOf(err), "Not recorded: "+err.Error()
		if status >= 500 {
			s.log.Error().Err(err).Str("person", me.ID).Msg("out of office failed")
			text = "Not recorded (the error was logged). Try again in a minute."
		}
		s.problem(w, r, status, "Not recorded", text, nil)
		return
	}
	s.log.Info().Str("person", me.ID).Stringer("from", res.Range.From).Stringer("to", res.Range.To).Msg("out of office from the prompt's form")
	s.sessions.update(ss, func(ss *session) { ss.flash = &flash{Kind: "ok", Text: res.Text} })
	redirect(w, r, "/me")
}
