package config

import (
	"fmt"
	"io"
	"os"
)

// MaxFileSize is the largest config file read: a team's file is a few
// kilobytes, an organisation's roster of 50,000 people about 10 MB, and a
// bound keeps a mistaken or hostile file from costing more than a few
// seconds (nesting is bounded separately, so the parse stays linear).
const MaxFileSize = 16 << 20

// maxNesting bounds arrays and inline tables inside one another, and the
// parts of one dotted key. The schema needs 3 (questions = [{ … }]); the
// TOML parser recurses once per level and would overflow its stack on a
// few million.
const maxNesting = 32

// readLimited reads at most MaxFileSize+1 bytes of path, enough for Parse
// to refuse a larger file without holding all of it.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxFileSize+1))
}

// checkLimits refuses, before the TOML parser runs, a file too large or
// nested too deep. It reads the source once with the position scanner's
// lexer, so strings and comments holding brackets are not counted.
func checkLimits(name string, src string) error {
	if len(src) > MaxFileSize {
		return Errors{{File: name, Msg: fmt.Sprintf("the file is larger than %d MiB, the limit for a config file", MaxFileSize>>20)}}
	}
	lx := lexer{src: src, line: 1}
	depth, parts := 0, 0
	var prev token
	for t := lx.next(); t.kind != tokEOF; prev, t = t, lx.next() {
		switch {
		case t.kind == tokPunct && (t.val == "[" || t.val == "{"):
			if depth++; depth > maxNesting {
				return Errors{{File: name, Line: t.line, Msg: fmt.Sprintf("arrays and inline tables nested more than %d deep", maxNesting)}}
			}
		case t.kind == tokPunct && (t.val == "]" || t.val == "}"):
			depth = max(depth-1, 0)
		case t.kind == tokBare || t.kind == tokString:
			if prev.kind == tokPunct && prev.val == "." {
				parts++
			} else {
				parts = 1
			}
			if parts > maxNesting {
				return Errors{{File: name, Line: t.line, Msg: fmt.Sprintf("a dotted key with more than %d parts", maxNesting)}}
			}
		}
	}
	return nil
}
