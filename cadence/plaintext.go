package cadence

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TerminalSafe makes text typed by people safe to print on a terminal or
// in a one-line-per-entry listing: control characters (newlines, ESC and
// with it every ANSI sequence, C1 controls) and the bidirectional
// overrides that reorder what is shown become visible escapes (\n,
// \x1b, \u202e), and invalid UTF-8 becomes U+FFFD. An incident title
// carrying "\r\x1b[2K… ana approved REL-9" then cannot forge a line of
// `cadencebot audit`.
func TerminalSafe(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				b.WriteRune(utf8.RuneError)
			} else {
				b.WriteRune(r) // a real U+FFFD
			}
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f
}
