package config

import (
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
type positions struct {
	lines map[string]int
	// plain maps an index-free key ("people.nmae", as toml.Key.String
	// spells it) to every indexed path that spells it.
	plain map[string][]string
}

// line returns the line of path, or of its closest recorded ancestor, or 0.
func (p *positions) line(path string) int {
	for path != "" {
		if l, ok := p.lines[path]; ok {
			return l
		}
		path = parentPath(path)
	}
	return 0
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
	s := &posScanner{toks: tokenize(src), pos: &positions{lines: map[string]int{}, plain: map[string][]string{}}, counts: map[string]int{}}
	s.document()
	return s.pos
}

func tokenize(src string) []token {
	var toks []token
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '\n':
			toks = append(toks, token{kind: tokNewline, line: line, off: i})
			line++
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.ContainsRune("[]{}=,.", rune(c)):
			toks = append(toks, token{kind: tokPunct, val: string(c), line: line, off: i})
			i++
		case c == '"' || c == '\'':
			start, startLine := i, line
			end := stringEnd(src, i)
			raw := src[start:end]
			line += strings.Count(raw, "\n")
			toks = append(toks, token{kind: tokString, val: unquoteKey(raw), line: startLine, off: start})
			i = end
		default:
			start := i
			for i < len(src) && !strings.ContainsRune(" \t\r\n#[]{}=,.\"'", rune(src[i])) {
				i++
			}
			toks = append(toks, token{kind: tokBare, val: src[start:i], line: line, off: start})
		}
	}
	return append(toks, token{kind: tokEOF, line: line, off: len(src)})
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
	toks   []token
	i      int
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

func (s *posScanner) peek() token { return s.toks[s.i] }
func (s *posScanner) next() token { t := s.toks[s.i]; s.i = min(s.i+1, len(s.toks)-1); return t }

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
	path := append([]seg(nil), base...)
	for _, k := range s.dottedKey() {
		path = append(path, keySeg(k))
		s.record(path, line)
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
			start := s.i
			elem := append(append([]seg(nil), path...), idxSeg(n))
			s.record(elem, s.peek().line)
			s.value(elem)
			s.skipNewlines()
			if s.punct(",") {
				s.next()
			}
			if s.i == start {
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
			start := s.i
			s.keyValue(path)
			if s.punct(",") {
				s.next()
			}
			if s.i == start {
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

// record keeps the first line seen for path: a table opened by a dotted key
// or a header is reported where it starts.
func (s *posScanner) record(path []seg, line int) {
	p := pathString(path)
	if _, ok := s.pos.lines[p]; ok {
		return
	}
	s.pos.lines[p] = line
	if path[len(path)-1].idx >= 0 {
		return // array elements have no key of their own
	}
	var keys toml.Key
	for _, sg := range path {
		if sg.idx < 0 {
			keys = append(keys, sg.key)
		}
	}
	pk := keys.String()
	s.pos.plain[pk] = append(s.pos.plain[pk], p)
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
