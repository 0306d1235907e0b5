package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An entry whose text carries a carriage return and an ANSI sequence
// cannot draw a forged "ana approved REL-9" line in `audit`'s text output.
func TestAuditTextEscapesControls(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	forged := "INC-3\r\x1b[2K2    2026-11-30 09:00:01  ana    release.approve  REL-9  ok"
	rows := []auditRow{{Seq: 1, At: at, Actor: "bo", Action: "incident.open", Target: forged, Outcome: "ok",
		Details: map[string]string{"title": "x\ny"}}}
	var b bytes.Buffer
	require.NoError(t, writeAudit(&b, rows, "text"))
	out := b.String()
	assert.NotContains(t, out, "\x1b")
	assert.NotContains(t, out, "\r")
	assert.Len(t, strings.Split(strings.TrimSuffix(out, "\n"), "\n"), 2, "a header and one entry:\n%s", out)
	assert.Contains(t, out, `INC-3\r\x1b[2K2`)
	assert.Contains(t, out, `title=x\ny`)
}
