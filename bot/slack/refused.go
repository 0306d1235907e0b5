package slack

import (
	"errors"
	"fmt"
)

// ErrRefused marks a Start error that retrying cannot fix: Slack
// answered and refused a token, or Socket Mode is off for the app. Any
// other Start error means Slack could not be reached; the caller keeps
// the bot running and calls Start again.
var ErrRefused = errors.New("slack refused the app's credentials")

type refusal struct{ msg string }

func (e *refusal) Error() string        { return e.msg }
func (e *refusal) Is(target error) bool { return target == ErrRefused }

func refused(format string, a ...any) error { return &refusal{msg: fmt.Sprintf(format, a...)} }
