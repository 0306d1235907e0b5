package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// timeKeyLayout is RFC 3339 in UTC with a fixed-width fraction, so byte
// order of keys is time order and cursors scan time ranges.
const timeKeyLayout = "2006-01-02T15:04:05.000000000Z"

const timeKeyLen = len(timeKeyLayout)

// sep joins the parts of composite keys. IDs that end a key may contain
// it; IDs in the middle of one are checked where that matters.
const sep = "/"

// timeKey encodes t as a sortable key part. Years outside 0000–9999 would
// break the fixed width, so they are refused.
func timeKey(what string, t time.Time) (string, error) {
	u := t.UTC()
	if y := u.Year(); y < 0 || y > 9999 {
		return "", fmt.Errorf("%s %s: year %d is outside 0000-9999: %w", what, t, y, cadence.ErrInvalidInput)
	}
	return u.Format(timeKeyLayout), nil
}

// boundKey is timeKey for the bounds of a scan: clamped, never refused.
func boundKey(t time.Time) string {
	u := t.UTC()
	switch {
	case u.Year() < 0:
		return ""
	case u.Year() > 9999:
		return "9999-12-31T23:59:59.999999999Z\xff"
	}
	return u.Format(timeKeyLayout)
}

// splitTimeKey splits "<time>/<rest>" into its parts.
func splitTimeKey(k []byte) (string, string, bool) {
	if len(k) < timeKeyLen+1 || string(k[timeKeyLen]) != sep {
		return "", "", false
	}
	return string(k[:timeKeyLen]), string(k[timeKeyLen+1:]), true
}

func join(parts ...string) []byte { return []byte(strings.Join(parts, sep)) }
