package teams

import "strconv"

// A card declares the lowest schema version whose features it uses, so a
// Teams client that is behind still renders it instead of the fallback
// text. What needs which version (adaptivecards.io schema explorer):
//
//	1.2  Container styles good/attention/warning/accent, bleed; action style
//	1.3  input label, isRequired, errorMessage; Action.Submit associatedInputs
//	1.5  Input.ChoiceSet style "filtered"
//
// Everything else cadencebot draws (TextBlock, Image, Input.Text,
// Action.Submit, Action.ShowCard) is 1.0.
func cardVersion(body, actions []any) string {
	return "1." + strconv.Itoa(max(minorOf(body), minorOf(actions)))
}

func minorOf(elems []any) int {
	v := 0
	for _, e := range elems {
		v = max(v, elemMinor(e))
	}
	return v
}

func elemMinor(e any) int {
	switch e := e.(type) {
	case textBlock, imageBlock:
		return 0
	case container:
		v := minorOf(e.Items)
		if e.Bleed || (e.Style != "" && e.Style != "default" && e.Style != "emphasis") {
			v = max(v, 2)
		}
		return v
	case inputText:
		if e.Label != "" || e.IsRequired || e.ErrorMessage != "" {
			return 3
		}
		return 0
	case inputNumber, inputDate:
		return 3 // label, isRequired and errorMessage
	case inputChoiceSet:
		if e.Style == "filtered" {
			return 5
		}
		return 3 // label, isRequired and errorMessage are always set
	case actionSubmit:
		switch {
		case e.AssociatedInputs != "":
			return 3
		case e.Style != "":
			return 2
		}
		return 0
	case actionShowCard:
		v := 0
		if e.Style != "" {
			v = 2
		}
		if e.Card != nil {
			v = max(v, minorOf(e.Card.Body), minorOf(e.Card.Actions))
		}
		return v
	}
	// An element this table does not know: claim the newest version Teams
	// renders rather than one that may be too low.
	return 5
}
