package store

import "bytes"

// expectedKey opens the list of people in an occurrence record. In valid
// JSON it can only be a key: inside a string its quotes would be escaped.
var expectedKey = []byte(`"expected":[`)

// decodeCore decodes an occurrence record into its core. json.Unmarshal
// would validate and then skip the list of people, byte by byte, which
// at 1,000 people costs more than the rest of an answer's reads: so the
// list is cut out first, jumping from quote to quote, and only the rest
// is decoded. A record that is not as expected is decoded whole.
func decodeCore(k, v []byte, r *occurrenceCore) error {
	if isOccBinary(v) {
		return readOccurrence(k, v, r, nil, true)
	}
	if rest, ok := withoutExpected(v); ok {
		return decode(k, rest, r)
	}
	return decode(k, v, r)
}

// withoutExpected returns v without its "expected" member, or false if it
// has none or the list is not an array of plain strings.
func withoutExpected(v []byte) ([]byte, bool) {
	start := bytes.Index(v, expectedKey)
	if start < 0 {
		return nil, false
	}
	i := start + len(expectedKey)
	for first := true; ; first = false {
		i = skipSpace(v, i)
		if i >= len(v) {
			return nil, false
		}
		if v[i] == ']' {
			i++
			break
		}
		if !first {
			if v[i] != ',' {
				return nil, false
			}
			i = skipSpace(v, i+1)
		}
		if i >= len(v) || v[i] != '"' {
			return nil, false
		}
		end, ok := stringEnd(v, i+1)
		if !ok {
			return nil, false
		}
		i = end
	}
	// Drop the member with one comma: the one after it, or else the one
	// before it.
	end := skipSpace(v, i)
	switch {
	case end < len(v) && v[end] == ',':
		end++
	default:
		j := start - 1
		for j >= 0 && isSpace(v[j]) {
			j--
		}
		if j < 0 || v[j] != ',' {
			return nil, false
		}
		start = j
	}
	out := make([]byte, 0, len(v)-(end-start))
	out = append(out, v[:start]...)
	return append(out, v[end:]...), true
}

// stringEnd returns the index just past the closing quote of the string
// whose contents start at i.
func stringEnd(v []byte, i int) (int, bool) {
	for {
		q := bytes.IndexByte(v[i:], '"')
		if q < 0 {
			return 0, false
		}
		q += i
		// The quote closes the string unless an odd number of
		// backslashes escapes it.
		n := 0
		for j := q - 1; j >= i && v[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return q + 1, true
		}
		i = q + 1
	}
}

func skipSpace(v []byte, i int) int {
	for i < len(v) && isSpace(v[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
