package postgres

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cadencebot/cadencebot/cadence"
)

// An answer decodes the occurrence's own doc and the person's doc, and a
// streak each earlier occurrence's: by reflection that was most of the
// client CPU an answer spends decoding. The docs have one shape, the one
// encodeOcc writes (per-person maps emptied, Expected null), so a plain
// scan reads them; whatever it does not recognise — an escape, a
// non-empty map, an unknown or differently cased key, a malformed value —
// goes to json.Unmarshal, so the result (and any error) is always
// json.Unmarshal's. occdecode_test.go checks both agree.

// unmarshalOccDoc is json.Unmarshal(doc, o) for a zero o.
func unmarshalOccDoc(doc []byte, o *cadence.Occurrence) error {
	if scanOccDoc(doc, o) {
		return nil
	}
	*o = cadence.Occurrence{}
	return json.Unmarshal(doc, o)
}

// unmarshalPersonDoc is json.Unmarshal(doc, d) for a zero d.
func unmarshalPersonDoc(doc []byte, d *personDoc) error {
	if scanPersonDoc(doc, d) {
		return nil
	}
	*d = personDoc{}
	return json.Unmarshal(doc, d)
}

// scanOccDoc decodes doc into o when it has the shape encodeOcc writes,
// reporting false (o then partly set) when it has not.
func scanOccDoc(doc []byte, o *cadence.Occurrence) bool {
	s := scanner{b: doc}
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "ID":
			return s.str(&o.ID)
		case "RitualID":
			return s.str(&o.RitualID)
		case "Status":
			var v string
			ok := s.str(&v)
			o.Status = cadence.Status(v)
			return ok
		case "Facilitator":
			return s.str(&o.Facilitator)
		case "SkipReason":
			return s.str(&o.SkipReason)
		case "SkippedBy":
			return s.str(&o.SkippedBy)
		case "Scheduled":
			return s.time(&o.Scheduled)
		case "DueAt":
			return s.time(&o.DueAt)
		case "OpenedAt":
			return s.time(&o.OpenedAt)
		case "ClosesAt":
			return s.time(&o.ClosesAt)
		case "ClosedAt":
			return s.time(&o.ClosedAt)
		case "Late":
			return s.bool(&o.Late)
		case "Expected":
			o.Expected = nil
			return s.lit("null")
		case "Excused":
			return emptyMap(&s, &o.Excused)
		case "PromptAt":
			return emptyMap(&s, &o.PromptAt)
		case "CloseAt":
			return emptyMap(&s, &o.CloseAt)
		case "Prompted":
			return emptyMap(&s, &o.Prompted)
		case "Reminded":
			return emptyMap(&s, &o.Reminded)
		}
		return false
	})
}

// scanPersonDoc decodes a person's doc as scanOccDoc does the occurrence's.
func scanPersonDoc(doc []byte, d *personDoc) bool {
	s := scanner{b: doc}
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "excused":
			var v string
			d.Excused = &v
			return s.str(&v)
		case "prompt_at":
			d.PromptAt = new(time.Time)
			return s.time(d.PromptAt)
		case "close_at":
			d.CloseAt = new(time.Time)
			return s.time(d.CloseAt)
		case "prompted":
			d.Prompted = new(time.Time)
			return s.time(d.Prompted)
		case "reminded":
			d.Reminded = new(int)
			return s.int(d.Reminded)
		}
		return false
	})
}

// emptyMap reads null (a nil map) or {} (an empty one), as json does
// into a nil map.
func emptyMap[V any](s *scanner, m *map[string]V) bool {
	if s.lit("null") {
		*m = nil
		return true
	}
	if s.lit("{") && s.lit("}") {
		*m = map[string]V{}
		return true
	}
	return false
}

// scanner reads the few JSON forms the docs hold; each method reports
// false for anything else.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// lit reads the token w.
func (s *scanner) lit(w string) bool {
	s.space()
	if !bytes.HasPrefix(s.b[s.i:], []byte(w)) {
		return false
	}
	s.i += len(w)
	return true
}

// object reads a whole doc: an object whose values field reads, then
// nothing but space.
func (s *scanner) object(field func(key []byte) bool) bool {
	return s.fields(field) && s.end()
}

// end reports whether nothing but space is left.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

// fields reads an object whose values field reads.
func (s *scanner) fields(field func(key []byte) bool) bool {
	if !s.lit("{") {
		return false
	}
	if s.lit("}") {
		return true
	}
	for {
		key, ok := s.raw()
		if !ok || !s.lit(":") || !field(key) {
			return false
		}
		if s.lit("}") {
			return true
		}
		if !s.lit(",") {
			return false
		}
	}
}

// raw reads a string without escapes, control characters or invalid
// UTF-8 (which json would replace), returning its bytes.
func (s *scanner) raw() ([]byte, bool) {
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			v := s.b[s.i+1 : j]
			s.i = j + 1
			return v, utf8.Valid(v)
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

func (s *scanner) str(v *string) bool {
	b, ok := s.raw()
	*v = string(b)
	return ok
}

// time reads an instant with time.Time's own UnmarshalJSON, as json does.
func (s *scanner) time(t *time.Time) bool {
	start := s.i
	if _, ok := s.raw(); !ok {
		return false
	}
	quoted := bytes.TrimLeft(s.b[start:s.i], " \t\n\r")
	return t.UnmarshalJSON(quoted) == nil
}

func (s *scanner) bool(v *bool) bool {
	if s.lit("true") {
		*v = true
		return true
	}
	*v = false
	return s.lit("false")
}

// int reads an integer as JSON writes it: no leading zeros, no fraction.
func (s *scanner) int(v *int) bool {
	s.space()
	j := s.i
	if j < len(s.b) && s.b[j] == '-' {
		j++
	}
	digits := j
	for j < len(s.b) && s.b[j] >= '0' && s.b[j] <= '9' {
		j++
	}
	if j == digits || (s.b[digits] == '0' && j > digits+1) {
		return false
	}
	n, err := strconv.Atoi(string(s.b[s.i:j]))
	if err != nil {
		return false
	}
	s.i, *v = j, n
	return true
}
