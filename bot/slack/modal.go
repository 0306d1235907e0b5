package slack

import (
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/cadence"
)

const (
	// callbackAnswer identifies the answer modal in view_submission.
	callbackAnswer = "cadence_answer"
	// answerActionID is the action_id of every answer input; the block_id
	// (questionBlockID) tells the questions apart.
	answerActionID = "answer"
	// maxInputLength is Slack's cap for plain_text_input, below
	// cadence.MaxAnswerLen.
	maxInputLength = 3000
	maxModalTitle  = 24
	maxInputLabel  = 2000
	maxModalBlocks = 100
)

func questionBlockID(questionID string) string { return "q_" + questionID }

// answerModal is the modal a person answers a ritual's questions in:
// one input per question of the type it asks (questioninput.go), pre-filled with their previous answer
// when they edit it. private_metadata carries the occurrence ID. st says
// whether the answer is on time or late (after the person's close).
func answerModal(r *cadence.Ritual, occ *cadence.Occurrence, st cadence.AnswerState, prev *cadence.Answer, loc *time.Location) slack.ModalViewRequest {
	return answerModalIn(cadence.DefaultLanguage, r, occ, st, prev, loc)
}

// answerModalIn is answerModal with its own words (intro, buttons) in
// the person's language lang, and the questions as the config words
// them in lang.
func answerModalIn(lang string, r *cadence.Ritual, occ *cadence.Occurrence, st cadence.AnswerState, prev *cadence.Answer, loc *time.Location) slack.ModalViewRequest {
	r = r.In(lang)
	t := func(id string, kv ...any) string { return cadence.UIText(lang, id, kv...) }
	blocks := []slack.Block{}
	intro := fmt.Sprintf("*%s*", escape(r.Title))
	late := st.Mode == cadence.AnswerLate
	switch {
	case late:
		intro += " " + t("modal.closed", "Close", slackDate(st.ClosesAt, loc)) + "\n" +
			t("modal.late_until", "Until", slackDate(st.LateUntil, loc))
	case !st.ClosesAt.IsZero():
		intro += " · " + t("modal.closes", "Close", slackDate(st.ClosesAt, loc))
	}
	if prev != nil {
		intro += "\n_" + t("modal.answered_already") + "_"
	}
	blocks = append(blocks, slack.NewSectionBlock(markdown(intro), nil, nil))
	for i, q := range r.Questions {
		if i >= maxModalBlocks-1 {
			break
		}
		text := ""
		if prev != nil {
			text = prev.Text(q.ID)
		}
		blocks = append(blocks, questionInput(r, &r.Questions[i], text))
	}
	submit := t("modal.send")
	switch {
	case prev != nil:
		submit = t("modal.save")
	case late:
		submit = t("modal.send_late")
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(truncate(r.Title, maxModalTitle)),
		Submit:          plain(submit),
		Close:           plain(t("modal.cancel")),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: occ.ID,
		CallbackID:      callbackAnswer,
	}
}

// responses reads the answers out of a submitted answer modal, in the
// ritual's question order.
func responses(r *cadence.Ritual, st *slack.ViewState) []cadence.Response {
	var out []cadence.Response
	for _, q := range r.Questions {
		text := ""
		if st != nil {
			if v, ok := st.Values[questionBlockID(q.ID)][answerActionID]; ok {
				text = answerValue(v)
			}
		}
		out = append(out, cadence.Response{QuestionID: q.ID, Text: text})
	}
	return out
}

// submissionErrors maps a SubmitAnswer error to the modal's error
// messages, keyed by block id. A nil map means the modal may close.
func submissionErrors(r *cadence.Ritual, err error) map[string]string {
	if err == nil {
		return nil
	}
	first := ""
	if len(r.Questions) > 0 {
		first = questionBlockID(r.Questions[0].ID)
	}
	var fe cadence.FieldErrors
	if errors.As(err, &fe) {
		out := map[string]string{}
		for id, msg := range fe {
			if r.Question(id) != nil {
				out[questionBlockID(id)] = msg
			} else {
				out[first] = msg
			}
		}
		return out
	}
	msg := "Saving failed on our side; your text is still here, please try again in a minute."
	text, refused := cadence.RefusalText(err)
	switch {
	case refused:
		msg = text
	case errors.Is(err, cadence.ErrClosed):
		msg = "This ritual has closed: answers are no longer accepted."
	case errors.Is(err, cadence.ErrForbidden):
		msg = "You are not expected to answer this one."
	case errors.Is(err, cadence.ErrNotFound):
		msg = "This ritual occurrence no longer exists."
	case errors.Is(err, cadence.ErrInvalidInput):
		msg = err.Error()
	}
	return map[string]string{first: msg}
}

// slackDate shows t in each reader's own zone (Slack's date token), with
// a fallback in loc for clients that do not render it.
func slackDate(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	fb := t.In(loc).Format("Mon 2 Jan 15:04 MST")
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), fb)
}
