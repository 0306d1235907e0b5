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
// questions, required ones left empty, and answers over MaxAnswerLen.
// Errors are keyed by question ID.
func ValidateResponses(r *Ritual, rs []Response) error {
	fe := FieldErrors{}
	got := map[string]string{}
	for _, x := range rs {
		if r.Question(x.QuestionID) == nil {
			fe[x.QuestionID] = "unknown question"
			continue
		}
		got[x.QuestionID] = x.Text
	}
	for _, q := range r.Questions {
		t := strings.TrimSpace(got[q.ID])
		if q.Required && t == "" {
			fe[q.ID] = "this question needs an answer"
		}
		if !utf8.ValidString(got[q.ID]) {
			// Bytes that are no text (a form posted in another encoding):
			// refused rather than stored mangled; the form keeps them.
			fe[q.ID] = "answer is not valid UTF-8 text (at byte " + strconv.Itoa(firstInvalid(got[q.ID])) + "): retype it or paste it as plain text"
			continue
		}
		if n := utf8.RuneCountInString(got[q.ID]); n > MaxAnswerLen {
			fe[q.ID] = "answer is too long: " + strconv.Itoa(n) + " characters, the limit is " + strconv.Itoa(MaxAnswerLen)
		}
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
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
