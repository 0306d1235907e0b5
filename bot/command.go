// Package bot holds what every chat platform shares: the /cadence command
// grammar, its help text and its execution against a cadence.Service.
// Adapters (bot/slack, bot/teams, bot/local) turn the platform's input into
// text, call Run (or ParseCommand and Execute), and render the Reply.
package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/cadencebot/cadencebot/cadence"
)

// Verb is a /cadence subcommand.
type Verb string

const (
	VerbHelp   Verb = "help"
	VerbStatus Verb = "status"
	VerbSkip   Verb = "skip"
	VerbOOO    Verb = "ooo"
	VerbPause  Verb = "pause"
	VerbResume Verb = "resume"
	VerbReport Verb = "report"
	VerbSnooze Verb = "snooze"
	// VerbRitual opens the ritual editor; Slack and Teams answer it
	// before Execute (a modal, a card), Execute says where the editor is.
	VerbRitual Verb = "ritual"
	// VerbPerson opens the person editor (new, edit) or the removal
	// confirmation (remove); like ritual, Slack and Teams answer it
	// before Execute.
	VerbPerson Verb = "person"
)

// Command is one parsed /cadence invocation.
type Command struct {
	Verb Verb
	// Ritual is the ritual ID as typed (skip, pause, resume); Execute
	// resolves it against the service's rituals.
	Ritual string
	// Reason is the free text after the ritual (skip) or after the dates
	// (ooo).
	Reason string
	// From and To are the inclusive out-of-office range (ooo); From is
	// the day of `ooo cancel DATE`.
	From, To cadence.Date
	// OOO is "list" or "cancel" for those forms of ooo; "" sets a range.
	OOO string
	// Sub is "new" or "edit" (ritual); Ritual then holds the template or
	// the ritual id.
	Sub string
	// Person is the person id of `person edit|remove ID`; Sub then
	// holds "new", "edit" or "remove".
	Person string
	// Snooze is how long a prompt is put off (snooze): "1h" or "tomorrow".
	Snooze cadence.SnoozeFor
	// Unknown is the word that was not a verb, when the command fell back
	// to help.
	Unknown string
	// Ops holds the arguments of the MLOps verbs (ops.go).
	Ops *OpsArgs
}

// UsageError is a command typed wrongly. It names the verb and what was
// wrong; adapters show it with the verb's usage line.
type UsageError struct {
	Verb Verb
	Msg  string
}

func (e *UsageError) Error() string { return string(e.Verb) + ": " + e.Msg }

// Unwrap lets callers treat a usage error as bad input.
func (e *UsageError) Unwrap() error { return cadence.ErrInvalidInput }

// ParseCommand parses the text of a /cadence command, with or without the
// leading "/cadence". An empty text or an unknown verb is a help command;
// a known verb with wrong arguments is a *UsageError.
func ParseCommand(text string) (Command, error) {
	fields := splitFields(text)
	if len(fields) > 0 && strings.EqualFold(strings.TrimPrefix(fields[0], "/"), "cadence") {
		fields = fields[1:]
	}
	if len(fields) == 0 {
		return Command{Verb: VerbHelp}, nil
	}
	verb := Verb(strings.ToLower(fields[0]))
	args := fields[1:]
	switch verb {
	case VerbHelp, VerbStatus, VerbReport:
		// Extra words are harmless here ("help skip", "status please").
		return Command{Verb: verb}, nil
	case VerbSkip:
		if len(args) == 0 {
			return Command{}, &UsageError{verb, "want a ritual id, e.g. \"skip triage holiday week\""}
		}
		return Command{Verb: verb, Ritual: args[0], Reason: unquote(strings.Join(args[1:], " "))}, nil
	case VerbPause, VerbResume:
		if len(args) != 1 {
			return Command{}, &UsageError{verb, fmt.Sprintf("want exactly one ritual id, got %d words", len(args))}
		}
		return Command{Verb: verb, Ritual: args[0]}, nil
	case VerbOOO:
		return parseOOO(args)
	case VerbSnooze:
		return parseSnooze(args)
	case VerbRitual:
		return parseRitual(args)
	case VerbPerson:
		return parsePerson(args)
	}
	if cmd, ok, err := parseOps(verb, args); ok {
		return cmd, err
	}
	return Command{Verb: VerbHelp, Unknown: fields[0]}, nil
}

func parseOOO(args []string) (Command, error) {
	if len(args) > 0 {
		switch strings.ToLower(args[0]) {
		case "list":
			if len(args) > 1 {
				return Command{}, &UsageError{VerbOOO, fmt.Sprintf("list takes nothing more, got %s", gotWords(args[1:]))}
			}
			return Command{Verb: VerbOOO, OOO: "list"}, nil
		case "cancel":
			cmd := Command{Verb: VerbOOO, OOO: "cancel"}
			switch len(args) {
			case 1:
			case 2:
				d, err := cadence.ParseDate(args[1])
				if err != nil {
					return Command{}, &UsageError{VerbOOO, fmt.Sprintf("cancel takes a day YYYY-MM-DD in the range, got %q", args[1])}
				}
				cmd.From = d
			default:
				return Command{}, &UsageError{VerbOOO, fmt.Sprintf("cancel takes at most one day YYYY-MM-DD, got %s", gotWords(args[1:]))}
			}
			return cmd, nil
		}
	}
	if len(args) < 2 {
		return Command{}, &UsageError{VerbOOO, fmt.Sprintf("want two dates YYYY-MM-DD, got %s", gotWords(args))}
	}
	from, err := cadence.ParseDate(args[0])
	if err != nil {
		return Command{}, &UsageError{VerbOOO, fmt.Sprintf("want two dates YYYY-MM-DD, got %q as the first", args[0])}
	}
	to, err := cadence.ParseDate(args[1])
	if err != nil {
		return Command{}, &UsageError{VerbOOO, fmt.Sprintf("want two dates YYYY-MM-DD, got %q as the second", args[1])}
	}
	if to.Before(from) {
		return Command{}, &UsageError{VerbOOO, fmt.Sprintf("the range ends (%s) before it starts (%s)", to, from)}
	}
	if days := int(to.In(time.UTC).Sub(from.In(time.UTC)).Hours()/24) + 1; days > maxOOODays {
		return Command{}, &UsageError{VerbOOO, fmt.Sprintf("the range is %d days long; the limit is %d", days, maxOOODays)}
	}
	return Command{Verb: VerbOOO, From: from, To: to, Reason: unquote(strings.Join(args[2:], " "))}, nil
}

// maxOOODays bounds a range so a typo in the year ("2062") is caught.
const maxOOODays = 366

func gotWords(args []string) string {
	if len(args) == 0 {
		return "nothing"
	}
	return fmt.Sprintf("%q", strings.Join(args, " "))
}

// splitFields splits on white space, treating non-breaking spaces (which
// chat clients like to insert) as spaces too.
func splitFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' })
}

// unquote strips one pair of matching quotes around a reason; chat
// clients turn straight quotes into curly ones.
func unquote(s string) string {
	for _, q := range [][2]string{{`"`, `"`}, {`'`, `'`}, {"“", "”"}, {"‘", "’"}} {
		if len(s) >= len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) {
			return strings.TrimSpace(s[len(q[0]) : len(s)-len(q[1])])
		}
	}
	return s
}

// IsUserError reports whether err is meant for the person who typed the
// command (bad input, refused, unknown ritual, ...) rather than a fault of
// the bot, which adapters should log instead of showing.
func IsUserError(err error) bool {
	for _, e := range []error{cadence.ErrInvalidInput, cadence.ErrForbidden, cadence.ErrNotFound, cadence.ErrClosed, cadence.ErrConflict} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// parseSnooze reads `snooze [1h|tomorrow] [RITUAL]`.
func parseSnooze(args []string) (Command, error) {
	cmd := Command{Verb: VerbSnooze, Snooze: cadence.SnoozeHour}
	if len(args) > 0 {
		if d, ok := cadence.ParseSnoozeFor(strings.ToLower(args[0])); ok {
			cmd.Snooze, args = d, args[1:]
		}
	}
	switch len(args) {
	case 0:
	case 1:
		cmd.Ritual = args[0]
	default:
		return Command{}, &UsageError{VerbSnooze, fmt.Sprintf("want 1h or tomorrow, then at most a ritual id, got %s", gotWords(args))}
	}
	return cmd, nil
}

// parseRitual reads `ritual new [template]` and `ritual edit ID`; Ritual
// holds the template or the ID.
func parseRitual(args []string) (Command, error) {
	if len(args) == 0 {
		return Command{}, &UsageError{VerbRitual, "want new [template] or edit ID"}
	}
	switch sub := strings.ToLower(args[0]); {
	case sub == "new" && len(args) <= 2:
		cmd := Command{Verb: VerbRitual, Sub: sub}
		if len(args) == 2 {
			cmd.Ritual = args[1]
		}
		return cmd, nil
	case sub == "edit" && len(args) == 2:
		return Command{Verb: VerbRitual, Sub: sub, Ritual: args[1]}, nil
	case sub == "new" || sub == "edit":
		return Command{}, &UsageError{VerbRitual, fmt.Sprintf("%s takes %s, got %s", sub, map[string]string{"new": "at most a template name", "edit": "one ritual id"}[sub], gotWords(args[1:]))}
	}
	return Command{}, &UsageError{VerbRitual, fmt.Sprintf("%q is not new or edit", args[0])}
}

// parsePerson reads `person new`, `person edit ID` and `person remove ID`.
func parsePerson(args []string) (Command, error) {
	if len(args) == 0 {
		return Command{}, &UsageError{VerbPerson, "want new, edit ID or remove ID"}
	}
	switch sub := strings.ToLower(args[0]); {
	case sub == "new" && len(args) == 1:
		return Command{Verb: VerbPerson, Sub: sub}, nil
	case (sub == "edit" || sub == "remove") && len(args) == 2:
		return Command{Verb: VerbPerson, Sub: sub, Person: strings.ToLower(args[1])}, nil
	case sub == "new":
		return Command{}, &UsageError{VerbPerson, fmt.Sprintf("new takes nothing more (the id is typed in the form), got %s", gotWords(args[1:]))}
	case sub == "edit" || sub == "remove":
		return Command{}, &UsageError{VerbPerson, fmt.Sprintf("%s takes one person id, got %s", sub, gotWords(args[1:]))}
	}
	return Command{}, &UsageError{VerbPerson, fmt.Sprintf("%q is not new, edit or remove", args[0])}
}
