package slack

import (
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/cadence"
)

// maxHint is Slack's cap for an input block's hint.
const maxHint = 2000

// questionInput draws one question of an answer modal as the Block Kit
// input its type calls for: a multiline plain_text_input for text,
// radio_buttons for yes/no and the 1–5 scale, static_select for one
// choice, multi_static_select for several, number_input for a number.
// prev is the stored answer (canonical text) to pre-fill. Modals are not
// dynamic without a views.update round trip per click, so a follow-up is
// always drawn, optional for Slack, with a hint saying when it applies;
// the engine requires it only then (cadence.CanonicalResponses).
func questionInput(r *cadence.Ritual, q *cadence.Question, prev string) *slack.InputBlock {
	var el slack.BlockElement
	options := func() []*slack.OptionBlockObject {
		var out []*slack.OptionBlockObject
		for _, c := range q.Choices() {
			out = append(out, slack.NewOptionBlockObject(c, plain(q.ChoiceLabel(c)), nil))
		}
		return out
	}
	initial := func(opts []*slack.OptionBlockObject) []*slack.OptionBlockObject {
		var out []*slack.OptionBlockObject
		for _, v := range strings.Split(prev, "\n") {
			for _, o := range opts {
				if o.Value == v {
					out = append(out, o)
				}
			}
		}
		return out
	}
	switch q.Type {
	case cadence.QuestionYesNo, cadence.QuestionScale:
		opts := options()
		rb := slack.NewRadioButtonsBlockElement(answerActionID, opts...)
		if in := initial(opts); len(in) > 0 {
			rb.InitialOption = in[0]
		}
		el = rb
	case cadence.QuestionChoice:
		opts := options()
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(cadence.UIText(q.Lang, "question.choose_one")), answerActionID, opts...)
		if in := initial(opts); len(in) > 0 {
			sel.InitialOption = in[0]
		}
		el = sel
	case cadence.QuestionMulti:
		opts := options()
		sel := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain(cadence.UIText(q.Lang, "question.choose_any")), answerActionID, opts...)
		sel.InitialOptions = initial(opts)
		el = sel
	case cadence.QuestionNumber:
		num := slack.NewNumberInputBlockElement(nil, answerActionID, true)
		if q.Min != nil {
			num.MinValue = strconv.FormatFloat(*q.Min, 'f', -1, 64)
		}
		if q.Max != nil {
			num.MaxValue = strconv.FormatFloat(*q.Max, 'f', -1, 64)
		}
		num.InitialValue = prev
		el = num
	default:
		in := slack.NewPlainTextInputBlockElement(nil, answerActionID)
		in.Multiline = true
		in.MaxLength = maxInputLength
		in.InitialValue = truncate(prev, maxInputLength)
		el = in
	}
	blk := slack.NewInputBlock(questionBlockID(q.ID), plain(truncate(q.Text, maxInputLabel)), nil, el)
	blk.Optional = !q.Required || q.IsFollowUp()
	if h := q.Hint(r.Question(q.FollowUpOf)); h != "" {
		blk.Hint = plain(truncate(h, maxHint))
	}
	return blk
}

// answerValue reads one answer out of a submitted modal's state: typed
// text or number, the chosen option, or the chosen options one per line.
func answerValue(v slack.BlockAction) string {
	switch {
	case v.Type == slack.ActionType(slack.MultiOptTypeStatic) || len(v.SelectedOptions) > 0:
		var out []string
		for _, o := range v.SelectedOptions {
			out = append(out, o.Value)
		}
		return strings.Join(out, "\n")
	case v.SelectedOption.Value != "":
		return v.SelectedOption.Value
	}
	return v.Value
}
