package cadence

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// QuestionType says what kind of answer a question takes. Answers are
// always stored as text (Response.Text), in a canonical form per type, so
// history, exports and summaries read every answer the same way:
//
//	text          what was typed
//	yes_no        "yes" or "no"
//	choice        the chosen option, as written in the config
//	multi_choice  the chosen options, one per line, in the config's order
//	scale         "1" to "5"
//	number        a decimal number ("3", "2.5", "-1")
type QuestionType string

const (
	QuestionText   QuestionType = "" // free text; "text" in config
	QuestionYesNo  QuestionType = "yes_no"
	QuestionChoice QuestionType = "choice"
	QuestionMulti  QuestionType = "multi_choice"
	QuestionScale  QuestionType = "scale"
	QuestionNumber QuestionType = "number"
)

// QuestionTypes lists the types as written in config, for error messages
// and editors.
var QuestionTypes = []string{"text", "yes_no", "choice", "multi_choice", "scale", "number"}

// ParseQuestionType reads a type as written in config ("" and "text" are
// free text).
func ParseQuestionType(s string) (QuestionType, bool) {
	switch t := QuestionType(s); t {
	case "", "text":
		return QuestionText, true
	case QuestionYesNo, QuestionChoice, QuestionMulti, QuestionScale, QuestionNumber:
		return t, true
	}
	return "", false
}

// String is the type as written in config.
func (t QuestionType) String() string {
	if t == QuestionText {
		return "text"
	}
	return string(t)
}

// Scale bounds: a 1–5 pulse ("How was your week?").
const (
	ScaleMin = 1
	ScaleMax = 5
)

// Limits on options, so every platform can show them natively (Slack's
// option text is at most 75 characters, a select at most 100 options).
const (
	MaxOptions   = 20
	MaxOptionLen = 75
)

// Yes and No are the canonical answers of a yes_no question.
const (
	Yes = "yes"
	No  = "no"
)

// Choices are the options a question offers: its own for choice and
// multi_choice, yes/no, and 1..5 for a scale; nil for text and number.
func (q *Question) Choices() []string {
	switch q.Type {
	case QuestionChoice, QuestionMulti:
		return q.Options
	case QuestionYesNo:
		return []string{Yes, No}
	case QuestionScale:
		out := make([]string, 0, ScaleMax-ScaleMin+1)
		for i := ScaleMin; i <= ScaleMax; i++ {
			out = append(out, strconv.Itoa(i))
		}
		return out
	}
	return nil
}

// ChoiceLabel is what a person sees for choice c of q: "Yes", "No", the
// scale's ends with the way it goes ("1 (low)", "5 (high)"), an option as
// written.
func (q *Question) ChoiceLabel(c string) string {
	switch {
	case q.Type == QuestionYesNo && c == Yes:
		return UIText(q.Lang, "question.yes")
	case q.Type == QuestionYesNo:
		return UIText(q.Lang, "question.no")
	case q.Type == QuestionScale && c == strconv.Itoa(ScaleMin):
		return UIText(q.Lang, "question.low", "N", c)
	case q.Type == QuestionScale && c == strconv.Itoa(ScaleMax):
		return UIText(q.Lang, "question.high", "N", c)
	}
	return c
}

// IsFollowUp reports whether q is asked only for some answers to another
// question.
func (q *Question) IsFollowUp() bool { return q.FollowUpOf != "" }

// Shown reports whether follow-up q applies given the answer (canonical
// text) to the question it follows: one of its When answers was given.
// For multi_choice, any chosen option counts. A question that follows
// nothing is always shown.
func (q *Question) Shown(parentAnswer string) bool {
	if !q.IsFollowUp() {
		return true
	}
	for _, got := range strings.Split(parentAnswer, "\n") {
		if got != "" && slices.Contains(q.When, got) {
			return true
		}
	}
	return false
}

// Hint is the line a form shows under a follow-up ("Only if Blocked? is
// yes"): forms on Slack, Teams and the web are not dynamic, so the
// question is always drawn and says when it applies.
func (q *Question) Hint(parent *Question) string {
	if !q.IsFollowUp() || parent == nil {
		return ""
	}
	when := make([]string, len(q.When))
	for i, w := range q.When {
		when[i] = w
		if parent.Type == QuestionYesNo && (w == Yes || w == No) {
			when[i] = UIText(q.Lang, "question.answered_"+w)
		}
	}
	return UIText(q.Lang, "question.only_if", "When", orList(q.Lang, when), "Question", parent.Text)
}

func orList(lang string, xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return UIText(lang, "question.or", "List", strings.Join(xs[:len(xs)-1], ", "), "Last", xs[len(xs)-1])
}

// QuestionProblem is one thing wrong with a question's definition; Field
// is the config key ("options", "when", ...).
type QuestionProblem struct {
	Field string
	Msg   string
}

// CheckQuestion checks q's type-specific settings against the questions
// defined before it (a follow-up must follow an earlier question). The
// config file and the ritual editor report the problems next to the
// field.
func CheckQuestion(q Question, earlier []Question) []QuestionProblem {
	var out []QuestionProblem
	add := func(field, format string, args ...any) {
		out = append(out, QuestionProblem{field, fmt.Sprintf(format, args...)})
	}
	switch q.Type {
	case QuestionChoice, QuestionMulti:
		switch {
		case len(q.Options) < 2:
			add("options", "a %s question needs at least two options, got %d", q.Type, len(q.Options))
		case len(q.Options) > MaxOptions:
			add("options", "%d options; the limit is %d", len(q.Options), MaxOptions)
		}
		seen := map[string]bool{}
		for i, o := range q.Options {
			switch {
			case strings.TrimSpace(o) != o || o == "":
				add("options", "option %d (%q) is empty or starts or ends with spaces", i+1, o)
			case strings.ContainsAny(o, "\n\r"):
				add("options", "option %d (%q) has a line break", i+1, o)
			case len([]rune(o)) > MaxOptionLen:
				add("options", "option %d is %d characters; the limit is %d", i+1, len([]rune(o)), MaxOptionLen)
			case seen[strings.ToLower(o)]:
				add("options", "option %q is listed twice", o)
			}
			seen[strings.ToLower(o)] = true
		}
	default:
		if len(q.Options) > 0 {
			add("options", "only choice and multi_choice questions take options; this one is %s", q.Type)
		}
	}
	if q.Type != QuestionNumber && (q.Min != nil || q.Max != nil) {
		add("min", "only number questions take min and max; this one is %s", q.Type)
	}
	if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
		add("max", "max (%s) is below min (%s)", fmtNumber(*q.Max), fmtNumber(*q.Min))
	}
	if q.Type != QuestionText && q.Plan {
		add("plan", "the plan question is shown back as text; make it a text question")
	}
	switch {
	case q.FollowUpOf == "" && len(q.When) > 0:
		add("when", "when needs follow_up_of: the question whose answers show this one")
	case q.FollowUpOf != "":
		var parent *Question
		for i := range earlier {
			if earlier[i].ID == q.FollowUpOf {
				parent = &earlier[i]
			}
		}
		switch {
		case q.FollowUpOf == q.ID:
			add("follow_up_of", "a question cannot follow itself")
		case parent == nil:
			add("follow_up_of", "%q is not a question listed before this one", q.FollowUpOf)
		case parent.IsFollowUp():
			add("follow_up_of", "%q is itself a follow-up; follow-ups go one level deep", q.FollowUpOf)
		case parent.Choices() == nil:
			add("follow_up_of", "%q is a %s question; a follow-up needs yes_no, choice, multi_choice or scale", q.FollowUpOf, parent.Type)
		case len(q.When) == 0:
			add("when", "list the answers to %q that show this question (e.g. when = [%q])", q.FollowUpOf, parent.Choices()[0])
		default:
			for _, w := range q.When {
				if !slices.Contains(parent.Choices(), w) {
					add("when", "%q is not an answer to %q; it takes %s", w, q.FollowUpOf, orList(DefaultLanguage, quoteAll(parent.Choices())))
				}
			}
		}
	}
	return out
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strconv.Quote(x)
	}
	return out
}

// canonical turns one answer into its stored form, or says why it is not
// an answer to q. Empty text is no answer (required is checked apart).
// Typed answers (a reply in a thread, a number with a comma) are read
// leniently: "Yes", "y", "2,5", an option in other case.
func (q *Question) canonical(text string) (string, string) {
	t := strings.TrimSpace(text)
	if t == "" || q.Type == QuestionText {
		return text, ""
	}
	switch q.Type {
	case QuestionYesNo:
		switch strings.ToLower(strings.Trim(t, ".!")) {
		case "yes", "y", "true", "on":
			return Yes, ""
		case "no", "n", "false", "off":
			return No, ""
		}
		return "", fmt.Sprintf("answer yes or no, not %q", t)
	case QuestionChoice:
		if o, ok := q.option(t); ok {
			return o, ""
		}
		return "", fmt.Sprintf("%q is not one of the options: %s", t, strings.Join(q.Options, ", "))
	case QuestionMulti:
		picked := map[string]bool{}
		for _, part := range strings.FieldsFunc(t, func(r rune) bool { return r == '\n' || r == '\r' }) {
			if strings.TrimSpace(part) == "" {
				continue
			}
			o, ok := q.option(part)
			if !ok {
				return "", fmt.Sprintf("%q is not one of the options: %s", strings.TrimSpace(part), strings.Join(q.Options, ", "))
			}
			picked[o] = true
		}
		var out []string
		for _, o := range q.Options {
			if picked[o] {
				out = append(out, o)
			}
		}
		return strings.Join(out, "\n"), ""
	case QuestionScale:
		n, err := strconv.Atoi(t)
		if err != nil || n < ScaleMin || n > ScaleMax {
			return "", fmt.Sprintf("answer with a whole number from %d to %d, not %q", ScaleMin, ScaleMax, t)
		}
		return strconv.Itoa(n), ""
	case QuestionNumber:
		f, err := strconv.ParseFloat(strings.ReplaceAll(t, ",", "."), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return "", fmt.Sprintf("answer with a number (e.g. 3 or 2.5), not %q", t)
		}
		if q.Min != nil && f < *q.Min {
			return "", fmt.Sprintf("%s is below the minimum, %s", fmtNumber(f), fmtNumber(*q.Min))
		}
		if q.Max != nil && f > *q.Max {
			return "", fmt.Sprintf("%s is above the maximum, %s", fmtNumber(f), fmtNumber(*q.Max))
		}
		return fmtNumber(f), ""
	}
	return text, ""
}

// option finds the option s names, ignoring case and surrounding space.
func (q *Question) option(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, o := range q.Options {
		if strings.EqualFold(o, s) {
			return o, true
		}
	}
	return "", false
}

// fmtNumber writes a number without a needless fraction: 3, 2.5.
func fmtNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// AnswerDisplay is the stored answer as people read it: the options of a
// multi_choice joined with commas.
func (q *Question) AnswerDisplay(text string) string {
	if q != nil && q.Type == QuestionMulti {
		return strings.ReplaceAll(text, "\n", ", ")
	}
	return text
}

// equalQuestion compares two questions field by field (Question holds
// slices, so == does not apply).
func equalQuestion(a, b Question) bool {
	return a.ID == b.ID && a.Text == b.Text && maps.Equal(a.Texts, b.Texts) && a.Required == b.Required && a.Blocker == b.Blocker && a.Plan == b.Plan &&
		a.Type == b.Type && slices.Equal(a.Options, b.Options) && equalBound(a.Min, b.Min) && equalBound(a.Max, b.Max) &&
		a.FollowUpOf == b.FollowUpOf && slices.Equal(a.When, b.When)
}

func equalBound(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// cloneQuestions copies qs deeply.
func cloneQuestions(qs []Question) []Question {
	if qs == nil {
		return nil
	}
	out := make([]Question, len(qs))
	for i, q := range qs {
		q.Options, q.When, q.Texts = slices.Clone(q.Options), slices.Clone(q.When), maps.Clone(q.Texts)
		if q.Min != nil {
			v := *q.Min
			q.Min = &v
		}
		if q.Max != nil {
			v := *q.Max
			q.Max = &v
		}
		out[i] = q
	}
	return out
}

// In is q as a reader of lang sees it: Text in lang when the config
// words it so, else as written. Other fields are shared, not copied.
func (q Question) In(lang string) Question {
	if t := q.Texts[lang]; t != "" {
		q.Text = t
	}
	q.Texts = nil
	if lang != DefaultLanguage {
		q.Lang = lang
	}
	return q
}

// In is r as a reader of lang sees it: its questions in lang (see
// Question.In). A shallow copy, for showing r, never for changing it.
func (r *Ritual) In(lang string) *Ritual {
	c := *r
	c.Questions = QuestionsIn(r.Questions, lang)
	return &c
}

// QuestionsIn is qs as a reader of lang sees them (see Question.In).
func QuestionsIn(qs []Question, lang string) []Question {
	if qs == nil {
		return nil
	}
	out := make([]Question, len(qs))
	for i, q := range qs {
		out[i] = q.In(lang)
	}
	return out
}
