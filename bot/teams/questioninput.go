package teams

import (
	"slices"
	"strconv"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// inputNumber is Adaptive Cards' Input.Number.
type inputNumber struct {
	Type         string   `json:"type"`
	ID           string   `json:"id"`
	Label        string   `json:"label"`
	IsRequired   bool     `json:"isRequired,omitempty"`
	ErrorMessage string   `json:"errorMessage,omitempty"`
	Min          *float64 `json:"min,omitempty"`
	Max          *float64 `json:"max,omitempty"`
	Value        *float64 `json:"value,omitempty"`
}

// questionInput draws one question as the Adaptive Card input its type
// calls for: Input.Text for text, Input.ChoiceSet expanded (radio
// buttons) for yes/no and the 1–5 scale, compact (a drop-down) for one
// choice, expanded multi-select (check boxes) for several, Input.Number
// for a number. value is the stored (canonical) answer or what was just
// typed. Yes/no is a choice set rather than Input.Toggle: a toggle always
// submits on or off, so "not answered" could not be told from "no".
//
// Cards are not dynamic (Teams ignores visibility bound to inputs), so a
// follow-up is always drawn, never required by the card, with a line
// saying when it applies; the engine requires it only then.
//
// clientRequired false leaves isRequired off (a card whose ShowCard submit
// would otherwise be blocked by them; the engine still checks).
func questionInput(qs []cadence.Question, q *cadence.Question, value string, clientRequired bool) []any {
	id := inputPrefix + q.ID
	required := q.Required && !q.IsFollowUp() && clientRequired
	needed := cadence.UIText(q.Lang, "question.needed")
	var in any
	switch q.Type {
	case cadence.QuestionYesNo, cadence.QuestionScale, cadence.QuestionChoice, cadence.QuestionMulti:
		cs := inputChoiceSet{Type: "Input.ChoiceSet", ID: id, Label: q.Text, Style: "expanded", IsRequired: required,
			IsMultiSelect: q.Type == cadence.QuestionMulti, Value: choiceWire(q, value)}
		if required {
			cs.ErrorMessage = needed
		}
		if q.Type == cadence.QuestionChoice {
			cs.Style, cs.Placeholder = "compact", cadence.UIText(q.Lang, "question.choose_one")
		}
		for i, c := range q.Choices() {
			cs.Choices = append(cs.Choices, choice{Title: q.ChoiceLabel(c), Value: choiceValue(q, i, c)})
		}
		in = cs
	case cadence.QuestionNumber:
		n := inputNumber{Type: "Input.Number", ID: id, Label: q.Text, IsRequired: required, Min: q.Min, Max: q.Max}
		if f, err := strconv.ParseFloat(value, 64); err == nil {
			n.Value = &f
		}
		if required {
			n.ErrorMessage = needed
		}
		in = n
	default:
		t := inputText{Type: "Input.Text", ID: id, Label: q.Text, IsMultiline: true, MaxLength: cadence.MaxAnswerLen, Value: value}
		if required {
			t.IsRequired, t.ErrorMessage = true, needed
		}
		in = t
	}
	out := []any{in}
	if i := slices.IndexFunc(qs, func(x cadence.Question) bool { return x.ID == q.FollowUpOf }); i >= 0 {
		out = append(out, textBlock{Type: "TextBlock", Text: mdText(q.Hint(&qs[i])), Wrap: true, Size: "Small", IsSubtle: true, Spacing: "None"})
	}
	return out
}

// choiceValue is what a choice submits: the option itself, except in a
// multi-select, whose values Teams joins with commas; there it is the
// option's index, so options may hold commas.
func choiceValue(q *cadence.Question, i int, c string) string {
	if q.Type == cadence.QuestionMulti {
		return strconv.Itoa(i)
	}
	return c
}

// choiceWire turns a canonical answer into the choice set's value.
func choiceWire(q *cadence.Question, canonical string) string {
	if q.Type != cadence.QuestionMulti || canonical == "" {
		return canonical
	}
	var idx []string
	for _, v := range strings.Split(canonical, "\n") {
		if i := slices.Index(q.Options, v); i >= 0 {
			idx = append(idx, strconv.Itoa(i))
		}
	}
	return strings.Join(idx, ",")
}

// fromWire reads what a card submitted for q back as answer text: the
// indices of a multi-select become the options, one per line; anything
// else is left for the engine to check.
func fromWire(q *cadence.Question, v string) string {
	if q == nil || q.Type != cadence.QuestionMulti || v == "" {
		return v
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		i, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || i < 0 || i >= len(q.Options) {
			out = append(out, s) // not ours: the engine names it
			continue
		}
		out = append(out, q.Options[i])
	}
	return strings.Join(out, "\n")
}
