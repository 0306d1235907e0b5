package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a config file, located by line and field path.
type Error struct {
	File  string
	Line  int    // 0 when the problem has no single place (a missing table)
	Field string // rituals[2].schedule; empty for file-level problems
	// Def is "ritual:ID" or "person:ID" when the problem is in a ritual or
	// person managed in the store (File is StoreName, Field relative to it).
	Def string
	Msg string
}

// Error renders "config.toml:42: rituals[1].schedule: msg", dropping the
// parts that are unknown.
func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Def != "" {
		b.WriteString(" " + e.Def)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file, in line order. Load and Parse
// return it as their error so a user can fix a file in one pass.
type Errors []Error

// MaxShownErrors is how many problems Errors.Error spells out; the rest
// are counted. A file with thousands of mistakes is fixed from the top.
const MaxShownErrors = 50

func (es Errors) Error() string {
	shown := es[:min(len(es), MaxShownErrors)]
	lines := make([]string, len(shown), len(shown)+1)
	for i, e := range shown {
		lines[i] = e.Error()
	}
	if n := len(es) - len(shown); n > 0 {
		lines = append(lines, fmt.Sprintf("… and %d more", n))
	}
	return strings.Join(lines, "\n")
}

// collector accumulates errors while a file is converted.
type collector struct {
	file  string
	src   string
	pos   *positions // scanned from src when first needed
	errs  Errors
	warns Errors
}

// positions indexes the source on first use: a valid file never needs
// it, and scanning a large roster cost a third of its load time.
func (c *collector) positions() *positions {
	if c.pos == nil {
		c.pos = scanPositions(c.src)
	}
	return c.pos
}

// add records a problem at field, located through the position index.
func (c *collector) add(field, format string, args ...any) {
	c.errs = append(c.errs, Error{File: c.file, Line: c.positions().line(field), Field: field, Msg: redactSecrets(fmt.Sprintf(format, args...))})
}

// warn records something legal but probably unintended; the file loads.
func (c *collector) warn(field, format string, args ...any) {
	c.warns = append(c.warns, Error{File: c.file, Line: c.positions().line(field), Field: field, Msg: redactSecrets(fmt.Sprintf(format, args...))})
}

// err returns the sorted errors, or nil when there are none.
func (c *collector) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	sortByLine(c.errs)
	return c.errs
}

func sortByLine(es Errors) {
	slices.SortStableFunc(es, func(a, b Error) int {
		// Errors without a line go last: they are about what is missing.
		la, lb := a.Line, b.Line
		if la == 0 {
			la = 1 << 30
		}
		if lb == 0 {
			lb = 1 << 30
		}
		return cmp.Compare(la, lb)
	})
}
