package cadence

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A ritual's checklist ("drift dashboards reviewed") is answered by its
// participants: every prompt asks each item as an optional question
// "check-1", "check-2", ..., answered "done", "not done", or with a
// comment, and the summary shows how much of the list got done. The
// agenda keeps listing the items under "Checklist".

const checklistPrefix = "check-"

// ChecklistQuestionID is the question ID of checklist item i (from 0):
// "check-1" for the first.
func ChecklistQuestionID(i int) string { return checklistPrefix + strconv.Itoa(i+1) }

// IsChecklistQuestion reports whether a question ID is reserved for a
// checklist item.
func IsChecklistQuestion(id string) bool { return strings.HasPrefix(id, checklistPrefix) }

// ChecklistQuestions turns checklist items into their questions.
func ChecklistQuestions(items []string) []Question {
	out := make([]Question, len(items))
	for i, item := range items {
		out[i] = Question{
			ID:   ChecklistQuestionID(i),
			Text: fmt.Sprintf("Checklist: %s. Done or not done? (a comment is welcome)", strings.TrimSpace(item)),
		}
	}
	return out
}

// withChecklist returns r with its checklist asked as questions after
// its own, as a copy: the caller's ritual is left as it was. A ritual
// that already carries exactly those questions is returned as is, so
// rituals taken from one engine can configure another.
func withChecklist(r *Ritual) (*Ritual, error) {
	want := ChecklistQuestions(r.Checklist)
	var own, got []Question
	for _, q := range r.Questions {
		if IsChecklistQuestion(q.ID) {
			got = append(got, q)
		} else {
			own = append(own, q)
		}
	}
	switch {
	case len(got) > 0 && !slices.EqualFunc(got, want, equalQuestion):
		return nil, fmt.Errorf("ritual %q: question id %q: ids starting with %q are reserved for checklist items", r.ID, got[0].ID, checklistPrefix)
	case len(got) > 0 || len(want) == 0:
		return r, nil
	}
	c := *r
	c.Questions = append(slices.Clip(own), want...)
	return &c, nil
}

// CheckMark is how a participant answered a checklist item.
type CheckMark int

const (
	CheckUnanswered CheckMark = iota
	CheckDone
	CheckNotDone
	CheckComment // neither done nor not done: a remark only
)

// Words that open an answer to a checklist item, longest first so "not
// done" wins over "no".
var (
	checkDoneWords    = []string{"completed", "complete", "checked", "done", "okay", "yes", "ok", "y", "✓", "✔", "✅"}
	checkNotDoneWords = []string{"not done", "not yet", "skipped", "nope", "todo", "no", "n", "✗", "✘", "❌"}
)

// ParseCheck reads an answer to a checklist item: "done", "yes" or "✓"
// mark it done, "not done", "no" or "not yet" not done, either followed
// by an optional remark ("not done: waiting for the eval set"); any other
// text is a comment, and empty text no answer.
func ParseCheck(text string) (CheckMark, string) {
	t := strings.TrimSpace(text)
	if t == "" {
		return CheckUnanswered, ""
	}
	for _, set := range []struct {
		mark  CheckMark
		words []string
	}{{CheckNotDone, checkNotDoneWords}, {CheckDone, checkDoneWords}} {
		for _, w := range set.words {
			if len(t) < len(w) || !strings.EqualFold(t[:len(w)], w) {
				continue
			}
			rest := t[len(w):]
			if r, _ := utf8.DecodeRuneInString(rest); unicode.IsLetter(r) || unicode.IsDigit(r) {
				continue // "none", "nothing", "okay": not the word itself
			}
			remark := strings.TrimFunc(rest, func(r rune) bool {
				return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '—' || r == '–'
			})
			return set.mark, remark
		}
	}
	return CheckComment, t
}

// checklistTally counts a checklist's items by how they were answered.
type checklistTally struct{ Done, Partial, Total int }

// in words the tally: "2 of 3 done", "1 of 3 done, 1 partly".
func (t checklistTally) in(w words) string {
	s := w.t("checklist.tally", "Done", t.Done, "Total", t.Total)
	if t.Partial > 0 {
		s += ", " + w.t("checklist.partly", "Partial", t.Partial)
	}
	return s
}

// checklistSection sums up the answers to r's checklist: per item, who
// marked it done or not done and their remarks. An item counts as done
// only when someone marked it done and nobody marked it not done; done
// by some and not done by others, it is partly done. The heading carries
// the tally.
func (c composer) checklistSection(w words, r *Ritual, o *Occurrence, byPerson map[string]*Answer) (Section, checklistTally) {
	tally := checklistTally{Total: len(r.Checklist)}
	var lines []string
	for i, item := range r.Checklist {
		id := ChecklistQuestionID(i)
		groups := map[CheckMark][]string{}
		for _, p := range o.Expected {
			a := byPerson[p]
			if a == nil {
				continue
			}
			mark, remark := ParseCheck(a.Text(id))
			if mark == CheckUnanswered {
				continue
			}
			who := c.name(p)
			if remark != "" {
				who += " (" + remark + ")"
			}
			groups[mark] = append(groups[mark], who)
		}
		sign := "–"
		switch {
		case len(groups[CheckDone]) > 0 && len(groups[CheckNotDone]) > 0:
			sign = "◐"
			tally.Partial++
		case len(groups[CheckDone]) > 0:
			sign = "✓"
			tally.Done++
		case len(groups[CheckNotDone]) > 0:
			sign = "✗"
		case len(groups[CheckComment]) > 0:
			sign = "?"
		}
		var parts []string
		for _, g := range []struct {
			mark  CheckMark
			label string
		}{{CheckDone, w.t("checklist.done")}, {CheckNotDone, w.t("checklist.not_done")}, {CheckComment, w.t("checklist.comments")}} {
			if who := groups[g.mark]; len(who) > 0 {
				parts = append(parts, g.label+": "+strings.Join(who, ", "))
			}
		}
		if len(parts) == 0 {
			parts = []string{w.t("checklist.no_answer")}
		}
		lines = append(lines, fmt.Sprintf("%s %s — %s", sign, strings.TrimSpace(item), strings.Join(parts, "; ")))
	}
	return Section{Heading: w.t("checklist.heading", "Tally", tally.in(w)), Lines: lines}, tally
}
