package local

import (
	"slices"
	"strconv"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// choiceView is one option of a radio group, check boxes or a select.
type choiceView struct {
	Value, Label string
	Checked      bool
}

// questionField picks the form control for q's type: radio buttons for
// yes/no and the 1–5 scale, a select for one choice, check boxes for
// several, a number input (step any, min and max) for a number, a
// textarea for text. f.Value (stored or typed) marks what is chosen. A
// plain HTML form is not dynamic (no script here), so a follow-up is
// always shown, with a hint saying when it applies; the engine requires
// it only then.
func questionField(r *cadence.Ritual, q *cadence.Question, f fieldView) fieldView {
	f.Hint = q.Hint(r.Question(q.FollowUpOf))
	chosen := strings.Split(f.Value, "\n")
	choices := func() []choiceView {
		var out []choiceView
		for _, c := range q.Choices() {
			out = append(out, choiceView{Value: c, Label: q.ChoiceLabel(c), Checked: slices.Contains(chosen, c)})
		}
		return out
	}
	switch q.Type {
	case cadence.QuestionYesNo, cadence.QuestionScale:
		f.Kind, f.Choices = "radio", choices()
	case cadence.QuestionChoice:
		f.Kind, f.Choices = "select", choices()
	case cadence.QuestionMulti:
		f.Kind, f.Choices = "checkbox", choices()
	case cadence.QuestionNumber:
		f.Kind = "number"
		if q.Min != nil {
			f.Min = strconv.FormatFloat(*q.Min, 'f', -1, 64)
		}
		if q.Max != nil {
			f.Max = strconv.FormatFloat(*q.Max, 'f', -1, 64)
		}
	}
	return f
}
