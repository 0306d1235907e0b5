package cadence

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, checked with errors.Is. Adapters map them to
// platform-specific replies (HTTP status, ephemeral message, modal error).
var (
	ErrNotFound     = errors.New("not found")
	ErrForbidden    = errors.New("not allowed")
	ErrConflict     = errors.New("conflict")
	ErrClosed       = errors.New("occurrence is closed")
	ErrInvalidInput = errors.New("invalid input")
)

// FieldErrors reports validation failures keyed by field (for prompts, the
// question ID), so a modal or form can show each next to its input.
// It wraps ErrInvalidInput.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string {
	parts := make([]string, 0, len(fe))
	for _, k := range sortedKeys(fe) {
		parts = append(parts, fmt.Sprintf("%s: %s", k, fe[k]))
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

func (fe FieldErrors) Unwrap() error { return ErrInvalidInput }
