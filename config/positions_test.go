package config

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tricky is valid TOML with the constructs that could fool a line scanner:
// brackets in comments and strings, multi-line strings, nested arrays,
// inline tables, dotted and quoted keys, nested arrays of tables.
const tricky = `# comment with [brackets] and "quotes" = 1
title = """multi
line [not = a table]
"""
[a]
"quoted key" = 1
b.c = 'lit' # dotted
arr = [
  [1, 2], # nested
  [3],
]
[[t]]
x = { y = 1, z = [ { w = 2 } ] }
[[t]]
x.y = "a \" [b"
[t.sub]
k = '''it's
[x]'''
[[t.list]]
n = 1
[[t.list]]
n = 2
dt = 1979-05-27 07:32:00
f = 1.5
`

func TestPositionsOfTrickyTOML(t *testing.T) {
	var v map[string]any
	_, err := toml.Decode(tricky, &v)
	require.NoError(t, err, "the fixture must be valid TOML")

	pos := scanPositions(tricky)
	want := map[string]int{
		"title": 2,
		"a":     5, "a.quoted key": 6, "a.b": 7, "a.b.c": 7,
		"a.arr": 8, "a.arr[0]": 9, "a.arr[0][0]": 9, "a.arr[0][1]": 9, "a.arr[1]": 10, "a.arr[1][0]": 10,
		"t": 12, "t[0]": 12,
		"t[0].x": 13, "t[0].x.y": 13, "t[0].x.z": 13, "t[0].x.z[0]": 13, "t[0].x.z[0].w": 13,
		"t[1]": 14, "t[1].x": 15, "t[1].x.y": 15, "t[1].sub": 16, "t[1].sub.k": 17,
		"t[1].list": 19, "t[1].list[0]": 19, "t[1].list[0].n": 20,
		"t[1].list[1]": 21, "t[1].list[1].n": 22, "t[1].list[1].dt": 23, "t[1].list[1].f": 24,
	}
	got := map[string]int{}
	for path := range want {
		got[path] = pos.line(path)
	}
	assert.Equal(t, want, got)

	assert.Equal(t, 21, pos.line("t[1].list[1].missing"), "a missing key is placed at its table")
	assert.Equal(t, 0, pos.line("nowhere"))
	assert.Equal(t, []string{"t[1].list[0].n", "t[1].list[1].n"}, pos.plain["t.list.n"])
	assert.Equal(t, []string{"a.quoted key"}, pos.plain[`a."quoted key"`], "plain keys are spelled as toml.Key.String does")
}

func TestParentPath(t *testing.T) {
	for in, want := range map[string]string{
		"rituals[2].questions[0].id": "rituals[2].questions[0]",
		"rituals[2].questions[0]":    "rituals[2].questions",
		"rituals[2]":                 "rituals",
		"rituals":                    "",
		"a.arr[0][1]":                "a.arr[0]",
	} {
		assert.Equal(t, want, parentPath(in), in)
	}
}

// Array elements are indexed as runs of lines: a long one-line array costs
// one entry, and elements across lines keep their own line.
func TestPositionsOfArrayElements(t *testing.T) {
	src := "x = [\n  1, 2,\n  3,\n]\ny = [" + strings.Repeat("{a = 1}, ", 100000) + "]\n"
	var v map[string]any
	_, err := toml.Decode(src, &v)
	require.NoError(t, err)
	pos := scanPositions(src)
	for path, want := range map[string]int{"x": 1, "x[0]": 2, "x[1]": 2, "x[2]": 3, "y": 5, "y[0]": 5, "y[99999]": 5, "y[99999].a": 5} {
		assert.Equal(t, want, pos.line(path), path)
	}
	assert.Len(t, pos.elems["y"], 1, "one run for a one-line array")
	assert.Len(t, pos.plain["y.a"], 100000, "every element's key, for unknown-key reports")
}

// Paths deeper than the schema's are not recorded; they are placed at
// their closest recorded ancestor.
func TestPositionsDeepPaths(t *testing.T) {
	src := "[a]\nb.c.d.e.f.g.h = 1\n"
	pos := scanPositions(src)
	assert.Equal(t, 2, pos.line("a.b.c.d.e.f.g.h"))
	assert.NotContains(t, pos.lines, "a.b.c.d.e.f.g.h")
}
