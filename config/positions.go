package config

import (
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// positions maps a field path such as "rituals[2].schedule" or
// "people[0].out_of_office[1].to" to the line where it is written.
//
// BurntSushi/toml keeps key positions private, and keys them without the
// index of an array of tables (all [[people]] share "people.name"), so it
// cannot tell which person a bad value belongs to. This small scanner walks
// the same source again, after toml has accepted it, and records the line
// of every table header, key and array element with full indices.
//
// It runs in time linear in the source, whatever the source: tokens are
// read one at a time, only paths as deep as the schema's are recorded
// (deeper ones are placed at their closest recorded ancestor), and array
// elements are kept as runs of lines, so "x = [1, 1, …]" costs one entry.
type positions struct {
	lines map[string]int
	// elems holds, per array path, the lines of its elements: run i says
	// elements from runs[i].idx on start on runs[i].line.
	elems map[string][]elemRun
	// plain maps an index-free key ("people.nmae", as toml.Key.String
	// spells it) to every indexed path that spells it.
	plain map[string][]string
}

type elemRun struct{ idx, line int }

// maxRecordedSegments is the depth of the deepest path the schema has,
// rituals[0].questions[1].id, with one level to spare for unknown keys.
// maxRecordedKey bounds the bytes of a recorded path's keys.
const (
	maxRecordedSegments = 6
	maxRecordedKey      = 256
)

// line returns the line of path, or of its closest recorded ancestor, or 0.
func (p *positions) line(path string) int {
	for path != "" {
		if l, ok := p.lines[path]; ok {
			return l
		}
		if arr, idx, ok := splitIndex(path); ok {
			if runs := p.elems[arr]; len(runs) > 0 && runs[0].idx <= idx {
				i := sort.Search(len(runs), func(i int) bool { return runs[i].idx > idx })
				return runs[i-1].line
			}
		}
		path = parentPath(path)
	}
	return 0
}

// splitIndex splits "a.b[12]" into "a.b" and 12.
func splitIndex(path string) (string, int, bool) {
	if !strings.HasSuffix(path, "]") {
		return "", 0, false
	}
	i := strings.LastIndexByte(path, '[')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(path[i+1 : len(path)-1])
	return path[:i], n, err == nil
}

// parentPath drops the last segment: "a[1].b" → "a[1]" → "a" → "".
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokNewline
	tokPunct  // one of [ ] { } = , .
	tokString // a quoted string; val holds the decoded text for keys
	tokBare   // a bare key or the text of a scalar value
)

type token struct {
	kind tokKind
	val  string
	line int
	off  int // byte offset, to tell "[[" from "[ ["
}

// scanPositions indexes src, which must already be valid TOML.
func scanPositions(src string) *positions {
	s := &posScanner{
		lx:     lexer{src: src, line: 1},
		pos:    &positions{lines: map[string]int{}, elems: map[string][]elemRun{}, plain: map[string][]string{}},
		counts: map[string]int{},
	}
	s.cur = s.lx.next()
	s.document()
	return s.pos
}

// lexer reads src one token at a time, so a scan holds one token, not a
// slice as long as the file.
type lexer struct {
	src  string
	i    int
	line int
}

func (lx *lexer) next() token {
	src := lx.src
	for lx.i < len(src) {
		c := src[lx.i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			lx.i++
		case c == '\n':
			t := token{kind: tokNewline, line: lx.line, off: lx.i}
			lx.line++
			lx.i++
			return t
		case c == '#':
			for lx.i < len(src) && src[lx.i] != '\n' {
				lx.i++
			}
		case strings.IndexByte("[]{}=,.", c) >= 0:
			lx.i++
			return token{kind: tokPunct, val: src[lx.i-1 : lx.i], line: lx.line, off: lx.i - 1}
		case c == '"' || c == '\'':
			start, startLine := lx.i, lx.line
			end := stringEnd(src, lx.i)
			raw := src[start:end]
			lx.line += strings.Count(raw, "\n")
			lx.i = end
			return token{kind: tokString, val: unquoteKey(raw), line: startLine, off: start}
		default:
			start := lx.i
			for lx.i < len(src) && strings.IndexByte(" \t\r\n#[]{}=,.\"'", src[lx.i]) < 0 {
				lx.i++
			}
			return token{kind: tokBare, val: src[start:lx.i], line: lx.line, off: start}
		}
	}
	return token{kind: tokEOF, line: lx.line, off: len(src)}
}

// stringEnd returns the offset just past the string literal starting at i.
func stringEnd(src string, i int) int {
	q := src[i]
	if strings.HasPrefix(src[i:], strings.Repeat(string(q), 3)) {
		j := i + 3
		for j < len(src) {
			if q == '"' && src[j] == '\\' {
				j += 2
				continue
			}
			if strings.HasPrefix(src[j:], `"""`) && q == '"' || strings.HasPrefix(src[j:], `'''`) && q == '\'' {
				// Up to two quotes may directly precede the closing three.
				j += 3
				for k := 0; k < 2 && j < len(src) && src[j] == q; k++ {
					j++
				}
				return j
			}
			j++
		}
		return len(src)
	}
	j := i + 1
	for j < len(src) && src[j] != q && src[j] != '\n' {
		if q == '"' && src[j] == '\\' {
			j++
		}
		j++
	}
	return min(j+1, len(src))
}

// unquoteKey decodes a single-line quoted key; values are not needed.
func unquoteKey(raw string) string {
	if strings.HasPrefix(raw, "'") {
		return strings.Trim(raw, "'")
	}
	if s, err := strconv.Unquote(raw); err == nil {
		return s
	}
	return strings.Trim(raw, `"`)
}

type posScanner struct {
	lx     lexer
	cur    token
	pos    *positions
	counts map[string]int // path of an array of tables → elements so far
	table  []seg          // current table, with indices
}

// seg is one path segment: a key, or an array index when idx >= 0.
type seg struct {
	key string
	idx int
}

func keySeg(k string) seg { return seg{key: k, idx: -1} }
func idxSeg(n int) seg    { return seg{idx: n} }

func (s *posScanner) peek() token { return s.cur }

func (s *posScanner) next() token {
	t := s.cur
	if t.kind != tokEOF {
		s.cur = s.lx.next()
	}
	return t
}

func (s *posScanner) punct(v string) bool {
	t := s.peek()
	return t.kind == tokPunct && t.val == v
}

func (s *posScanner) skipNewlines() {
	for s.peek().kind == tokNewline {
		s.next()
	}
}

func (s *posScanner) document() {
	for {
		s.skipNewlines()
		switch {
		case s.peek().kind == tokEOF:
			return
		case s.punct("["):
			s.header()
		default:
			s.keyValue(s.table)
		}
		// Skip anything left on the line (valid TOML leaves nothing).
		for k := s.peek().kind; k != tokNewline && k != tokEOF; k = s.peek().kind {
			s.next()
		}
	}
}

// header handles [a.b] and [[a.b]].
func (s *posScanner) header() {
	open := s.next()
	array := s.punct("[") && s.peek().off == open.off+1
	if array {
		s.next()
	}
	keys := s.dottedKey()
	s.next() // ]
	if array {
		s.next() // the second ]
	}
	var path []seg
	for i, k := range keys {
		path = append(path, keySeg(k))
		if !recordable(path) {
			break // deeper than any key we look up: the ancestor's line serves
		}
		p := pathString(path)
		switch {
		case i == len(keys)-1 && array:
			s.record(path, open.line)
			n := s.counts[p]
			s.counts[p] = n + 1
			path = append(path, idxSeg(n))
		case s.counts[p] > 0:
			// [people.x] inside an array of tables means its last element.
			path = append(path, idxSeg(s.counts[p]-1))
		}
		s.record(path, open.line)
	}
	s.table = path
}

// dottedKey reads a.b."c d" and returns its parts.
func (s *posScanner) dottedKey() []string {
	var keys []string
	for {
		keys = append(keys, s.next().val)
		if !s.punct(".") {
			return keys
		}
		s.next()
	}
}

// keyValue reads key = value relative to the table base.
func (s *posScanner) keyValue(base []seg) {
	line := s.peek().line
	path := base
	keys := s.dottedKey()
	for i, k := range keys {
		path = append(path, keySeg(k))
		s.recordKey(path, line, i == len(keys)-1)
	}
	if s.punct("=") {
		s.next()
	}
	s.value(path)
}

func (s *posScanner) value(path []seg) {
	switch {
	case s.punct("["):
		s.next()
		for n := 0; ; n++ {
			s.skipNewlines()
			if s.punct("]") || s.peek().kind == tokEOF {
				s.next()
				return
			}
			start := s.cur.off
			// path is a stack: appending may reuse its spare room,
			// which no caller reads.
			elem := append(path, idxSeg(n))
			s.record(elem, s.peek().line)
			s.value(elem)
			s.skipNewlines()
			if s.punct(",") {
				s.next()
			}
			if s.cur.off == start {
				s.next() // never stall, whatever the input
			}
		}
	case s.punct("{"):
		s.next()
		for {
			if s.punct("}") || s.peek().kind == tokEOF {
				s.next()
				return
			}
			start := s.cur.off
			s.keyValue(path)
			if s.punct(",") {
				s.next()
			}
			if s.cur.off == start {
				s.next()
			}
		}
	default:
		// A scalar; its text may span several tokens (1.5, 1979-05-27 07:32:00).
		for {
			t := s.peek()
			if t.kind == tokNewline || t.kind == tokEOF || t.kind == tokPunct && strings.Contains(",]}", t.val) {
				return
			}
			s.next()
		}
	}
}

// recordable reports whether path is short enough to be looked up.
func recordable(path []seg) bool {
	if len(path) > maxRecordedSegments {
		return false
	}
	n := 0
	for _, sg := range path {
		n += len(sg.key)
	}
	return n <= maxRecordedKey
}

// record keeps the first line seen for path: a table opened by a dotted key
// or a header is reported where it starts.
func (s *posScanner) record(path []seg, line int) { s.recordKey(path, line, false) }

// recordKey is record, told whether path is a key given a value here
// (leaf) rather than a table that later lines may extend.
func (s *posScanner) recordKey(path []seg, line int, leaf bool) {
	if !recordable(path) {
		return
	}
	if last := path[len(path)-1]; last.idx >= 0 {
		// Array elements come in order: a run per line, not an entry
		// per element.
		arr := pathString(path[:len(path)-1])
		runs := s.pos.elems[arr]
		switch n := len(runs); {
		case n > 0 && runs[n-1].idx >= last.idx:
			// seen already ([[t]] then [t.sub] names t's last element)
		case n == 0 || runs[n-1].line != line:
			s.pos.elems[arr] = append(runs, elemRun{idx: last.idx, line: line})
		}
		return
	}
	p := pathString(path)
	if _, ok := s.pos.lines[p]; ok {
		return
	}
	// A value key is written once; on its parent's line the parent's
	// entry answers for it, so x = [{a = 1}, …] costs no entry per a.
	if !leaf || s.pos.line(pathString(path[:len(path)-1])) != line {
		s.pos.lines[p] = line
	}
	var keys toml.Key
	for _, sg := range path {
		if sg.idx < 0 {
			keys = append(keys, sg.key)
		}
	}
	if schemaKey(keys) {
		return // never reported as unknown: no need to find its elements
	}
	pk := keys.String()
	s.pos.plain[pk] = append(s.pos.plain[pk], p)
}

// schemaKeys holds, per index-free table, the keys the schema knows.
var schemaKeys = func() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for table, t := range tables {
		out[table] = map[string]bool{}
		for _, k := range knownKeysOf(t) {
			out[table][k] = true
		}
	}
	return out
}()

// schemaKey reports whether keys names a key of a known table.
func schemaKey(keys toml.Key) bool {
	return schemaKeys[strings.Join(keys[:len(keys)-1], ".")][keys[len(keys)-1]]
}

// pathString renders segments as rituals[2].questions[0].id.
func pathString(path []seg) string {
	var b strings.Builder
	for i, sg := range path {
		if sg.idx >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(sg.idx))
			b.WriteByte(']')
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(sg.key)
	}
	return b.String()
}
