package dashboard

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cadencebot/cadencebot/cadence"
)

// Column describes one column of a Table.
type Column struct {
	Key     string // CSV header, JSON key and sort key: "on_time_pct"
	Label   string // HTML header: "On time"
	Numeric bool   // right-aligned; sorted as a number
	// PageHidden leaves the column out of the page but not the downloads:
	// a ritual's ID repeats its title on screen, yet scripts need it.
	PageHidden bool
	// Link shows an http(s) value as a short link instead of the full URL,
	// which alone made the incidents table wider than a laptop screen.
	Link bool
	// Heading marks the column that heads a row's card on a phone (the
	// person's name rather than their ID); default: the first shown.
	Heading bool
}

// Cell is one value. Value is what CSV and JSON carry (string, int,
// float64 or nil for "no value"); Text is what the page shows ("85.7%",
// "1h 5m") and defaults to the CSV form of Value.
type Cell struct {
	Value any
	Text  string
	// Mark flags the cell on the page (e.g. "below" the digest threshold).
	Mark string
}

// Table is the single shape behind every table on the dashboard: the
// page, the CSV and the JSON are all rendered from it, so a download holds
// exactly the rows the page shows.
type Table struct {
	ID      string // "people"; names the download files
	Title   string
	Columns []Column
	Rows    [][]Cell
	// Note explains the figures under the table on the page.
	Note string
}

// ColumnIndex returns the index of the column with the given key, or -1.
func (t *Table) ColumnIndex(key string) int {
	return slices.IndexFunc(t.Columns, func(c Column) bool { return c.Key == key })
}

// SortBy orders the rows by one column. Empty values sort last in both
// directions; ties keep the previous order, so callers build rows in a
// meaningful default order (by name) first.
func (t *Table) SortBy(key string, desc bool) error {
	i := t.ColumnIndex(key)
	if i < 0 {
		keys := make([]string, len(t.Columns))
		for j, c := range t.Columns {
			keys[j] = c.Key
		}
		return fmt.Errorf("unknown column %q (want one of %s)", key, strings.Join(keys, ", "))
	}
	slices.SortStableFunc(t.Rows, func(a, b []Cell) int {
		va, vb := a[i].Value, b[i].Value
		switch {
		case va == nil && vb == nil:
			return 0
		case va == nil:
			return 1
		case vb == nil:
			return -1
		}
		c := compareValues(va, vb)
		if desc {
			return -c
		}
		return c
	})
	return nil
}

func compareValues(a, b any) int {
	fa, oka := number(a)
	fb, okb := number(b)
	if oka && okb {
		return cmp.Compare(fa, fb)
	}
	return strings.Compare(strings.ToLower(valueString(a)), strings.ToLower(valueString(b)))
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// valueString is the CSV form of a value, also used as the page's
// data-value attribute so scripts and tests compare the same text.
func valueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// Display is the text the page shows for a cell.
func (c Cell) Display() string {
	if c.Text != "" {
		return c.Text
	}
	if c.Value == nil {
		return "—"
	}
	return valueString(c.Value)
}

// Raw is the CSV form of the cell's value.
func (c Cell) Raw() string { return valueString(c.Value) }

// WriteCSV writes a header row of column keys, then one record per row.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := cadence.NewCSVWriter(w)
	rec := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		rec[i] = c.Key
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, row := range t.Rows {
		for i, c := range row {
			rec[i] = c.Raw()
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// MarshalJSON renders {"id","title","columns":[...],"rows":[{key: value}]}
// with each row's keys in column order.
func (t *Table) MarshalJSON() ([]byte, error) {
	type col struct {
		Key   string `json:"key"`
		Label string `json:"label"`
		Type  string `json:"type"`
	}
	cols := make([]col, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = col{Key: c.Key, Label: c.Label, Type: "string"}
		if c.Numeric {
			cols[i].Type = "number"
		}
	}
	head, err := json.Marshal(struct {
		ID      string `json:"id"`
		Title   string `json:"title"`
		Columns []col  `json:"columns"`
	}{t.ID, t.Title, cols})
	if err != nil {
		return nil, err
	}
	// Rows are written by hand, keys in column order: encoding/json on
	// maps would sort the keys, and per-value Marshal calls dominated
	// the cost of a 500-person table.
	keys := make([][]byte, len(t.Columns))
	for i, c := range t.Columns {
		keys[i] = appendJSONString(nil, c.Key)
	}
	b := bytes.NewBuffer(make([]byte, 0, len(head)+len(t.Rows)*len(t.Columns)*24))
	b.Write(head[:len(head)-1])
	b.WriteString(`,"rows":[`)
	var scratch []byte
	for r, row := range t.Rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for i, c := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(keys[i])
			b.WriteByte(':')
			scratch, err = appendJSONValue(scratch[:0], c.Value)
			if err != nil {
				return nil, fmt.Errorf("table %s, column %s: %w", t.ID, t.Columns[i].Key, err)
			}
			b.Write(scratch)
		}
		b.WriteByte('}')
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

func appendJSONValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...), nil
		}
		return strconv.AppendFloat(b, x, 'f', -1, 64), nil
	}
	j, err := json.Marshal(v)
	return append(b, j...), err
}

// appendJSONString quotes s as encoding/json does, HTML-safe.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		case r == utf8.RuneError:
			b = append(b, `\ufffd`...)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
