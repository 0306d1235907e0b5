package cadence

import (
	"errors"
	"fmt"
)

// refusal is a refusal worded for the person: its text carries no
// sentinel suffix, and errors.Is still finds the sentinel.
type refusal struct {
	msg  string
	kind error
	// field and text are set for bad input about one field (Fieldf).
	field, text string
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.kind }

// Refusef is a refusal of kind (ErrForbidden, ErrInvalidInput,
// ErrNotFound, ErrConflict) worded for the person; exported so the ops
// service refuses the way the engine does.
func Refusef(kind error, format string, args ...any) error {
	return &refusal{msg: fmt.Sprintf(format, args...), kind: kind}
}

// Fieldf is a bad-input refusal about one input field: "due: 2026-11-29
// is in the past". Forms show it next to the field (ErrorField).
func Fieldf(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &refusal{msg: field + ": " + msg, kind: ErrInvalidInput, field: field, text: msg}
}

// ErrorField tells a form which input an error is about: the field name
// ("owner", "due", "title", "severity", "link", "summary", "reason",
// "outcome") and the message without it. ok is false for other errors.
// Release proposals report FieldErrors instead, one message per field.
func ErrorField(err error) (field, msg string, ok bool) {
	var r *refusal
	if errors.As(err, &r) && r.field != "" {
		return r.field, r.text, true
	}
	return "", "", false
}
