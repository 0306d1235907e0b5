package cadence

import (
	"encoding/csv"
	"io"
	"strconv"
)

// CSVWriter is a csv.Writer whose cells are neutralised against formula
// injection (OWASP, "CSV Injection"): a cell a spreadsheet would read as
// a formula (starting with =, +, -, @, a tab or a carriage return) is
// prefixed with a single quote, so an incident titled
// =HYPERLINK("https://evil",…) typed in chat stays text in
// incidents.csv. Numbers (-3, +1.5) are left alone: they are no formula.
type CSVWriter struct{ *csv.Writer }

// NewCSVWriter writes CSV to w with every cell neutralised.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{csv.NewWriter(w)} }

// Write writes one record; rec itself is not changed.
func (c *CSVWriter) Write(rec []string) error {
	out := make([]string, len(rec))
	for i, s := range rec {
		out[i] = SafeCSVCell(s)
	}
	return c.Writer.Write(out)
}

// SafeCSVCell is one cell as CSVWriter writes it.
func SafeCSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(s, 64); err == nil && s[0] != '=' && s[0] != '@' {
			return s
		}
		return "'" + s
	}
	return s
}
