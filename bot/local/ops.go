package local

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The MLOps flows of the local chat: the buttons of follow-up and release
// notices drawn as small forms posting to /act (with a select or a text
// box where the button needs an input first), and the /ops page: my open
// follow-ups, the release lane with approve and reject for approvers, and
// a form to propose a release. Permissions, refusals and their audit
// entries are the domain's; pages only show them.

// opsAPI is what these flows call. cmd/cadencebot hands the chat a
// *ops.Service, whose embedded *ops.Ops has all of it.
type opsAPI interface {
	Act(ctx context.Context, actorID string, a ops.Action) (string, error)
	FollowUps(ctx context.Context, f cadence.FollowUpFilter) ([]*cadence.FollowUp, error)
	Incidents(ctx context.Context, f cadence.IncidentFilter) ([]*cadence.Incident, error)
	Releases(ctx context.Context, f cadence.ReleaseFilter) ([]*cadence.Release, error)
	ProposeRelease(ctx context.Context, actorID string, in ops.ReleaseInput) (*cadence.Release, error)
	Approvers() []string
	ApprovalsFor(r *cadence.Release) int
}

var _ opsAPI = (*ops.Service)(nil)

func (s *Server) ops() opsAPI {
	o, _ := s.svc.(opsAPI)
	return o
}

func (s *Server) opsRoutes() {
	s.mux.HandleFunc("GET /ops", s.opsPage)
	s.mux.HandleFunc("POST /act", s.act)
	s.mux.HandleFunc("POST /ops/release", s.proposeRelease)
}

// actionView is one button drawn as a form. Reassign shows a select of
// the roster, Reject a text box: both are the input ops.NeedsArg asks
// for.
type actionView struct {
	ID, Label, Value, Style string
	Base, CSRF, Back        string
	Reassign, Reason        bool
	People                  []personOption
}

type personOption struct{ ID, Name string }

// opsActionViews keeps the MLOps buttons of a message; prompts' buttons
// have their own forms in the inbox.
func opsActionViews(as []cadence.Action) []actionView {
	var out []actionView
	for _, a := range as {
		if ops.IsAction(a.ID) {
			out = append(out, actionView{ID: a.ID, Label: a.Label, Value: a.Value, Style: a.Style,
				Reassign: a.ID == ops.ActionFollowUpReassign, Reason: a.ID == ops.ActionReleaseReject})
		}
	}
	return out
}

// attachActions readies the buttons of shown messages for the visitor:
// their session's CSRF token, where to come back to, the people a
// follow-up can go to. Visitors who have not said who they are see no
// buttons.
func (s *Server) attachActions(views []messageView, p *page, back string) {
	people := s.peopleOptions()
	for i := range views {
		v := &views[i]
		if p.Me == nil {
			v.Actions = nil
		}
		for j := range v.Actions {
			a := &v.Actions[j]
			a.Base, a.CSRF, a.Back, a.People = p.Base, p.CSRF, back+"#"+v.Anchor, people
		}
		s.attachActions(v.Replies, p, back)
	}
}

func (s *Server) peopleOptions() []personOption {
	var out []personOption
	for _, p := range s.svc.Roster().People() {
		out = append(out, personOption{ID: p.ID, Name: displayName(p)})
	}
	return out
}

// act runs a button. Success comes back as a notice on the page the
// button was on; a refusal (not allowed, already done, input missing) is
// shown with its reason and the status that says why, and changes
// nothing.
func (s *Server) act(w http.ResponseWriter, r *http.Request) {
	ss, me, ok := s.postAs(w, r)
	if !ok {
		return
	}
	svc := s.ops()
	if svc == nil {
		s.problem(w, r, http.StatusNotFound, "Not enabled", opsOffText, nil)
		return
	}
	a := ops.Action{ID: r.PostForm.Get("action"), Value: r.PostForm.Get("value"), Arg: r.PostForm.Get("arg")}
	log := s.log.With().Str("person", me.ID).Str("action", a.ID).Str("target", a.Value).Logger()
	if !ops.IsAction(a.ID) {
		s.problem(w, r, http.StatusBadRequest, "Unknown button", "There is no button "+quote(a.ID)+".", nil)
		return
	}
	msg, err := svc.Act(r.Context(), me.ID, a)
	if errors.Is(err, cadence.ErrConflict) && (a.ID == ops.ActionReleaseApprove || a.ID == ops.ActionReleaseReject) {
		// A late click on a release decided since the page was drawn:
		// back where the button was, with what was decided, by whom and
		// when (the request itself is redrawn without buttons).
		log.Info().Err(err).Msg("late click on a decided release")
		text := strings.ToUpper(err.Error()[:1]) + err.Error()[1:] + "."
		s.sessions.update(ss, func(ss *session) { ss.flash = &flash{Kind: "info", Text: text} })
		redirect(w, r, safeBack(r.PostForm.Get("back")))
		return
	}
	if err != nil {
		status := statusOf(err)
		text := "Not done: " + err.Error()
		if status >= 500 {
			log.Error().Err(err).Msg("ops action failed")
			text = "That did not work on our side (the error was logged). Try again in a minute."
		} else {
			log.Info().Err(err).Msg("ops action refused")
		}
		s.problem(w, r, status, "Not done", text, nil)
		return
	}
	log.Info().Msg("ops action done")
	s.sessions.update(ss, func(ss *session) { ss.flash = &flash{Kind: "ok", Text: msg} })
	redirect(w, r, safeBack(r.PostForm.Get("back")))
}

const opsOffText = "Incidents, follow-ups and releases are not enabled on this bot."

// safeBack keeps redirects inside the chat: a path of one of its pages,
// with an optional #anchor; anything else goes to the inbox.
func safeBack(back string) string {
	u, err := url.Parse(back)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.RawQuery != "" || strings.HasPrefix(back, "//") {
		return "/me"
	}
	switch {
	case u.Path == "/me", u.Path == "/ops", strings.HasPrefix(u.Path, "/c/") && !strings.Contains(u.Path[3:], "/"):
		return u.EscapedPath() + fragment(u.Fragment)
	}
	return "/me"
}

func fragment(f string) string {
	if f == "" {
		return ""
	}
	return "#" + url.PathEscape(f)
}

// opsView is the /ops page.
type opsView struct {
	FollowUps []followUpRow
	Releases  []releaseRow
	Approvers string
	Propose   releaseForm
}

type followUpRow struct {
	ID, Title, Incident, Due, Snoozed string
	Overdue                           bool
	Actions                           []actionView
}

type releaseRow struct {
	ID, Title, Status string
	Lines             []string
	Note              string
	Actions           []actionView
}

// releaseForm is the proposal form: what was typed and what is wrong
// with it, by cadence.Field* name.
type releaseForm struct {
	Values  map[string]string
	Errors  map[string]string
	Error   string
	Changes []cadence.ChangeType
	Risks   []cadence.Risk
}

func (s *Server) opsPage(w http.ResponseWriter, r *http.Request) {
	ss := s.sessions.ensure(w, r, s.clock.Now(), cookiePath(basePath(r))) // a signed-in visitor may come here first
	me := s.svc.Roster().Person(s.personOf(r, ss))
	if me == nil {
		redirect(w, r, "/")
		return
	}
	p := s.newPage(r, ss, "Incidents, follow-ups and releases", true)
	p.Flash = s.sessions.takeFlash(ss)
	s.renderOps(w, r, http.StatusOK, p, me, releaseForm{})
}

func (s *Server) renderOps(w http.ResponseWriter, r *http.Request, status int, p *page, me *cadence.Person, form releaseForm) {
	svc := s.ops()
	if svc == nil {
		s.problem(w, r, http.StatusNotFound, "Not enabled", opsOffText, nil)
		return
	}
	ov, err := s.buildOps(r.Context(), svc, me, p)
	if err != nil {
		s.log.Error().Err(err).Str("person", me.ID).Msg("ops page failed")
		s.problem(w, r, statusOf(err), "Page unavailable", "The follow-ups and releases could not be read; the error was logged. Try again in a minute.", nil)
		return
	}
	form.Changes, form.Risks = cadence.ChangeTypes, cadence.Risks
	ov.Propose = form
	p.Ops = ov
	s.render(w, r, status, "ops", p)
}

func (s *Server) buildOps(ctx context.Context, svc opsAPI, me *cadence.Person, p *page) (*opsView, error) {
	now, loc := s.clock.Now(), locOf(me)
	fus, err := svc.FollowUps(ctx, cadence.FollowUpFilter{Owner: me.ID, Status: []cadence.FollowUpStatus{cadence.FollowUpOpen}})
	if err != nil {
		return nil, err
	}
	incs, err := svc.Incidents(ctx, cadence.IncidentFilter{})
	if err != nil {
		return nil, err
	}
	titles := map[int]string{}
	for _, inc := range incs {
		titles[inc.Number] = inc.Title
	}
	rels, err := svc.Releases(ctx, cadence.ReleaseFilter{Status: []cadence.ReleaseStatus{cadence.ReleaseProposed, cadence.ReleaseApproved}})
	if err != nil {
		return nil, err
	}
	people := s.peopleOptions()
	button := func(a cadence.Action, anchor string) actionView {
		v := opsActionViews([]cadence.Action{a})[0]
		v.Base, v.CSRF, v.Back, v.People = p.Base, p.CSRF, "/ops#"+anchor, people
		return v
	}
	ov := &opsView{}
	fus = slices.Clone(fus)
	slices.SortStableFunc(fus, func(x, y *cadence.FollowUp) int { return x.Due.In(time.UTC).Compare(y.Due.In(time.UTC)) })
	for _, f := range fus {
		row := followUpRow{ID: f.ID(), Title: f.Title, Due: f.Due.String(), Overdue: !now.Before(f.Deadline(loc)),
			Incident: strings.TrimSpace(cadence.IncidentID(f.Incident) + " " + titles[f.Incident])}
		if now.Before(f.SnoozedUntil) {
			row.Snoozed = formatTime(f.SnoozedUntil, loc)
		}
		for _, a := range []cadence.Action{
			{ID: ops.ActionFollowUpDone, Label: "Done", Value: f.ID(), Style: "primary"},
			{ID: ops.ActionFollowUpSnooze, Label: "Snooze", Value: f.ID()},
			{ID: ops.ActionFollowUpReassign, Label: "Reassign", Value: f.ID()},
		} {
			row.Actions = append(row.Actions, button(a, row.ID))
		}
		ov.FollowUps = append(ov.FollowUps, row)
	}
	approvers := svc.Approvers()
	var names []string
	for _, id := range approvers {
		names = append(names, s.name(id))
	}
	ov.Approvers = strings.Join(names, ", ")
	if ov.Approvers == "" {
		ov.Approvers = "none are configured"
	}
	approver := slices.Contains(approvers, me.ID)
	for _, r := range rels {
		row := releaseRow{ID: r.ID(), Title: fmt.Sprintf("%s %s %s", r.ID(), r.Model, r.Version), Status: string(r.Status),
			Lines: releaseLines(r, svc.ApprovalsFor(r), s.name, loc)}
		switch {
		case r.Status != cadence.ReleaseProposed:
		case r.ProposedBy == me.ID:
			row.Note = "You proposed it: another approver decides."
		case r.ApprovedBy(me.ID):
			row.Note = "You approved it; it needs another approver."
		case approver:
			row.Actions = []actionView{
				button(cadence.Action{ID: ops.ActionReleaseApprove, Label: "Approve", Value: r.ID(), Style: "primary"}, row.ID),
				button(cadence.Action{ID: ops.ActionReleaseReject, Label: "Reject", Value: r.ID(), Style: "danger"}, row.ID),
			}
		}
		ov.Releases = append(ov.Releases, row)
	}
	return ov, nil
}

func (s *Server) name(id string) string {
	if p := s.svc.Roster().Person(id); p != nil {
		return displayName(p)
	}
	return id
}

func releaseLines(r *cadence.Release, need int, name func(string) string, loc *time.Location) []string {
	lines := []string{
		fmt.Sprintf("%s · risk %s · proposed by %s %s", r.Change, r.Risk, name(r.ProposedBy), formatTime(r.ProposedAt, loc)),
		fmt.Sprintf("Approvals: %d of %d", len(r.Approvals), need),
	}
	for _, a := range r.Approvals {
		lines = append(lines, "Approved by "+name(a.By)+" "+formatTime(a.At, loc))
	}
	lines = append(lines, r.PlanLines()...)
	return lines
}

// releaseFields are the proposal form's inputs, named as the domain names
// its FieldErrors.
var releaseFields = []string{ops.FieldModel, ops.FieldVersion, ops.FieldChange, ops.FieldRisk,
	ops.FieldEvidence, ops.FieldRollback, ops.FieldDataContract, ops.FieldContractNote, ops.FieldPlanned, ops.FieldNotes}

// proposeRelease submits the proposal form. Problems come back next to
// their fields with everything typed kept.
func (s *Server) proposeRelease(w http.ResponseWriter, r *http.Request) {
	ss, me, ok := s.postAs(w, r)
	if !ok {
		return
	}
	svc := s.ops()
	if svc == nil {
		s.problem(w, r, http.StatusNotFound, "Not enabled", opsOffText, nil)
		return
	}
	form := releaseForm{Values: map[string]string{}, Errors: map[string]string{}}
	for _, f := range releaseFields {
		form.Values[f] = strings.ReplaceAll(r.PostForm.Get(f), "\r\n", "\n")
	}
	v := form.Values
	in := ops.ReleaseInput{
		Model: v[ops.FieldModel], Version: v[ops.FieldVersion],
		Change: cadence.ChangeType(v[ops.FieldChange]), Risk: cadence.Risk(v[ops.FieldRisk]),
		Evidence: v[ops.FieldEvidence], RollbackPlan: v[ops.FieldRollback],
		DataContract: ops.ParseContractCheck(v[ops.FieldDataContract]), DataContractNote: v[ops.FieldContractNote], Notes: v[ops.FieldNotes],
	}
	var err error
	if p := strings.TrimSpace(v[ops.FieldPlanned]); p != "" {
		if in.Planned, err = cadence.ParseDate(p); err != nil {
			err = cadence.FieldErrors{ops.FieldPlanned: fmt.Sprintf("%q is not a date YYYY-MM-DD", p)}
		}
	}
	var rel *cadence.Release
	if err == nil {
		rel, err = svc.ProposeRelease(r.Context(), me.ID, in)
	}
	if err == nil {
		s.log.Info().Str("person", me.ID).Str("release", rel.ID()).Msg("release proposed")
		s.sessions.update(ss, func(ss *session) {
			ss.flash = &flash{Kind: "ok", Text: fmt.Sprintf("Proposed %s %s %s: the approvers are asked now.", rel.ID(), rel.Model, rel.Version)}
		})
		redirect(w, r, "/ops#"+rel.ID())
		return
	}
	status := statusOf(err)
	var fe cadence.FieldErrors
	switch {
	case errors.As(err, &fe):
		form.Errors = fe
		form.Error = "Some fields need a change; nothing was proposed yet."
	case status < 500:
		form.Error = "Not proposed: " + err.Error()
	default:
		s.log.Error().Err(err).Str("person", me.ID).Msg("proposing a release failed")
		form.Error = "The release could not be proposed (the error was logged). What you typed is below; try again in a minute."
	}
	p := s.newPage(r, ss, "Incidents, follow-ups and releases", false)
	s.renderOps(w, r, status, p, me, form)
}
