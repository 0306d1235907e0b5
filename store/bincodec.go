package store

import (
	"encoding/binary"
	"strings"
	"time"
)

// The binary record forms (answers since schema 13, compacted messages
// since schema 11) share one wire vocabulary: strings are a uvarint
// length and the bytes, integers varints, and times a byte (0 unset, 1
// set) then Unix seconds (varint) and nanoseconds (uvarint), in UTC.

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// reader takes fields off a binary record; the first failure sticks.
type reader struct {
	rest []byte
	bad  string
}

func (r *reader) fail(what string) {
	if r.bad == "" {
		r.bad = what
	}
}

func (r *reader) uvarint(what string) uint64 {
	n, k := binary.Uvarint(r.rest)
	if k <= 0 {
		r.fail("truncated " + what)
		return 0
	}
	r.rest = r.rest[k:]
	return n
}

func (r *reader) varint(what string) int64 {
	n, k := binary.Varint(r.rest)
	if k <= 0 {
		r.fail("truncated " + what)
		return 0
	}
	r.rest = r.rest[k:]
	return n
}

func (r *reader) byte(what string) byte {
	if len(r.rest) == 0 {
		r.fail("truncated " + what)
		return 0
	}
	c := r.rest[0]
	r.rest = r.rest[1:]
	return c
}

func (r *reader) string(what string) string {
	n := r.uvarint(what)
	if r.bad != "" {
		return ""
	}
	if uint64(len(r.rest)) < n {
		r.fail("truncated " + what)
		return ""
	}
	s := string(r.rest[:n])
	r.rest = r.rest[n:]
	return s
}

func (r *reader) time(what string) time.Time {
	switch r.byte(what) {
	case 0:
		return time.Time{}
	case 1:
	default:
		r.fail("bad " + what)
		return time.Time{}
	}
	sec := r.varint(what)
	ns := r.uvarint(what)
	if r.bad != "" {
		return time.Time{}
	}
	if ns >= 1e9 {
		r.fail("bad " + what)
		return time.Time{}
	}
	return time.Unix(sec, int64(ns)).UTC()
}

// ritualOf is the ritual an occurrence ID names (the part before "@"),
// for a record that left its ritual out because its key says it; what
// names the ID in the error.
func (r *reader) ritualOf(occID, what string) string {
	ritual, _, ok := strings.Cut(occID, "@")
	if !ok {
		r.fail("no ritual in the " + what)
	}
	return ritual
}
