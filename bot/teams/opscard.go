package teams

import (
	"cmp"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The MLOps buttons of follow-up and release notices. A button that needs
// nothing more is an Action.Submit; one that needs an input first
// (ops.NeedsArg: the new owner of a follow-up, the reason of a
// rejection) is an Action.ShowCard that unfolds the input and its own
// submit under the card.

type actionShowCard struct {
	Type  string   `json:"type"`
	Title string   `json:"title"`
	Style string   `json:"style,omitempty"`
	Card  *subCard `json:"card"`
}

// subCard is the card an Action.ShowCard unfolds; Teams takes its schema
// version from the outer card.
type subCard struct {
	Type    string `json:"type"`
	Body    []any  `json:"body"`
	Actions []any  `json:"actions"`
}

type inputChoiceSet struct {
	Type         string   `json:"type"`
	ID           string   `json:"id"`
	Label        string   `json:"label"`
	Style        string   `json:"style"`
	IsRequired   bool     `json:"isRequired"`
	ErrorMessage string   `json:"errorMessage"`
	Placeholder  string   `json:"placeholder,omitempty"`
	Choices      []choice `json:"choices"`
	// IsMultiSelect and Value: questions (questioninput.go); a multiple
	// choice's value is its chosen values joined by commas.
	IsMultiSelect bool   `json:"isMultiSelect,omitempty"`
	Value         string `json:"value,omitempty"`
}

type choice struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// rosterChoices lists everyone on the roster, in roster order, for a
// Reassign picker; the domain decides who may own what.
func rosterChoices(r *cadence.Roster) []choice {
	var out []choice
	for _, p := range r.People() {
		out = append(out, choice{Title: cmp.Or(p.Name, p.ID), Value: p.ID})
	}
	return out
}

// argInputID names the input of one button's missing argument; it is
// unique per button, so two items on one card never share an input.
func argInputID(actionID, value string) string { return "arg_" + actionID + "_" + value }

// opsAction draws one MLOps button of message m.
func opsAction(m *cadence.Message, a cadence.Action, people []choice) any {
	submit := actionSubmit{Type: "Action.Submit", Title: a.Label, Style: actionStyle(a.Style),
		Data: submitData{Action: a.ID, Value: a.Value, Key: m.Key}}
	if !ops.NeedsArg(a.ID) {
		return submit
	}
	var input any
	switch a.ID {
	case ops.ActionFollowUpReassign:
		var cs []choice
		for _, c := range people {
			if c.Value != m.To.Person { // the owner the notice went to
				cs = append(cs, c)
			}
		}
		input = inputChoiceSet{Type: "Input.ChoiceSet", ID: argInputID(a.ID, a.Value), Label: "New owner of " + a.Value,
			Style: "filtered", IsRequired: true, ErrorMessage: "Choose who takes it over.", Placeholder: "Choose a person", Choices: cs}
		submit.Title = "Reassign " + a.Value
	default: // ops.ActionReleaseReject
		input = inputText{Type: "Input.Text", ID: argInputID(a.ID, a.Value), Label: "Why is " + a.Value + " rejected?",
			IsMultiline: true, IsRequired: true, ErrorMessage: "A rejection needs a reason.", MaxLength: ops.MaxTitleLen}
		submit.Title = "Reject " + a.Value
	}
	return actionShowCard{Type: "Action.ShowCard", Title: a.Label, Style: submit.Style,
		Card: &subCard{Type: "AdaptiveCard", Body: []any{input}, Actions: []any{submit}}}
}
