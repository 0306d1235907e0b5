package cadence

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Response is the text given to one question.
type Response struct {
	QuestionID string
	Text       string
}

// Answer is one person's answers for one occurrence. It is written to the
// store before the person is told it was received.
type Answer struct {
	OccurrenceID string
	RitualID     string
	PersonID     string
	Responses    []Response
	SubmittedAt  time.Time // first submission; latency is measured from the prompt to this
	UpdatedAt    time.Time // last edit
	Edits        int
	Via          string // "slack-modal", "slack-thread", "teams-card", "local-form", ...
}

// Text returns the response to question id, or "".
func (a *Answer) Text(id string) string {
	for _, r := range a.Responses {
		if r.QuestionID == id {
			return r.Text
		}
	}
	return ""
}

// HasBlocker reports whether any blocker question got a real answer.
func (a *Answer) HasBlocker(r *Ritual) bool {
	for _, q := range r.Questions {
		if q.Blocker && !isNone(a.Text(q.ID)) {
			return true
		}
	}
	return false
}

func isNone(s string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(s), ".!")) {
	case "", "none", "no", "nope", "n/a", "na", "-", "nothing":
		return true
	}
	return false
}

// ValidateResponses checks answers against the ritual's questions: unknown
// questions, required ones left empty, answers over MaxAnswerLen, and
// answers a typed question does not take (question.go). Errors are keyed
// by question ID.
func ValidateResponses(r *Ritual, rs []Response) error {
	_, err := CanonicalResponses(r, rs)
	return err
}

// CanonicalResponses validates rs like ValidateResponses and returns them
// with typed answers in their stored form ("Y" → "yes", "2,5" → "2.5"),
// in the order they came.
func CanonicalResponses(r *Ritual, rs []Response) ([]Response, error) {
	fe := FieldErrors{}
	got := map[string]string{}
	out := make([]Response, 0, len(rs))
	for _, x := range rs {
		if r.Question(x.QuestionID) == nil {
			fe[x.QuestionID] = "unknown question"
			continue
		}
		got[x.QuestionID] = x.Text
	}
	canon := map[string]string{}
	for _, q := range r.Questions {
		raw := got[q.ID]
		if !utf8.ValidString(raw) {
			// Bytes that are no text (a form posted in another encoding):
			// refused rather than stored mangled; the form keeps them.
			fe[q.ID] = "answer is not valid UTF-8 text (at byte " + strconv.Itoa(firstInvalid(raw)) + "): retype it or paste it as plain text"
			continue
		}
		if n := utf8.RuneCountInString(raw); n > MaxAnswerLen {
			fe[q.ID] = "answer is too long: " + strconv.Itoa(n) + " characters, the limit is " + strconv.Itoa(MaxAnswerLen)
			continue
		}
		c, msg := q.canonical(raw)
		if msg != "" {
			fe[q.ID] = msg
			continue
		}
		canon[q.ID] = c
		empty := strings.TrimSpace(c) == ""
		if q.IsFollowUp() {
			parent := r.Question(q.FollowUpOf)
			if _, bad := fe[q.FollowUpOf]; bad {
				continue // the parent's error says it; no guess about this one
			}
			if !q.Shown(canon[q.FollowUpOf]) {
				if !empty {
					fe[q.ID] = q.Hint(parent) + "; clear this answer or change that one"
				}
				continue
			}
		}
		if q.Required && empty {
			fe[q.ID] = "this question needs an answer"
		}
	}
	if len(fe) > 0 {
		return nil, fe
	}
	for _, x := range rs {
		out = append(out, Response{QuestionID: x.QuestionID, Text: canon[x.QuestionID]})
	}
	return out, nil
}

// firstInvalid is the byte offset of the first invalid UTF-8 sequence.
func firstInvalid(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return i
			}
		}
	}
	return len(s)
}
