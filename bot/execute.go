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
	if IsUserError(err) {
		return ErrorReply(err), nil
	}
	return ErrorReply(err), err
}

// ErrorReply turns an error from ParseCommand or Execute into a reply:
// usage errors come with the verb's usage line; faults of the bot are not
// shown in detail.
func ErrorReply(err error) Reply {
	if !IsUserError(err) {
		return Reply{Title: "Something went wrong", Failed: true,
			Lines: []string{"The command could not run; the error has been logged. Please try again in a minute."}}
	}
	r := Reply{Title: "Sorry", Failed: true, Lines: []string{capitalize(err.Error())}}
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
			r.Lines = append(r.Lines, "Usage: "+u.Syntax+" — for example "+u.Example)
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
	if actor == nil {
		err := refuse("%s: you are not on the cadencebot roster; ask an admin to add you", cmd.Verb)
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
		return status(ctx, svc, actor, loc, now)
	case VerbOOO:
		return ooo(ctx, svc, actor, cmd, loc, now)
	case VerbSnooze:
		return snooze(ctx, svc, actor, cmd, loc)
	case VerbRitual:
		// Slack and Teams open their editor before Execute; here (the
		// local chat, or an adapter with forms off) say where it is.
		return Reply{Title: "Ritual editor", Lines: []string{
			"The ritual editor opens from /cadence ritual " + cmd.Sub + " in Slack, from \"ritual " + cmd.Sub + "\" said to the bot in Teams, and on the web admin page (/admin) for leads and admins.",
			"Rituals of the config file are edited in the file; it reloads on save.",
		}}, nil
	case VerbPerson:
		return personReply(ctx, svc, actor, cmd)
	case VerbSkip, VerbPause, VerbResume:
		if !actor.Role.CanRunRituals() {
			err := refuse("%s: only leads and admins can %s a ritual; you are a %s", cmd.Verb, cmd.Verb, roleName(actor.Role))
			auditRefusal(ctx, svc, actor.ID, cmd, "ritual:"+cmd.Ritual, err)
			return Reply{}, err
		}
		r, err := findRitual(svc, cmd)
		if err != nil {
			auditRefusal(ctx, svc, actor.ID, cmd, "ritual:"+cmd.Ritual, err)
			return Reply{}, err
		}
		return runRitualVerb(ctx, svc, actor, cmd, r, loc)
	case VerbReport:
		if !actor.Role.CanReadReports() {
			err := refuse("report: only leads, managers and admins can read the team report; you are a %s. /cadence status shows your own prompts", roleName(actor.Role))
			auditRefusal(ctx, svc, actor.ID, cmd, "report", err)
			return Reply{}, err
		}
		return report(ctx, svc, now, loc)
	}
	return HelpReply(string(cmd.Verb)), nil
}

func roleName(r cadence.Role) string {
	if r == "" {
		return "person without a role"
	}
	return string(r)
}

// findRitual resolves the typed ritual ID, case-insensitively, and lists
// the known ones when it fails.
func findRitual(svc cadence.Service, cmd Command) (*cadence.Ritual, error) {
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
	known := "none are configured"
	if len(ids) > 0 {
		known = "known rituals: " + strings.Join(ids, ", ")
	}
	return nil, &userError{fmt.Sprintf("%s: there is no ritual %q; %s", cmd.Verb, cmd.Ritual, known), cadence.ErrNotFound}
}

func runRitualVerb(ctx context.Context, svc cadence.Service, actor *cadence.Person, cmd Command, r *cadence.Ritual, loc *time.Location) (Reply, error) {
	var err error
	switch cmd.Verb {
	case VerbPause:
		if err = svc.Pause(ctx, actor.ID, r.ID); err == nil {
			return Reply{Title: "Paused " + r.Title, Lines: []string{
				fmt.Sprintf("%s will not open until someone runs /cadence resume %s.", r.Title, r.ID)}}, nil
		}
	case VerbResume:
		if err = svc.Resume(ctx, actor.ID, r.ID); err == nil {
			return Reply{Title: "Resumed " + r.Title, Lines: []string{
				fmt.Sprintf("%s opens again at its next scheduled time.", r.Title)}}, nil
		}
	case VerbSkip:
		var res *cadence.SkipResult
		if res, err = svc.Skip(ctx, actor.ID, r.ID, cmd.Reason); err == nil {
			return skipReply(r, res, cmd.Reason, loc), nil
		}
	}
	return Reply{}, serviceError(cmd.Verb, err)
}

func skipReply(r *cadence.Ritual, res *cadence.SkipResult, reason string, loc *time.Location) Reply {
	when := formatTime(res.Scheduled, loc)
	line := fmt.Sprintf("The %s of %s is skipped; participants are not expected to answer.", r.Title, when)
	if res.Next {
		line = fmt.Sprintf("The next %s (%s) will be skipped; participants will not be prompted.", r.Title, when)
	}
	out := Reply{Title: "Skipped " + r.Title, Lines: []string{line}}
	if reason != "" {
		out.Lines = append(out.Lines, "Reason: "+reason)
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

func ooo(ctx context.Context, svc cadence.Service, actor *cadence.Person, cmd Command, loc *time.Location, now time.Time) (Reply, error) {
	switch cmd.OOO {
	case "list":
		st, err := svc.Status(ctx, actor.ID)
		if err != nil {
			return Reply{}, serviceError(VerbOOO, err)
		}
		r := Reply{Title: "Your days out of office", Lines: []string{"None from today on. /cadence ooo FROM TO [note] to add some."}}
		if len(st.OutOfOffice) > 0 {
			r.Lines = nil
			for _, dr := range st.OutOfOffice {
				r.Lines = append(r.Lines, oooLine(dr))
			}
		}
		return r, nil
	case "cancel":
		dr, err := svc.CancelOutOfOffice(ctx, actor.ID, cmd.From)
		if err != nil {
			return Reply{}, serviceError(VerbOOO, err)
		}
		return Reply{Title: "Cancelled: out of office " + oooSpan(dr), Lines: []string{
			"You will be prompted again on those days. Rituals already open that excused you stay excused; you can still answer them.",
		}}, nil
	}
	today := cadence.DateOf(now.In(loc))
	if cmd.To.Before(today) {
		return Reply{}, &UsageError{VerbOOO, fmt.Sprintf("%s is in the past (today is %s in %s)", cmd.To, today, loc)}
	}
	if err := svc.SetOutOfOffice(ctx, actor.ID, cadence.DateRange{From: cmd.From, To: cmd.To, Note: cmd.Reason}); err != nil {
		return Reply{}, serviceError(VerbOOO, err)
	}
	return Reply{Title: "Out of office " + oooSpan(cadence.DateRange{From: cmd.From, To: cmd.To}), Lines: []string{
		fmt.Sprintf("You will not be prompted from %s to %s (both included, %s).", cmd.From, cmd.To, loc),
		"/cadence ooo list shows your days off; /cadence ooo cancel " + cmd.From.String() + " takes this back.",
	}}, nil
}

func oooSpan(dr cadence.DateRange) string {
	if dr.To == dr.From {
		return dr.From.String()
	}
	return dr.From.String() + " to " + dr.To.String()
}

func oooLine(dr cadence.DateRange) string {
	line := oooSpan(dr)
	if dr.Note != "" {
		line += " (" + dr.Note + ")"
	}
	return line
}

func status(ctx context.Context, svc cadence.Service, actor *cadence.Person, loc *time.Location, now time.Time) (Reply, error) {
	st, err := svc.Status(ctx, actor.ID)
	if err != nil {
		return Reply{}, serviceError(VerbStatus, err)
	}
	r := Reply{Title: "Your cadence"}
	pending := cadence.Section{Heading: "Waiting for your answer"}
	for _, p := range st.Pending {
		title := p.Occurrence.RitualID
		if p.Ritual != nil {
			title = p.Ritual.Title
		}
		closes := formatTime(p.ClosesAt, loc) + " (" + until(p.ClosesAt, now) + ")"
		if p.Answered {
			pending.Lines = append(pending.Lines, fmt.Sprintf("%s — answered; you can edit it until %s", title, closes))
		} else {
			pending.Lines = append(pending.Lines, fmt.Sprintf("%s — closes %s", title, closes))
		}
	}
	if len(pending.Lines) == 0 {
		pending.Lines = []string{"Nothing is waiting for you."}
	}
	next := cadence.Section{Heading: "Your next rituals"}
	for _, u := range st.Upcoming {
		line := fmt.Sprintf("%s — %s", u.Ritual.Title, formatTime(u.At, loc))
		switch {
		case u.Paused:
			line += " (paused)"
		case u.Away != nil:
			line += " (you are out of office: no prompt)"
		}
		next.Lines = append(next.Lines, line)
	}
	if len(next.Lines) == 0 {
		next.Lines = []string{"You are not a participant of any ritual."}
	}
	r.Sections = []cadence.Section{pending}
	if late := lateSection(st.Late, loc); len(late.Lines) > 0 {
		r.Sections = append(r.Sections, late)
	}
	r.Sections = append(r.Sections, next)
	if len(st.OutOfOffice) > 0 {
		away := cadence.Section{Heading: "Out of office"}
		for _, dr := range st.OutOfOffice {
			away.Lines = append(away.Lines, oooLine(dr))
		}
		r.Sections = append(r.Sections, away)
	}
	return r, nil
}

// lateSection lists what the person can still answer late.
func lateSection(ps []cadence.PendingPrompt, loc *time.Location) cadence.Section {
	s := cadence.Section{Heading: "You can still answer late"}
	for _, p := range ps {
		title := p.Occurrence.RitualID
		if p.Ritual != nil {
			title = p.Ritual.Title
		}
		s.Lines = append(s.Lines, fmt.Sprintf("%s of %s — closed %s; a late answer is taken until %s",
			title, formatTime(p.Occurrence.Scheduled, loc), formatTime(p.ClosesAt, loc), formatTime(p.LateUntil, loc)))
	}
	return s
}

func report(ctx context.Context, svc cadence.Service, now time.Time, loc *time.Location) (Reply, error) {
	from := now.AddDate(0, 0, -7*ReportWeeks)
	rep, err := svc.Report(ctx, cadence.ReportQuery{From: from, To: now})
	if err != nil {
		return Reply{}, serviceError(VerbReport, err)
	}
	r := Reply{
		Title: fmt.Sprintf("Team adherence, last %d weeks", ReportWeeks),
		Lines: []string{
			fmt.Sprintf("%s to %s", cadence.DateOf(from.In(loc)), cadence.DateOf(now.In(loc))),
			"Team score " + tallyLine(rep.Team),
		},
	}
	rituals := cadence.Section{Heading: "Per ritual"}
	for _, ra := range rep.Rituals {
		title := ra.Title
		if title == "" {
			title = ra.RitualID
		}
		rituals.Lines = append(rituals.Lines, title+": score "+tallyLine(ra.Tally))
	}
	if len(rituals.Lines) == 0 {
		rituals.Lines = []string{"No ritual was scheduled in this period."}
	}
	r.Sections = []cadence.Section{rituals}
	return r, nil
}

// tallyLine is "87 · 42/48 answered, 39 on time · 12 held, 1 missed, 1
// skipped · median answer after 1h5m".
func tallyLine(t cadence.Tally) string {
	s := fmt.Sprintf("%.0f · %d/%d answered, %d on time · %d held", t.Score, t.Answered, t.Expected, t.AnsweredOnTime, t.Held)
	if t.Missed > 0 {
		s += fmt.Sprintf(", %d missed", t.Missed)
	}
	if t.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", t.Skipped)
	}
	if t.MedianLatency > 0 {
		s += " · median answer after " + shortDuration(t.MedianLatency)
	}
	return s
}

// formatTime shows an instant in the reader's zone: "Mon 30 Nov 09:30 CET".
func formatTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 15:04 MST")
}

// until is "in 3h20m" or "2h ago".
func until(t, now time.Time) string {
	d := t.Sub(now)
	if d < 0 {
		return shortDuration(-d) + " ago"
	}
	return "in " + shortDuration(d)
}

// shortDuration rounds to minutes and drops zero units: 1h5m, 45m, 2d3h.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return "less than a minute"
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h, m := d/time.Hour, (d%time.Hour)/time.Minute
	var b strings.Builder
	if days > 0 {
		fmt.Fprintf(&b, "%dd", days)
	}
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 && days == 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	return b.String()
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

// refusalAuditor is the part of cadence.OpsService that records refusals
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
func snooze(ctx context.Context, svc cadence.Service, actor *cadence.Person, cmd Command, loc *time.Location) (Reply, error) {
	sn, ok := svc.(cadence.Snoozer)
	if !ok {
		return Reply{}, fmt.Errorf("snooze: this bot cannot snooze prompts: %w", cadence.ErrInvalidInput)
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
			return Reply{}, refuse("snooze: no open %s prompt waits for your answer", cmd.Ritual)
		}
		return Reply{}, refuse("snooze: no open prompt waits for your answer")
	}
	until, err := sn.SnoozePrompt(ctx, pick.Occurrence.ID, actor.ID, cmd.Snooze)
	if err != nil {
		return Reply{}, serviceError(VerbSnooze, err)
	}
	lines := []string{fmt.Sprintf("No reminders about it before then; it closes %s.", pick.ClosesAt.In(loc).Format("Mon 2 Jan 15:04 MST"))}
	if !until.Before(pick.ClosesAt) {
		lines[0] = fmt.Sprintf("It closes %s, before then: an answer after that counts as late.", pick.ClosesAt.In(loc).Format("Mon 2 Jan 15:04 MST"))
	}
	return Reply{Title: fmt.Sprintf("Snoozed %s until %s", pick.Ritual.Title, until.In(loc).Format("Mon 2 Jan 15:04 MST")), Lines: lines}, nil
}
