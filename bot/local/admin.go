package local

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The admin pages: leads and admins list the rituals and people in force
// (from the file or made here), create a ritual from a template, edit,
// pause, archive and delete what was made here, and add, change or
// remove people. What the file defines is shown read-only ("edit it in
// the file"). Every check is the config file's, and every refusal keeps
// what was typed.

// WithConfigForms turns on the admin pages (/admin).
func WithConfigForms(f bot.ConfigForms) Option { return func(s *Server) { s.forms = f } }

func (s *Server) adminRoutes() {
	s.mux.HandleFunc("GET /admin", s.adminList)
	s.mux.HandleFunc("GET /admin/{kind}/new", s.adminNew)
	s.mux.HandleFunc("GET /admin/{kind}/{id}", s.adminEdit)
	s.mux.HandleFunc("POST /admin/{kind}/save", s.adminSave)
	s.mux.HandleFunc("GET /admin/{kind}/{id}/delete", s.adminConfirmDelete)
	s.mux.HandleFunc("POST /admin/{kind}/{id}/{op}", s.adminOp)
}

// adminView is what the admin templates get.
type adminView struct {
	Rituals, People []bot.ConfigItem
	Templates       []bot.FormTemplate
	Edit            *editView
	Confirm         *confirmView
}

// editView is the form of one ritual or person.
type editView struct {
	Kind     cadence.DefinitionKind
	ID       string // empty: new
	New      bool
	ReadOnly bool // in the config file
	Version  int64
	Updated  string // "version 3, saved by Lea at …"
	Template string
	Fields   []fieldInput
	Error    string            // about the whole form
	Others   string            // problems elsewhere this change causes
	Preview  []bot.PreviewZone // next fire times, when asked
	Zone     *time.Location
}

// fieldInput is one input of the form, with what was typed and its error.
type fieldInput struct {
	Name, Label, Kind, Help, Value, Error string
	Rows                                  [][]fieldInput // tables: one row of inputs per table row
	Sub                                   []bot.FormField
}

type confirmView struct {
	Kind          cadence.DefinitionKind
	ID, Title     string
	Version       int64
	Consequences  []string
	Archive, Open bool
}

// adminPerson is who may use the admin pages: a lead or an admin.
func (s *Server) adminPerson(w http.ResponseWriter, r *http.Request, me *cadence.Person) bool {
	if s.forms == nil {
		s.problem(w, r, http.StatusNotFound, "Not enabled", "Editing rituals and people is not enabled on this bot.", nil)
		return false
	}
	if me == nil {
		s.problem(w, r, http.StatusForbidden, "Sign in first", "Rituals and people are edited by leads and admins; "+pickerOffText(s.access), nil)
		return false
	}
	if !me.Role.CanRunRituals() {
		s.problem(w, r, http.StatusForbidden, "Leads and admins only", fmt.Sprintf("Rituals and people are edited by leads and admins; %s is a %s.", displayName(me), me.Role), nil)
		return false
	}
	return true
}

func (s *Server) adminGet(w http.ResponseWriter, r *http.Request, title string) (*page, bool) {
	ss := s.sessions.get(r, s.clock.Now())
	p := s.newPage(r, ss, title, false)
	if !s.adminPerson(w, r, p.Me) {
		return nil, false
	}
	// "Saved …", "Paused …": what the last form did, said once.
	p.Flash = s.sessions.takeFlash(ss)
	return p, true
}

func (s *Server) adminList(w http.ResponseWriter, r *http.Request) {
	p, ok := s.adminGet(w, r, "Rituals and people")
	if !ok {
		return
	}
	items, err := s.forms.Items(r.Context())
	if err != nil {
		s.log.Error().Err(err).Msg("admin list")
		s.problem(w, r, http.StatusInternalServerError, "Not available", "The list could not be read (the error was logged).", nil)
		return
	}
	v := &adminView{Templates: s.forms.Templates()}
	for _, it := range items {
		if it.Kind == cadence.DefRitual {
			v.Rituals = append(v.Rituals, it)
		} else {
			v.People = append(v.People, it)
		}
	}
	p.Admin = v
	s.render(w, r, http.StatusOK, "admin", p)
}

func pathKind(r *http.Request) (cadence.DefinitionKind, bool) {
	k := cadence.DefinitionKind(r.PathValue("kind"))
	return k, k.Valid()
}

// adminNew is the creation form, filled from a template when one is picked.
func (s *Server) adminNew(w http.ResponseWriter, r *http.Request) {
	kind, ok := pathKind(r)
	if !ok {
		s.problem(w, r, http.StatusNotFound, "Page not found", "There is no page at "+r.URL.Path+".", nil)
		return
	}
	p, ok := s.adminGet(w, r, "New "+string(kind))
	if !ok {
		return
	}
	values := map[string]string{}
	tpl := r.URL.Query().Get("template")
	if tpl != "" {
		i := slices.IndexFunc(s.forms.Templates(), func(t bot.FormTemplate) bool { return t.Name == tpl })
		if i < 0 {
			s.problem(w, r, http.StatusNotFound, "No such template", "There is no template "+quote(tpl)+".", nil)
			return
		}
		for k, v := range s.forms.Templates()[i].Values {
			values[k] = v
		}
	}
	ev := &editView{Kind: kind, New: true, Template: tpl}
	s.fillEdit(ev, values, nil, p.Me)
	p.Admin = &adminView{Edit: ev}
	s.render(w, r, http.StatusOK, "adminedit", p)
}

func (s *Server) adminEdit(w http.ResponseWriter, r *http.Request) {
	kind, ok := pathKind(r)
	if !ok {
		s.problem(w, r, http.StatusNotFound, "Page not found", "There is no page at "+r.URL.Path+".", nil)
		return
	}
	id := r.PathValue("id")
	p, ok := s.adminGet(w, r, "Edit "+string(kind)+" "+id)
	if !ok {
		return
	}
	values, def, err := s.forms.Load(r.Context(), kind, id)
	ev := &editView{Kind: kind, ID: id}
	switch {
	case errors.Is(err, cadence.ErrNotFound):
		if !s.inForce(r.Context(), kind, id) {
			s.problem(w, r, http.StatusNotFound, "Not found", fmt.Sprintf("There is no %s %s.", kind, quote(id)), nil)
			return
		}
		ev.ReadOnly = true
		values = map[string]string{"id": id}
	case err != nil:
		s.log.Error().Err(err).Str(string(kind), id).Msg("admin load")
		s.problem(w, r, http.StatusInternalServerError, "Not available", "It could not be read (the error was logged).", nil)
		return
	default:
		ev.Version = def.Version
		ev.Updated = fmt.Sprintf("version %d, saved by %s at %s", def.Version, s.name(def.UpdatedBy), def.UpdatedAt.In(zoneOf(p.Me)).Format("Mon 2 Jan 2006 15:04 MST"))
	}
	s.fillEdit(ev, values, nil, p.Me)
	p.Admin = &adminView{Edit: ev}
	s.render(w, r, http.StatusOK, "adminedit", p)
}

func (s *Server) inForce(ctx context.Context, kind cadence.DefinitionKind, id string) bool {
	items, err := s.forms.Items(ctx)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(items, func(it bot.ConfigItem) bool { return it.Kind == kind && it.ID == id })
}

func zoneOf(p *cadence.Person) *time.Location {
	if p != nil && p.Location != nil {
		return p.Location
	}
	return time.UTC
}

// fillEdit lays out the inputs of kind with values and errors. Tables
// get two empty rows to add to.
func (s *Server) fillEdit(ev *editView, values map[string]string, fe cadence.FieldErrors, me *cadence.Person) {
	ev.Zone = zoneOf(me)
	used := map[string]bool{}
	for _, f := range s.forms.Fields(ev.Kind) {
		in := fieldInput{Name: f.Key, Label: strings.ReplaceAll(f.Key, "_", " "), Kind: f.Kind, Help: f.Help, Value: values[f.Key], Error: fe[f.Key], Sub: f.Sub}
		used[f.Key] = true
		if f.Kind == "tables" {
			n := rowsOf(values, f.Key) + 2
			for i := range n {
				var row []fieldInput
				for _, sf := range f.Sub {
					name := fmt.Sprintf("%s[%d].%s", f.Key, i, sf.Key)
					used[name] = true
					row = append(row, fieldInput{Name: name, Label: strings.ReplaceAll(sf.Key, "_", " "), Kind: sf.Kind, Help: sf.Help, Value: values[name], Error: fe[name]})
				}
				in.Rows = append(in.Rows, row)
			}
		}
		ev.Fields = append(ev.Fields, in)
	}
	// Problems not next to any input are said at the top.
	var others []string
	for k, msg := range fe {
		if !used[k] {
			if k != "" {
				msg = k + ": " + msg
			}
			others = append(others, msg)
		}
	}
	slices.Sort(others)
	ev.Others = strings.Join(others, "\n")
}

func rowsOf(values map[string]string, key string) int {
	n := 0
	for k := range values {
		rest, ok := strings.CutPrefix(k, key+"[")
		if !ok {
			continue
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			continue
		}
		if i, err := strconv.Atoi(rest[:end]); err == nil && i < 200 && i+1 > n {
			n = i + 1
		}
	}
	return n
}

// postedValues reads the inputs of kind from the form, as typed.
func (s *Server) postedValues(r *http.Request, kind cadence.DefinitionKind) map[string]string {
	values := map[string]string{"id": strings.TrimSpace(r.PostForm.Get("id"))}
	for _, f := range s.forms.Fields(kind) {
		if f.Kind != "tables" {
			values[f.Key] = strings.ReplaceAll(r.PostForm.Get(f.Key), "\r\n", "\n")
			continue
		}
		for i := range rowsOf(formKeys(r.PostForm), f.Key) {
			for _, sf := range f.Sub {
				name := fmt.Sprintf("%s[%d].%s", f.Key, i, sf.Key)
				if v := r.PostForm.Get(name); v != "" {
					values[name] = strings.ReplaceAll(v, "\r\n", "\n")
				}
			}
		}
	}
	return values
}

func formKeys(f url.Values) map[string]string {
	m := make(map[string]string, len(f))
	for k := range f {
		m[k] = ""
	}
	return m
}

// adminSave saves the form, or previews its schedule (op=preview). A
// refusal shows the form again with what was typed and each problem next
// to its input.
func (s *Server) adminSave(w http.ResponseWriter, r *http.Request) {
	kind, ok := pathKind(r)
	if !ok {
		s.problem(w, r, http.StatusNotFound, "Page not found", "There is no page at "+r.URL.Path+".", nil)
		return
	}
	ss, me, ok := s.postAs(w, r)
	if !ok || !s.adminPerson(w, r, me) {
		return
	}
	version, _ := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	values := s.postedValues(r, kind)
	id := values["id"]
	ev := &editView{Kind: kind, ID: id, New: version == 0, Version: version, Template: r.PostForm.Get("template")}
	if !ev.New {
		ev.Updated = "version " + strconv.FormatInt(version, 10)
	}
	log := s.log.With().Str("person", me.ID).Str(string(kind), id).Logger()
	var err error
	status := http.StatusOK
	if r.PostForm.Get("op") == "preview" && kind == cadence.DefRitual {
		ev.Preview, err = s.forms.Preview(r.Context(), id, values)
		if err == nil && len(ev.Preview) == 0 {
			ev.Error = "Nobody takes part, so there is nothing to preview."
		}
	} else {
		var d *cadence.Definition
		d, err = s.forms.Save(r.Context(), me.ID, kind, id, version, values)
		if err == nil {
			log.Info().Int64("version", d.Version).Msg("saved from the admin page")
			s.sessions.update(ss, func(ss *session) {
				ss.flash = &flash{Kind: "ok", Text: fmt.Sprintf("Saved %s %s (version %d): it is in force now.", kind, d.ID, d.Version)}
			})
			redirect(w, r, "/admin#"+string(kind)+"-"+d.ID)
			return
		}
	}
	var fe cadence.FieldErrors
	var stale *ops.StaleError
	switch {
	case err == nil:
	case errors.As(err, &fe):
		status = statusOf(err)
		ev.Error = "Some fields need a change; nothing was saved."
	case errors.As(err, &stale):
		status = http.StatusConflict
		ev.Error = "Not saved: " + stale.Error() + "."
		if !stale.Deleted {
			ev.Version = stale.Version // saving again overwrites theirs, on purpose
			ev.Updated = fmt.Sprintf("version %d, saved by %s at %s", stale.Version, stale.By, stale.At.In(zoneOf(me)).Format("Mon 2 Jan 2006 15:04 MST"))
		}
	default:
		status = statusOf(err)
		if status >= 500 {
			log.Error().Err(err).Msg("admin save failed")
			ev.Error = "Not saved: that did not work on our side (the error was logged). What you typed is below; try again in a minute."
		} else {
			ev.Error = "Not saved: " + err.Error()
		}
	}
	p := s.newPage(r, ss, "Edit "+string(kind), false)
	s.fillEdit(ev, values, fe, me)
	p.Admin = &adminView{Edit: ev}
	s.render(w, r, status, "adminedit", p)
}

// adminConfirmDelete says what deleting (or archiving) does before it is
// done: open occurrences, follow-ups and who takes them.
func (s *Server) adminConfirmDelete(w http.ResponseWriter, r *http.Request) {
	kind, ok := pathKind(r)
	if !ok {
		s.problem(w, r, http.StatusNotFound, "Page not found", "There is no page at "+r.URL.Path+".", nil)
		return
	}
	id := r.PathValue("id")
	p, ok := s.adminGet(w, r, "Delete "+string(kind)+" "+id)
	if !ok {
		return
	}
	_, def, err := s.forms.Load(r.Context(), kind, id)
	if err != nil {
		s.problem(w, r, statusOf(err), "Cannot delete", fmt.Sprintf("%s %s is not one made here (%v); what the config file defines is deleted in the file.", kind, quote(id), err), nil)
		return
	}
	im, err := s.forms.Impact(r.Context(), kind, id)
	if err != nil {
		s.log.Error().Err(err).Msg("delete impact")
		s.problem(w, r, http.StatusInternalServerError, "Not available", "What deleting would do could not be read (the error was logged).", nil)
		return
	}
	cv := &confirmView{Kind: kind, ID: id, Version: def.Version, Archive: kind == cadence.DefRitual && !def.Archived}
	cv.Consequences = consequences(kind, im, s.name)
	p.Admin = &adminView{Confirm: cv}
	s.render(w, r, http.StatusOK, "adminconfirm", p)
}

// consequences spells a DeleteImpact for the confirmation page.
func consequences(kind cadence.DefinitionKind, im ops.DeleteImpact, name func(string) string) []string {
	var out []string
	if kind == cadence.DefRitual {
		if n := len(im.OpenOccurrences); n > 0 {
			out = append(out, fmt.Sprintf("Its open occurrence (%s) is closed at the next tick; the answers given so far are kept.", strings.Join(im.OpenOccurrences, ", ")))
		}
		if n := len(im.FollowUps); n > 0 {
			out = append(out, fmt.Sprintf("Its participants own %d open follow-up%s (%s): follow-ups belong to incidents, not rituals, so they stay open with their owners and keep their reminders.", n, plural(n), strings.Join(im.FollowUps, ", ")))
		} else {
			out = append(out, "Its participants own no open follow-ups.")
		}
		out = append(out, "Its history (occurrences, answers, adherence) stays in reports and the audit log.")
		return out
	}
	if n := len(im.FollowUps); n > 0 {
		to := "nobody (there is no lead to take them: reassign them by hand)"
		if im.HandTo != "" {
			to = name(im.HandTo) + ", who is told in chat"
		}
		out = append(out, fmt.Sprintf("Their %d open follow-up%s (%s) go%s to %s.", n, plural(n), strings.Join(im.FollowUps, ", "), map[bool]string{true: "", false: "es"}[n > 1], to))
	} else {
		out = append(out, "They own no open follow-ups.")
	}
	out = append(out, "They are excused from open occurrences; their answers and history stay.")
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// adminOp runs pause, resume, archive, unarchive and delete.
func (s *Server) adminOp(w http.ResponseWriter, r *http.Request) {
	kind, ok := pathKind(r)
	if !ok {
		s.problem(w, r, http.StatusNotFound, "Page not found", "There is no page at "+r.URL.Path+".", nil)
		return
	}
	ss, me, ok := s.postAs(w, r)
	if !ok || !s.adminPerson(w, r, me) {
		return
	}
	id, op := r.PathValue("id"), r.PathValue("op")
	version, _ := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	ctx := r.Context()
	var err error
	var done string
	switch {
	case op == "pause" && kind == cadence.DefRitual:
		err, done = s.svc.Pause(ctx, me.ID, id), "Paused "+id+": no occurrence opens until it is resumed."
	case op == "resume" && kind == cadence.DefRitual:
		err, done = s.svc.Resume(ctx, me.ID, id), "Resumed "+id+"."
	case op == "archive" || op == "unarchive":
		err = s.forms.Archive(ctx, me.ID, kind, id, version, op == "archive")
		done = "Archived " + id + ": it does not run; its history stays."
		if op == "unarchive" {
			done = "Brought " + id + " back: it runs again."
		}
	case op == "delete":
		if r.PostForm.Get("confirm") != "yes" {
			redirect(w, r, "/admin/"+string(kind)+"/"+url.PathEscape(id)+"/delete")
			return
		}
		err, done = s.forms.Delete(ctx, me.ID, kind, id, version), "Deleted "+string(kind)+" "+id+"."
	default:
		s.problem(w, r, http.StatusNotFound, "Page not found", "There is no page at "+r.URL.Path+".", nil)
		return
	}
	if err != nil {
		status := statusOf(err)
		text := "Not done: " + err.Error()
		if status >= 500 {
			s.log.Error().Err(err).Str("op", op).Msg("admin operation failed")
			text = "That did not work on our side (the error was logged). Try again in a minute."
		}
		s.problem(w, r, status, "Not done", text, nil)
		return
	}
	s.log.Info().Str("person", me.ID).Str(string(kind), id).Str("op", op).Msg("admin operation")
	s.sessions.update(ss, func(ss *session) { ss.flash = &flash{Kind: "ok", Text: done} })
	redirect(w, r, "/admin")
}
