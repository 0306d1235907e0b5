package cadence_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/cadence"
)

func TestTerminalSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"drift on churn", "drift on churn"},
		{"Zürich ✓", "Zürich ✓"},
		{"x\r\x1b[2Kana approved REL-9", `x\r\x1b[2Kana approved REL-9`},
		{"two\nlines\tand tab", `two\nlines\tand tab`},
		{"\u202egnp.exe", `\u202egnp.exe`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"bad \xff byte", "bad \ufffd byte"},
		{"del\x7f", `del\x7f`},
	} {
		assert.Equal(t, tc.want, cadence.TerminalSafe(tc.in), "%q", tc.in)
	}
}

func TestReportTextEscapesControls(t *testing.T) {
	rep := &cadence.Report{People: []cadence.PersonAdherence{{PersonID: "eve", Name: "Eve\x1b[31m\nforged"}}}
	var b strings.Builder
	assert.NoError(t, cadence.WriteReport(&b, rep, "text"))
	assert.NotContains(t, b.String(), "\x1b")
	assert.Contains(t, b.String(), `Eve\x1b[31m\nforged`)
}
