package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The MLOps verbs: incidents, their follow-ups, the release lane and the
// audit log. They run on an OpsBackend, found on the cadence.Service the
// adapter holds (cmd/cadencebot passes a *ops.Service).
const (
	VerbIncident Verb = "incident"
	VerbFollowUp Verb = "followup"
	VerbRelease  Verb = "release"
	VerbAudit    Verb = "audit"
)

// OpsUsages are the usage lines of the MLOps verbs. They are kept apart
// from Usages, which platform command menus list (Teams allows ten).
var OpsUsages = []Usage{
	{VerbIncident, "incident new TITLE [--sev 1-4] [--owner @person] [--issue URL] | list [all] | show INC-N | close INC-N SUMMARY",
		"Open, list, show or close an incident.", "/cadence incident new Churn model drift --sev 2", ""},
	{VerbFollowUp, "followup add INC-N @owner YYYY-MM-DD TITLE [--issue URL] | done FU-N | drop FU-N REASON | reassign FU-N @person | snooze FU-N | list [mine|all]",
		"Action items on incidents; the owner gets reminders before the due date.", "/cadence followup add INC-3 @ana 2026-12-03 Tighten drift alert", ""},
	{VerbRelease, `release propose MODEL VERSION CHANGE RISK evidence=URL rollback="PLAN" contract=yes|no [note="..."] [planned=YYYY-MM-DD] | list [all] | show REL-N | approve REL-N | reject REL-N REASON | outcome REL-N shipped|rolled-back`,
		"The release lane: propose, approve (approvers only, not your own), record the outcome.",
		`/cadence release propose churn 2.3.0 retrain medium evidence=https://mlflow.example.com/runs/42 rollback="pin 2.2.1" contract=yes`, ""},
	{VerbOnCall, "oncall [ROTATION] | swap @a @b YYYY-MM-DD [ROTATION]",
		"Who is on call now and next, in your time zone; swap: @b takes @a's turn in force that day, @a takes @b's next one (leads, admins or the two of them).",
		"/cadence oncall swap @ana @bo 2026-12-14", ""},
	{VerbHandover, "handover @leaving @taking",
		"Move someone's open follow-ups, incidents, release proposals and facilitator and on-call turns to someone else; a summary goes to you both.",
		"/cadence handover @ana @bo", "leads and admins"},
	{VerbAudit, "audit [--verify] [--since YYYY-MM-DD]", "The latest audit entries, or a check of the whole hash chain.", "/cadence audit --verify", "leads, managers and admins"},
}

// allUsages is what help shows and usage errors look up.
func allUsages() []Usage { return append(append([]Usage(nil), Usages...), OpsUsages...) }

// OpsBackend is what the MLOps verbs call. *ops.Ops implements it,
// and so does *ops.Service through it.
type OpsBackend interface {
	OpenIncident(ctx context.Context, actorID string, in ops.IncidentInput) (*cadence.Incident, error)
	CloseIncident(ctx context.Context, actorID, id, summary string) (*cadence.Incident, error)
	Incidents(ctx context.Context, f cadence.IncidentFilter) ([]*cadence.Incident, error)
	Incident(ctx context.Context, id string) (*cadence.Incident, []*cadence.FollowUp, error)
	AddFollowUp(ctx context.Context, actorID string, in ops.FollowUpInput) (*cadence.FollowUp, error)
	CompleteFollowUp(ctx context.Context, actorID, id string) (*cadence.FollowUp, error)
	DropFollowUp(ctx context.Context, actorID, id, reason string) (*cadence.FollowUp, error)
	SnoozeFollowUp(ctx context.Context, actorID, id string) (*cadence.FollowUp, error)
	ReassignFollowUp(ctx context.Context, actorID, id, newOwner string) (*cadence.FollowUp, error)
	FollowUps(ctx context.Context, f cadence.FollowUpFilter) ([]*cadence.FollowUp, error)
	ProposeRelease(ctx context.Context, actorID string, in ops.ReleaseInput) (*cadence.Release, error)
	ApproveRelease(ctx context.Context, actorID, id string) (*cadence.Release, error)
	RejectRelease(ctx context.Context, actorID, id, reason string) (*cadence.Release, error)
	RecordReleaseOutcome(ctx context.Context, actorID, id string, outcome cadence.ReleaseStatus) (*cadence.Release, error)
	Releases(ctx context.Context, f cadence.ReleaseFilter) ([]*cadence.Release, error)
	Release(ctx context.Context, id string) (*cadence.Release, error)
	ApprovalsFor(r *cadence.Release) int
	Approvers() []string
	AuditLog(ctx context.Context, actorID string, since time.Time) ([]*cadence.AuditEntry, error)
	VerifyAuditLog(ctx context.Context, actorID string) (cadence.AuditVerification, error)
}

var (
	_ OpsBackend = (*ops.Ops)(nil)
	_ OpsBackend = (*ops.Service)(nil)
)

// OpsArgs are the arguments of an MLOps verb, as typed.
type OpsArgs struct {
	Sub      string // new, list, show, close, add, done, drop, reassign, snooze, propose, approve, reject, outcome
	ID       string // INC-3, FU-7, REL-2 as typed
	Title    string
	Text     string // summary or reason
	Severity int
	Owner    string // as typed: "@ana", "<@U0123|ana>"
	Due      cadence.Date
	Scope    string // list: "", "all" or "mine"
	Release  ops.ReleaseInput
	Outcome  cadence.ReleaseStatus
	Verify   bool
	Since    cadence.Date
	Issue    string // --issue URL: the tracker issue (Jira, GitHub, Linear)
	// People are the two people of oncall swap and handover, as typed.
	People []string
	// Rotation is the rotation id of oncall, as typed.
	Rotation string
}

// auditEntriesShown bounds `audit` without --since.
const auditEntriesShown = 20

// parseOps parses the MLOps verbs; ok is false for other verbs.
func parseOps(verb Verb, args []string) (cmd Command, ok bool, err error) {
	var a *OpsArgs
	switch verb {
	case VerbIncident:
		a, err = parseIncident(args)
	case VerbFollowUp:
		a, err = parseFollowUp(args)
	case VerbRelease:
		a, err = parseRelease(args)
	case VerbAudit:
		a, err = parseAudit(args)
	case VerbOnCall:
		a, err = parseOnCall(args)
	case VerbHandover:
		a, err = parseHandover(args)
	default:
		return Command{}, false, nil
	}
	if err != nil {
		return Command{}, true, err
	}
	return Command{Verb: verb, Ops: a}, true, nil
}

func usageErr(v Verb, format string, args ...any) error {
	return &UsageError{v, fmt.Sprintf(format, args...)}
}

func sub(v Verb, args []string, subs ...string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, usageErr(v, "want one of %s", strings.Join(subs, ", "))
	}
	s := strings.ToLower(args[0])
	for _, x := range subs {
		if s == x {
			return s, args[1:], nil
		}
	}
	return "", nil, usageErr(v, "%q is not one of %s", args[0], strings.Join(subs, ", "))
}

func parseIncident(args []string) (*OpsArgs, error) {
	s, rest, err := sub(VerbIncident, args, "new", "list", "show", "close")
	if err != nil {
		return nil, err
	}
	a := &OpsArgs{Sub: s}
	switch s {
	case "new":
		var words []string
		for i := 0; i < len(rest); i++ {
			switch strings.ToLower(rest[i]) {
			case "--sev", "--severity":
				if i+1 == len(rest) {
					return nil, usageErr(VerbIncident, "--sev wants a number from 1 (worst) to 4")
				}
				n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(rest[i+1]), "sev"))
				if err != nil || n < cadence.MinSeverity || n > cadence.MaxSeverity {
					return nil, usageErr(VerbIncident, "--sev wants a number from 1 (worst) to 4, got %q", rest[i+1])
				}
				a.Severity, i = n, i+1
			case "--owner":
				if i+1 == len(rest) {
					return nil, usageErr(VerbIncident, "--owner wants a person, e.g. --owner @ana")
				}
				a.Owner, i = rest[i+1], i+1
			case "--issue":
				if i+1 == len(rest) {
					return nil, usageErr(VerbIncident, "--issue wants the issue's https link, e.g. --issue https://github.com/org/repo/issues/42")
				}
				a.Issue, i = unlink(rest[i+1]), i+1
			default:
				words = append(words, rest[i])
			}
		}
		a.Title = unquote(strings.Join(words, " "))
		if a.Title == "" {
			return nil, usageErr(VerbIncident, "want a title, e.g. \"incident new Churn model drift\"")
		}
	case "list":
		if len(rest) > 0 && strings.EqualFold(rest[0], "all") {
			a.Scope = "all"
		}
	case "show":
		if len(rest) != 1 {
			return nil, usageErr(VerbIncident, "show wants one incident ID, e.g. INC-3")
		}
		a.ID = rest[0]
	case "close":
		if len(rest) < 2 {
			return nil, usageErr(VerbIncident, "close wants an incident ID and a summary, e.g. \"incident close INC-3 backfilled, alert added\"")
		}
		a.ID, a.Text = rest[0], unquote(strings.Join(rest[1:], " "))
	}
	return a, nil
}

func parseFollowUp(args []string) (*OpsArgs, error) {
	s, rest, err := sub(VerbFollowUp, args, "add", "done", "drop", "reassign", "snooze", "list")
	if err != nil {
		return nil, err
	}
	a := &OpsArgs{Sub: s}
	switch s {
	case "add":
		if len(rest) < 4 {
			return nil, usageErr(VerbFollowUp, "add wants INC-N @owner YYYY-MM-DD TITLE, got %s", gotWords(rest))
		}
		due, err := cadence.ParseDate(rest[2])
		if err != nil {
			return nil, usageErr(VerbFollowUp, "the due date must be YYYY-MM-DD, got %q", rest[2])
		}
		words := rest[3:]
		if i := slices.IndexFunc(words, func(w string) bool { return strings.EqualFold(w, "--issue") }); i >= 0 {
			if i+1 == len(words) {
				return nil, usageErr(VerbFollowUp, "--issue wants the issue's https link, e.g. --issue https://linear.app/acme/issue/ENG-7")
			}
			a.Issue = unlink(words[i+1])
			words = append(slices.Clone(words[:i]), words[i+2:]...)
		}
		if len(words) == 0 {
			return nil, usageErr(VerbFollowUp, "add wants INC-N @owner YYYY-MM-DD TITLE, got no title")
		}
		a.ID, a.Owner, a.Due, a.Title = rest[0], rest[1], due, unquote(strings.Join(words, " "))
	case "done", "snooze":
		if len(rest) != 1 {
			return nil, usageErr(VerbFollowUp, "%s wants one follow-up ID, e.g. FU-7", s)
		}
		a.ID = rest[0]
	case "drop":
		if len(rest) < 2 {
			return nil, usageErr(VerbFollowUp, "drop wants a follow-up ID and a reason, e.g. \"followup drop FU-7 duplicate of FU-5\"")
		}
		a.ID, a.Text = rest[0], unquote(strings.Join(rest[1:], " "))
	case "reassign":
		if len(rest) != 2 {
			return nil, usageErr(VerbFollowUp, "reassign wants a follow-up ID and a person, e.g. \"followup reassign FU-7 @bo\"")
		}
		a.ID, a.Owner = rest[0], rest[1]
	case "list":
		if len(rest) > 0 {
			switch strings.ToLower(rest[0]) {
			case "mine", "all":
				a.Scope = strings.ToLower(rest[0])
			default:
				return nil, usageErr(VerbFollowUp, "list takes \"mine\" or \"all\", got %q", rest[0])
			}
		}
	}
	return a, nil
}

func parseRelease(args []string) (*OpsArgs, error) {
	s, rest, err := sub(VerbRelease, args, "propose", "list", "show", "approve", "reject", "outcome")
	if err != nil {
		return nil, err
	}
	a := &OpsArgs{Sub: s}
	switch s {
	case "propose":
		in, err := parseProposal(rest)
		if err != nil {
			return nil, err
		}
		a.Release = in
	case "list":
		if len(rest) > 0 && strings.EqualFold(rest[0], "all") {
			a.Scope = "all"
		}
	case "show", "approve":
		if len(rest) != 1 {
			return nil, usageErr(VerbRelease, "%s wants one release ID, e.g. REL-2", s)
		}
		a.ID = rest[0]
	case "reject":
		if len(rest) < 2 {
			return nil, usageErr(VerbRelease, "reject wants a release ID and a reason, e.g. \"release reject REL-2 no canary plan\"")
		}
		a.ID, a.Text = rest[0], unquote(strings.Join(rest[1:], " "))
	case "outcome":
		if len(rest) != 2 {
			return nil, usageErr(VerbRelease, "outcome wants a release ID and shipped or rolled-back")
		}
		a.ID = rest[0]
		switch o := cadence.ReleaseStatus(strings.ToLower(rest[1])); o {
		case cadence.ReleaseShipped, cadence.ReleaseRolledBack:
			a.Outcome = o
		case "rolledback", "rollback", "rolled_back":
			a.Outcome = cadence.ReleaseRolledBack
		default:
			return nil, usageErr(VerbRelease, "the outcome is shipped or rolled-back, got %q", rest[1])
		}
	}
	return a, nil
}

// parseProposal reads MODEL VERSION CHANGE RISK and key=value options;
// values with spaces are quoted: rollback="pin 2.2.1 in the registry".
// Field checks (links, required fields) are the domain's: it answers
// with every problem at once.
func parseProposal(args []string) (ops.ReleaseInput, error) {
	var in ops.ReleaseInput
	toks, err := tokenize(strings.Join(args, " "))
	if err != nil {
		return in, usageErr(VerbRelease, "%v", err)
	}
	var pos []string
	contract := ""
	for _, tok := range toks {
		k, v, isOpt := strings.Cut(tok, "=")
		if !isOpt {
			pos = append(pos, tok)
			continue
		}
		switch strings.ToLower(k) {
		case "evidence", "eval":
			in.Evidence = v
		case "rollback":
			in.RollbackPlan = v
		case "contract":
			contract = strings.ToLower(v)
		case "note":
			in.DataContractNote = v
		case "notes":
			in.Notes = v
		case "planned":
			d, err := cadence.ParseDate(v)
			if err != nil {
				return in, usageErr(VerbRelease, "planned must be YYYY-MM-DD, got %q", v)
			}
			in.Planned = d
		default:
			return in, usageErr(VerbRelease, "unknown option %q; options are evidence, rollback, contract, note, notes, planned", k)
		}
	}
	if len(pos) != 4 {
		return in, usageErr(VerbRelease, "propose wants MODEL VERSION CHANGE RISK before the options, got %s", gotWords(pos))
	}
	in.Model, in.Version, in.Change, in.Risk = pos[0], pos[1], cadence.ChangeType(strings.ToLower(pos[2])), cadence.Risk(strings.ToLower(pos[3]))
	// A compliance check has no default: contract= is required.
	switch in.DataContract = ops.ParseContractCheck(contract); {
	case contract == "":
		return in, usageErr(VerbRelease, "say whether the data-contract check passed: contract=yes or contract=no (with note=\"why\")")
	case in.DataContract == "":
		return in, usageErr(VerbRelease, "contract is yes or no, got %q", contract)
	}
	return in, nil
}

// tokenize splits on spaces, keeping quoted runs ("…", '…', “…”) whole;
// quotes may start mid-token (key="a b").
func tokenize(s string) ([]string, error) {
	closing := map[rune]rune{'"': '"', '\'': '\'', '“': '”', '‘': '’'}
	var out []string
	var cur strings.Builder
	var in rune // the closing quote we are inside, or 0
	started := false
	for _, r := range s {
		switch {
		case in != 0 && r == in:
			in = 0
		case in != 0:
			cur.WriteRune(r)
		case closing[r] != 0:
			in, started = closing[r], true
		case r == ' ' || r == '\t' || r == '\u00a0':
			if started {
				out = append(out, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	if in != 0 {
		return nil, fmt.Errorf("a quote is not closed: %s", s)
	}
	if started {
		out = append(out, cur.String())
	}
	return out, nil
}

func parseAudit(args []string) (*OpsArgs, error) {
	a := &OpsArgs{}
	for i := 0; i < len(args); i++ {
		switch strings.ToLower(args[i]) {
		case "--verify", "verify":
			a.Verify = true
		case "--since":
			if i+1 == len(args) {
				return nil, usageErr(VerbAudit, "--since wants a date YYYY-MM-DD")
			}
			d, err := cadence.ParseDate(args[i+1])
			if err != nil {
				return nil, usageErr(VerbAudit, "--since wants a date YYYY-MM-DD, got %q", args[i+1])
			}
			a.Since, i = d, i+1
		default:
			return nil, usageErr(VerbAudit, "unknown argument %q", args[i])
		}
	}
	return a, nil
}

// unlink reads a URL as typed or as Slack sends it: "<https://…>" or
// "<https://…|label>" in a slash command's text.
func unlink(s string) string {
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
		s, _, _ = strings.Cut(s, "|")
	}
	return s
}
