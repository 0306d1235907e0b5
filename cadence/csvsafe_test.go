package cadence_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

func TestSafeCSVCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`=HYPERLINK("https://evil.example","click")`, `'=HYPERLINK("https://evil.example","click")`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(1+9)*cmd|' /C calc'!A0", "'@SUM(1+9)*cmd|' /C calc'!A0"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-3", "-3"},
		{"+1.5", "+1.5"},
		{"=1", "'=1"},
		{"drift on churn", "drift on churn"},
		{"", ""},
		{"a=b", "a=b"},
	} {
		assert.Equal(t, tc.want, cadence.SafeCSVCell(tc.in), "%q", tc.in)
	}
	var b bytes.Buffer
	w := cadence.NewCSVWriter(&b)
	rec := []string{"INC-1", "=HYPERLINK(\"x\")"}
	require.NoError(t, w.Write(rec))
	w.Flush()
	assert.Equal(t, "=HYPERLINK(\"x\")", rec[1], "the caller's record is untouched")
	got, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"INC-1", "'=HYPERLINK(\"x\")"}}, got)
}

// report --format csv: a name from the config that reads as a formula.
func TestReportCSVNeutralisesNames(t *testing.T) {
	rep := &cadence.Report{People: []cadence.PersonAdherence{{PersonID: "eve", Name: "=cmd|'/C calc'!A0"}}}
	var b bytes.Buffer
	require.NoError(t, cadence.WriteReport(&b, rep, "csv"))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Equal(t, "'=cmd|'/C calc'!A0", rows[2][2])
}
