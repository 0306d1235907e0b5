package bot

import (
	"fmt"
	"strings"
)

// Usage describes one verb for the help text and for usage errors.
type Usage struct {
	Verb    Verb
	Syntax  string
	Summary string
	Example string
	// Who is empty when anyone may use the verb.
	Who string
}

// Usages lists every verb, in the order help shows them.
var Usages = []Usage{
	{VerbHelp, "help", "Show this list.", "/cadence help", ""},
	{VerbStatus, "status", "Your pending prompts and your next rituals, in your time zone.", "/cadence status", ""},
	{VerbSkip, "skip RITUAL [reason]", "Skip the open occurrence of a ritual, or the next one if none is open.", "/cadence skip triage team offsite", "leads and admins"},
	{VerbOOO, "ooo FROM TO [note] | list | cancel [DAY]", "Mark yourself out of office, both dates included (YYYY-MM-DD, your calendar); list your days off; cancel the current or next range, or the one containing DAY.", "/cadence ooo 2026-12-21 2027-01-02 holidays", ""},
	{VerbSnooze, "snooze [1h|tomorrow] [RITUAL]", "Put off your open prompt (the one closing first, or RITUAL's): reminded in an hour, or at 09:00 tomorrow in your zone (then the answer counts as late).", "/cadence snooze tomorrow standup", ""},
	{VerbPause, "pause RITUAL", "Stop a ritual from opening until it is resumed.", "/cadence pause standup", "leads and admins"},
	{VerbResume, "resume RITUAL", "Let a paused ritual open again at its next scheduled time.", "/cadence resume standup", "leads and admins"},
	{VerbRitual, "ritual new [TEMPLATE] | edit ID", "Create a ritual (blank, or from a template: triage, deployment-planning, quality-review, standup) or edit one made from chat or the web: a modal in Slack, a card in Teams.", "/cadence ritual new standup", "leads and admins"},
	{VerbPerson, "person new | edit ID | remove ID", "Add a person, change one made from chat or the web (roles, capabilities, zone, handles, language), or remove one: a modal in Slack, a card in Teams, the admin page here. Removing keeps their history and hands their open follow-ups to a ritual's lead, who is told.", "/cadence person edit ana", "leads and admins"},
	{VerbReport, "report", "Team adherence over the last 4 weeks, per ritual.", "/cadence report", "leads, managers and admins"},
}

// UsageOf returns the usage of a verb.
func UsageOf(v Verb) (Usage, bool) {
	for _, u := range allUsages() {
		if u.Verb == v {
			return u, true
		}
	}
	return Usage{}, false
}

// Line is the one-line form of a usage: "skip RITUAL [reason] — ... e.g. ...".
func (u Usage) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s", u.Syntax, u.Summary)
	if u.Who != "" {
		fmt.Fprintf(&b, " (%s only)", u.Who)
	}
	fmt.Fprintf(&b, " Example: %s", u.Example)
	return b.String()
}

// HelpReply lists every verb with an example. unknown, when set, is the
// word that was not understood.
func HelpReply(unknown string) Reply {
	r := Reply{Title: "cadencebot commands"}
	if unknown != "" {
		r.Failed = true
		r.Lines = append(r.Lines, fmt.Sprintf("I don't know the command %q. Here is what I understand:", unknown))
	}
	for _, u := range allUsages() {
		r.Lines = append(r.Lines, u.Line())
	}
	return r
}
