package bot

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// ReportWeeks is how far back `report` looks.
const ReportWeeks = 4

// userError is a refusal or a lookup failure worded for the person who
// typed the command; kind is the cadence sentinel it stands for.
type userError struct {
	msg  string
	kind error
}

func (e *userError) Error() string { return e.msg }
func (e *userError) Unwrap() error { return e.kind }

func refuse(format string, args ...any) error {
	return &userError{fmt.Sprintf(format, args...), cadence.ErrForbidden}
}

// words is the person's language for the command layer's own lines.
type words string

// wordsOf is the language actor reads (their own, else the team's).
func wordsOf(svc cadence.Service, actor *cadence.Person) words {
	if actor != nil && actor.Language != "" {
		return words(actor.Language)
	}
	if actor == nil {
		if svc != nil && svc.Roster() != nil {
			return words(svc.Roster().Language())
		}
		return words(cadence.DefaultLanguage)
	}
	if svc != nil && svc.Roster() != nil {
		return words(svc.Roster().LanguageOf(actor.ID))
	}
	return words(cmpOr(actor.Language, cadence.DefaultLanguage))
}

// t words catalog entry cmd.<id>.
func (w words) t(id string, kv ...any) string { return cadence.UIText(string(w), "cmd."+id, kv...) }

// time shows an instant in loc: "Mon 30 Nov 09:30 CET" in English.
func (w words) time(t time.Time, loc *time.Location) string { return cadence.UITime(string(w), t, loc) }

// date shows a day: "Mon 30 Nov 2026" in English.
func (w words) date(d cadence.Date) string { return cadence.UIDate(string(w), d) }

// refuse is a refusal worded from the catalog.
func (w words) refuse(id string, kv ...any) error {
	return &userError{w.t(id, kv...), cadence.ErrForbidden}
}

// Run parses and executes text for actor and always returns a reply to
// show. err is non-nil only for faults of the bot (store down, ...): the
// reply then says something went wrong and the adapter should log err.
func Run(ctx context.Context, svc cadence.Service, actor *cadence.Person, text string, now time.Time) (Reply, error) {
	cmd, err := ParseCommand(text)
	if err == nil {
		var r Reply
		if r, err = Execute(ctx, svc, actor, cmd, now); err == nil {
			return r, nil
		}
	}
	w := wordsOf(svc, actor)
	if IsUserError(err) {
		return ErrorReplyIn(string(w), err), nil
	}
	return ErrorReplyIn(string(w), err), err
}

// ErrorReply turns an error from ParseCommand or Execute into a reply:
// usage errors come with the verb's usage line; faults of the bot are not
// shown in detail.
func ErrorReply(err error) Reply { return ErrorReplyIn(cadence.DefaultLanguage, err) }

// ErrorReplyIn is ErrorReply with its own words in lang.
func ErrorReplyIn(lang string, err error) Reply {
	w := words(lang)
	if !IsUserError(err) {
		return Reply{Title: w.t("fault_title"), Failed: true, Lines: []string{w.t("fault")}}
	}
	r := Reply{Title: w.t("sorry"), Failed: true, Lines: []string{capitalize(err.Error())}}
	var fe cadence.FieldErrors
	if errors.As(err, &fe) {
		// One line per input, as a form shows them next to each field.
		r.Lines = r.Lines[:0]
		for _, k := range slices.Sorted(maps.Keys(fe)) {
			r.Lines = append(r.Lines, capitalize(k)+": "+fe[k])
		}
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		if u, ok := UsageOf(ue.Verb); ok {
			r.Lines = append(r.Lines, w.t("usage", "Syntax", u.Syntax, "Example", u.Example))
		}
	}
	return r
}

// Execute runs cmd on behalf of actor. now is the instant the command was
// received; times are shown in the actor's zone. Refusals wrap
// cadence.ErrForbidden, unknown rituals cadence.ErrNotFound.
func Execute(ctx context.Context, svc cadence.Service, actor *cadence.Person, cmd Command, now time.Time) (Reply, error) {
	if cmd.Verb == VerbHelp || cmd.Verb == "" {
		return HelpReply(cmd.Unknown), nil
	}
	w := wordsOf(svc, actor)
	if actor == nil {
		err := w.refuse("not_on_roster", "Verb", cmd.Verb)
		auditRefusal(ctx, svc, NotOnRoster, cmd, "", err)
		return Reply{}, err
	}
	loc := actor.Location
	if loc == nil {
		loc = time.UTC
	}
	if cmd.Ops != nil {
		return executeOps(ctx, svc, actor, cmd, loc, now)
	}
	switch cmd.Verb {
	case VerbStatus:
		return status(ctx, w, svc, actor, loc, now)
	case VerbOOO:
		return ooo(ctx, w, svc, actor, cmd, loc, now)
	case VerbSnooze:
		return snooze(ctx, w, svc, actor, cmd, loc)
	case VerbRitual:
		// Slack and Teams open their editor before Execute; here (the
		// local chat, or an adapter with forms off) say where it is.
		return Reply{Title: w.t("ritual_editor"), Lines: []string{w.t("ritual_editor_where", "Sub", cmd.Sub), w.t("ritual_editor_file")}}, nil
	case VerbPerson:
		return personReply(ctx, svc, actor, cmd)
	case VerbSkip, VerbPause, VerbResume:
		if !actor.Role.CanRunRituals() {
			err := w.refuse("only_leads_ritual", "Verb", cmd.Verb, "Role", w.role(actor.Role))
			auditRefusal(ctx, svc, actor.ID, cmd, "ritual:"+cmd.Ritual, err)
			return Reply{}, err
		}
		r, err := findRitual(w, svc, cmd)
		if err != nil {
			auditRefusal(ctx, svc, actor.ID, cmd, "ritual:"+cmd.Ritual, err)
			return Reply{}, err
		}
		return runRitualVerb(ctx, w, svc, actor, cmd, r, loc)
	case VerbReport:
		if !actor.Role.CanReadReports() {
			err := w.refuse("only_report", "Role", w.role(actor.Role))
			auditRefusal(ctx, svc, actor.ID, cmd, "report", err)
			return Reply{}, err
		}
		return report(ctx, w, svc, now, loc)
	}
	return HelpReply(string(cmd.Verb)), nil
}

// role names a role in w: "lead", "Teamleitung".
func (w words) role(r cadence.Role) string {
	if r == "" {
		return w.t("role_none")
	}
	return w.t("role_" + string(r))
}

// findRitual resolves the typed ritual ID, case-insensitively, and lists
// the known ones when it fails.
func findRitual(w words, svc cadence.Service, cmd Command) (*cadence.Ritual, error) {
	if r := svc.Ritual(cmd.Ritual); r != nil {
		return r, nil
	}
	var ids []string
	for _, r := range svc.Rituals() {
		if strings.EqualFold(r.ID, cmd.Ritual) {
			return r, nil
		}
		ids = append(ids, r.ID)
	}
	known := w.t("no_rituals")
	if len(ids) > 0 {
		known = w.t("known_rituals", "IDs", strings.Join(ids, ", "))
	}
	return nil, &userError{w.t("no_such_ritual", "Verb", cmd.Verb, "Ritual", cmd.Ritual, "Known", known), cadence.ErrNotFound}
}

func runRitualVerb(ctx context.Context, w words, svc cadence.Service, actor *cadence.Person, cmd Command, r *cadence.Ritual, loc *time.Location) (Reply, error) {
	var err error
	switch cmd.Verb {
	case VerbPause:
		if err = svc.Pause(ctx, actor.ID, r.ID); err == nil {
			return Reply{Title: w.t("paused_title", "Ritual", r.Title), Lines: []string{w.t("paused", "Ritual", r.Title, "ID", r.ID)}}, nil
		}
	case VerbResume:
		if err = svc.Resume(ctx, actor.ID, r.ID); err == nil {
			return Reply{Title: w.t("resumed_title", "Ritual", r.Title), Lines: []string{w.t("resumed", "Ritual", r.Title)}}, nil
		}
	case VerbSkip:
		var res *cadence.SkipResult
		if res, err = svc.Skip(ctx, actor.ID, r.ID, cmd.Reason); err == nil {
			return skipReply(w, r, res, cmd.Reason, loc), nil
		}
	}
	return Reply{}, serviceError(cmd.Verb, err)
}

func skipReply(w words, r *cadence.Ritual, res *cadence.SkipResult, reason string, loc *time.Location) Reply {
	when := w.time(res.Scheduled, loc)
	line := w.t("skipped", "Ritual", r.Title, "When", when)
	if res.Next {
		line = w.t("skipped_next", "Ritual", r.Title, "When", when)
	}
	out := Reply{Title: w.t("skipped_title", "Ritual", r.Title), Lines: []string{line}}
	if reason != "" {
		out.Lines = append(out.Lines, w.t("reason", "Reason", reason))
	}
	return out
}

// serviceError words the service's sentinels for the person; anything
// else is passed through as a fault of the bot.
func serviceError(v Verb, err error) error {
	if IsUserError(err) {
		// An error about one input already names it ("owner: …"): a
		// second prefix ("followup: owner: …") says nothing more.
		var fe cadence.FieldErrors
		if _, _, ok := cadence.ErrorField(err); ok || errors.As(err, &fe) {
			return err
		}
		return &userError{fmt.Sprintf("%s: %v", v, err), err}
	}
	return fmt.Errorf("%s: %w", v, err)
}

func ooo(ctx context.Context, w words, svc cadence.Service, actor *cadence.Person, cmd Command, loc *time.Location, now time.Time) (Reply, error) {
	switch cmd.OOO {
	case "list":
		st, err := svc.Status(ctx, actor.ID)
		if err != nil {
			return Reply{}, serviceError(VerbOOO, err)
		}
		r := Reply{Title: w.t("ooo_list_title"), Lines: []string{w.t("ooo_list_none")}}
		if len(st.OutOfOffice) > 0 {
			r.Lines = nil
			for _, dr := range st.OutOfOffice {
				r.Lines = append(r.Lines, w.oooLine(dr))
			}
		}
		return r, nil
	case "cancel":
		dr, err := svc.CancelOutOfOffice(ctx, actor.ID, cmd.From)
		if err != nil {
			return Reply{}, serviceError(VerbOOO, err)
		}
		return Reply{Title: w.t("ooo_cancelled_title", "Span", w.oooSpan(dr)), Lines: []string{w.t("ooo_cancelled")}}, nil
	}
	today := cadence.DateOf(now.In(loc))
	if cmd.To.Before(today) {
		return Reply{}, &UsageError{VerbOOO, w.t("ooo_past", "Day", w.date(cmd.To), "Today", w.date(today), "Zone", loc.String())}
	}
	if err := svc.SetOutOfOffice(ctx, actor.ID, cadence.DateRange{From: cmd.From, To: cmd.To, Note: cmd.Reason}); err != nil {
		return Reply{}, serviceError(VerbOOO, err)
	}
	return Reply{Title: w.t("ooo_title", "Span", w.oooSpan(cadence.DateRange{From: cmd.From, To: cmd.To})), Lines: []string{
		w.t("ooo_set", "From", w.date(cmd.From), "To", w.date(cmd.To), "Zone", loc.String()),
		w.t("ooo_set_help", "Day", cmd.From.String()),
	}}, nil
}

func (w words) oooSpan(dr cadence.DateRange) string {
	if dr.To == dr.From {
		return w.date(dr.From)
	}
	return w.t("span", "From", w.date(dr.From), "To", w.date(dr.To))
}

func (w words) oooLine(dr cadence.DateRange) string {
	line := w.oooSpan(dr)
	if dr.Note != "" {
		line += " (" + dr.Note + ")"
	}
	return line
}

func status(ctx context.Context, w words, svc cadence.Service, actor *cadence.Person, loc *time.Location, now time.Time) (Reply, error) {
	st, err := svc.Status(ctx, actor.ID)
	if err != nil {
		return Reply{}, serviceError(VerbStatus, err)
	}
	r := Reply{Title: w.t("status_title")}
	pending := cadence.Section{Heading: w.t("status_waiting")}
	for _, p := range st.Pending {
		title := p.Occurrence.RitualID
		if p.Ritual != nil {
			title = p.Ritual.Title
		}
		closes := w.time(p.ClosesAt, loc) + " (" + w.until(p.ClosesAt, now) + ")"
		if p.Answered {
			pending.Lines = append(pending.Lines, w.t("status_answered", "Ritual", title, "Close", closes))
		} else {
			pending.Lines = append(pending.Lines, w.t("status_closes", "Ritual", title, "Close", closes))
		}
	}
	if len(pending.Lines) == 0 {
		pending.Lines = []string{w.t("status_nothing")}
	}
	next := cadence.Section{Heading: w.t("status_next")}
	for _, u := range st.Upcoming {
		line := u.Ritual.Title + " — " + w.time(u.At, loc)
		switch {
		case u.Paused:
			line += " " + w.t("status_paused")
		case u.Away != nil:
			line += " " + w.t("status_away")
		}
		next.Lines = append(next.Lines, line)
	}
	if len(next.Lines) == 0 {
		next.Lines = []string{w.t("status_no_rituals")}
	}
	r.Sections = []cadence.Section{pending}
	if late := lateSection(w, st.Late, loc); len(late.Lines) > 0 {
		r.Sections = append(r.Sections, late)
	}
	r.Sections = append(r.Sections, next)
	if len(st.OutOfOffice) > 0 {
		away := cadence.Section{Heading: w.t("status_ooo")}
		for _, dr := range st.OutOfOffice {
			away.Lines = append(away.Lines, w.oooLine(dr))
		}
		r.Sections = append(r.Sections, away)
	}
	return r, nil
}

// lateSection lists what the person can still answer late.
func lateSection(w words, ps []cadence.PendingPrompt, loc *time.Location) cadence.Section {
	s := cadence.Section{Heading: w.t("status_late")}
	for _, p := range ps {
		title := p.Occurrence.RitualID
		if p.Ritual != nil {
			title = p.Ritual.Title
		}
		s.Lines = append(s.Lines, w.t("status_late_line", "Ritual", title, "When", w.time(p.Occurrence.Scheduled, loc),
			"Close", w.time(p.ClosesAt, loc), "Until", w.time(p.LateUntil, loc)))
	}
	return s
}

func report(ctx context.Context, w words, svc cadence.Service, now time.Time, loc *time.Location) (Reply, error) {
	from := now.AddDate(0, 0, -7*ReportWeeks)
	rep, err := svc.Report(ctx, cadence.ReportQuery{From: from, To: now})
	if err != nil {
		return Reply{}, serviceError(VerbReport, err)
	}
	r := Reply{
		Title: w.t("report_title", "Weeks", ReportWeeks),
		Lines: []string{
			w.t("span", "From", w.date(cadence.DateOf(from.In(loc))), "To", w.date(cadence.DateOf(now.In(loc)))),
			w.t("report_team", "Tally", w.tallyLine(rep.Team)),
		},
	}
	rituals := cadence.Section{Heading: w.t("report_per_ritual")}
	for _, ra := range rep.Rituals {
		title := ra.Title
		if title == "" {
			title = ra.RitualID
		}
		rituals.Lines = append(rituals.Lines, w.t("report_ritual", "Ritual", title, "Tally", w.tallyLine(ra.Tally)))
	}
	if len(rituals.Lines) == 0 {
		rituals.Lines = []string{w.t("report_none")}
	}
	r.Sections = []cadence.Section{rituals}
	return r, nil
}

// tallyLine is "87 · 42/48 answered, 39 on time · 12 held, 1 missed, 1
// skipped · median answer after 1h5m".
func (w words) tallyLine(t cadence.Tally) string {
	s := w.t("tally", "Score", cadence.UINumber(string(w), t.Score, 0), "Answered", t.Answered, "Expected", t.Expected,
		"OnTime", t.AnsweredOnTime, "Held", t.Held)
	if t.Missed > 0 {
		s += ", " + w.t("tally_missed", "N", t.Missed)
	}
	if t.Skipped > 0 {
		s += ", " + w.t("tally_skipped", "N", t.Skipped)
	}
	if t.MedianLatency > 0 {
		s += " · " + w.t("tally_median", "After", w.shortDuration(t.MedianLatency))
	}
	return s
}

// formatTime shows an instant in the reader's zone: "Mon 30 Nov 09:30 CET".
func formatTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 15:04 MST")
}

// until is "in 3h20m" or "2h ago".
func (w words) until(t, now time.Time) string {
	d := t.Sub(now)
	if d < 0 {
		return w.t("ago", "D", w.shortDuration(-d))
	}
	return w.t("in", "D", w.shortDuration(d))
}

// shortDuration rounds to minutes and drops zero units: 1h5m, 45m, 2d3h
// in English.
func (w words) shortDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return w.t("under_minute")
	}
	days := int(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	h, m := int(d/time.Hour), int((d%time.Hour)/time.Minute)
	switch {
	case days > 0 && h > 0:
		return w.t("dur_dh", "D", days, "H", h)
	case days > 0:
		return w.t("dur_d", "N", days)
	case h > 0 && m > 0:
		return w.t("dur_hm", "H", h, "M", m)
	case h > 0:
		return w.t("dur_h", "N", h)
	}
	return w.t("dur_m", "N", m)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// NotOnRoster is the actor of an audited refusal of someone the roster
// does not know.
const NotOnRoster = "(not on the roster)"

// refusalAuditor is the part of ops.Service that records refusals
// decided here, before any service method runs; a service without it
// (tests, the bare engine) records nothing.
type refusalAuditor interface {
	AuditRefusal(ctx context.Context, actor, action, target string, details map[string]string, refusal error)
}

// auditRefusal puts a refusal of the command layer in the audit log under
// the action name the service uses for the same verb.
func auditRefusal(ctx context.Context, svc cadence.Service, actor string, cmd Command, target string, err error) {
	ra, ok := svc.(refusalAuditor)
	if !ok {
		return
	}
	action := "command." + string(cmd.Verb)
	switch cmd.Verb {
	case VerbPause, VerbResume, VerbSkip:
		action = "ritual." + string(cmd.Verb)
	case VerbReport:
		action = "report.read"
	}
	if target == "" {
		target = string(cmd.Verb)
	}
	var details map[string]string
	if cmd.Reason != "" {
		details = map[string]string{"reason": cmd.Reason}
	}
	ra.AuditRefusal(ctx, actor, action, target, details, err)
}

// AuditStranger records that someone the roster does not know (a Slack or
// Teams user id) was refused: a command, a click or a form. Adapters
// refuse such people before bot.Run, so they record it here.
func AuditStranger(ctx context.Context, svc cadence.Service, platform, userID, what string) {
	if ra, ok := svc.(refusalAuditor); ok {
		ra.AuditRefusal(ctx, NotOnRoster, "command."+what, what, map[string]string{"platform": platform, "user": userID},
			&userError{"not on the cadencebot roster", cadence.ErrForbidden})
	}
}

// snooze puts off the actor's unanswered open prompt: RITUAL's, or the
// one closing first.
func snooze(ctx context.Context, w words, svc cadence.Service, actor *cadence.Person, cmd Command, loc *time.Location) (Reply, error) {
	sn, ok := svc.(cadence.Snoozer)
	if !ok {
		return Reply{}, &userError{w.t("snooze_unsupported"), cadence.ErrInvalidInput}
	}
	st, err := svc.Status(ctx, actor.ID)
	if err != nil {
		return Reply{}, serviceError(VerbSnooze, err)
	}
	var pick *cadence.PendingPrompt
	for i := range st.Pending {
		p := &st.Pending[i]
		if p.Answered || (cmd.Ritual != "" && p.Ritual.ID != cmd.Ritual) {
			continue
		}
		if pick == nil || p.ClosesAt.Before(pick.ClosesAt) {
			pick = p
		}
	}
	if pick == nil {
		if cmd.Ritual != "" {
			return Reply{}, w.refuse("snooze_none_of", "Ritual", cmd.Ritual)
		}
		return Reply{}, w.refuse("snooze_none")
	}
	until, err := sn.SnoozePrompt(ctx, pick.Occurrence.ID, actor.ID, cmd.Snooze)
	if err != nil {
		return Reply{}, serviceError(VerbSnooze, err)
	}
	lines := []string{w.t("snoozed", "Close", w.time(pick.ClosesAt, loc))}
	if !until.Before(pick.ClosesAt) {
		lines[0] = cadence.UIText(string(w), "person_snooze.late", "Close", w.time(pick.ClosesAt, loc))
	}
	return Reply{Title: w.t("snoozed_title", "Ritual", pick.Ritual.Title, "Until", w.time(until, loc)), Lines: lines}, nil
}
