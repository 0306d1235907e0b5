package store

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Every answer reads its occurrence's record and its person's record,
// and decoding them as JSON was the largest of an answer's own costs
// once the outbox was binary; so since schema 15 both are written in the
// binary form too (bincodec.go's vocabulary), after a tag byte no JSON
// value starts with. The occurrence record's list of people comes last,
// so one person's read stops before it (checking its lengths without
// making strings); its ID and ritual ID are left out when the key
// "<scheduled>/<id>" says them. Readers take JSON too, as schemas up to
// 14 wrote it.
const occurrenceTag byte = 0x01

// Flags of a binary occurrence record.
const (
	occIDFromKey    byte = 1 << iota // ID is the key's
	occRitualFromID                  // ritual ID is the ID's prefix
	occLate                          // Late is set
	occFlags        = occIDFromKey | occRitualFromID | occLate
)

// Flags of a binary person record: which fields it holds.
const (
	personExpected byte = 1 << iota
	personExcused
	personPromptAt
	personCloseAt
	personPrompted
	personReminded
	personFlags = personExpected | personExcused | personPromptAt | personCloseAt | personPrompted | personReminded
)

func isOccBinary(v []byte) bool { return len(v) > 0 && v[0] == occurrenceTag }

func encodeOccurrence(key []byte, r *occurrenceRecord) []byte {
	var flags byte
	id, ritual := r.ID, r.RitualID
	if _, k, ok := splitTimeKey(key); ok && k == id {
		flags, id = flags|occIDFromKey, ""
	}
	if ritual != "" && strings.HasPrefix(r.ID, ritual+"@") {
		flags, ritual = flags|occRitualFromID, ""
	}
	if r.Late {
		flags |= occLate
	}
	n := 64 + len(r.Facilitator) + len(r.SkipReason)
	for _, p := range r.Expected {
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, occurrenceTag, flags)
	for _, s := range []string{id, ritual, r.Status, r.Facilitator, r.SkipReason, r.SkippedBy} {
		b = appendString(b, s)
	}
	b = appendTime(b, r.Scheduled)
	b = appendTime(b, r.DueAt)
	b = appendTime(b, r.OpenedAt)
	b = appendTime(b, r.ClosesAt)
	b = appendTime(b, r.ClosedAt)
	b = appendStrings(b, r.Maps)
	return appendStrings(b, r.Expected)
}

// readOccurrence reads a binary occurrence record; the list of people
// into expected unless skip, when only its lengths are checked.
func readOccurrence(key, v []byte, c *occurrenceCore, expected *[]string, skip bool) error {
	rd := reader{rest: v}
	if rd.byte("tag") != occurrenceTag {
		return fmt.Errorf("decode occurrence %q: no tag: %w", key, ErrCorrupt)
	}
	flags := rd.byte("flags")
	*c = occurrenceCore{ID: rd.string("id"), RitualID: rd.string("ritual"), Status: rd.string("status"),
		Facilitator: rd.string("facilitator"), SkipReason: rd.string("skip reason"), SkippedBy: rd.string("skipped by"), Late: flags&occLate != 0}
	c.Scheduled, c.DueAt, c.OpenedAt = rd.time("scheduled"), rd.time("due"), rd.time("opened")
	c.ClosesAt, c.ClosedAt = rd.time("closes"), rd.time("closed")
	c.Maps = rd.strings("maps")
	if skip {
		if n := rd.count("people", 1); n > 0 {
			for range n {
				l := rd.uvarint("person")
				if rd.bad != "" {
					break
				}
				if uint64(len(rd.rest)) < l {
					rd.fail("truncated person")
					break
				}
				rd.rest = rd.rest[l:]
			}
		}
	} else {
		*expected = rd.strings("people")
	}
	if rd.bad == "" && len(rd.rest) != 0 {
		rd.fail("trailing bytes")
	}
	if rd.bad == "" && flags&^occFlags != 0 {
		rd.fail(fmt.Sprintf("unknown flags %#x", flags))
	}
	if rd.bad == "" && flags&occIDFromKey != 0 {
		_, id, ok := splitTimeKey(key)
		if !ok {
			rd.fail("no ID in the key")
		}
		c.ID = id
	}
	if rd.bad == "" && flags&occRitualFromID != 0 {
		c.RitualID = rd.ritualOf(c.ID, "ID")
	}
	if rd.bad != "" {
		return fmt.Errorf("decode occurrence %q: %s: %w", key, rd.bad, ErrCorrupt)
	}
	return nil
}

// decodeOccurrence reads an occurrence record in either form.
func decodeOccurrence(key, v []byte, r *occurrenceRecord) error {
	if !isOccBinary(v) {
		return decode(key, v, r)
	}
	var c occurrenceCore
	var expected []string
	if err := readOccurrence(key, v, &c, &expected, false); err != nil {
		return err
	}
	*r = occurrenceRecord{ID: c.ID, RitualID: c.RitualID, Scheduled: c.Scheduled, Status: c.Status, DueAt: c.DueAt,
		OpenedAt: c.OpenedAt, Late: c.Late, ClosesAt: c.ClosesAt, ClosedAt: c.ClosedAt, Facilitator: c.Facilitator,
		Expected: expected, Maps: c.Maps, SkipReason: c.SkipReason, SkippedBy: c.SkippedBy}
	return nil
}

func encodePerson(r *occPersonRecord) []byte {
	var flags byte
	b := make([]byte, 2, 32)
	if r.Expected {
		flags |= personExpected
	}
	if r.Excused != nil {
		flags |= personExcused
		b = appendString(b, *r.Excused)
	}
	for _, t := range []struct {
		flag byte
		at   *time.Time
	}{{personPromptAt, r.PromptAt}, {personCloseAt, r.CloseAt}, {personPrompted, r.Prompted}} {
		if t.at != nil {
			flags |= t.flag
			b = appendTime(b, *t.at)
		}
	}
	if r.Reminded != nil {
		flags |= personReminded
		b = binary.AppendVarint(b, int64(*r.Reminded))
	}
	b[0], b[1] = occurrenceTag, flags
	return b
}

// decodePerson reads a person record in either form.
func decodePerson(key, v []byte, r *occPersonRecord) error {
	if !isOccBinary(v) {
		*r = occPersonRecord{}
		return decode(key, v, r)
	}
	rd := reader{rest: v[1:]}
	flags := rd.byte("flags")
	*r = occPersonRecord{Expected: flags&personExpected != 0}
	if flags&personExcused != 0 {
		s := rd.string("excuse")
		r.Excused = &s
	}
	for _, t := range []struct {
		flag byte
		at   **time.Time
		what string
	}{{personPromptAt, &r.PromptAt, "prompt time"}, {personCloseAt, &r.CloseAt, "close time"}, {personPrompted, &r.Prompted, "prompted"}} {
		if flags&t.flag != 0 {
			at := rd.time(t.what)
			*t.at = &at
		}
	}
	if flags&personReminded != 0 {
		n := int(rd.varint("reminders"))
		r.Reminded = &n
	}
	if rd.bad == "" && len(rd.rest) != 0 {
		rd.fail("trailing bytes")
	}
	if rd.bad == "" && flags&^personFlags != 0 {
		rd.fail(fmt.Sprintf("unknown flags %#x", flags))
	}
	if rd.bad != "" {
		return fmt.Errorf("decode person %q: %s: %w", key, rd.bad, ErrCorrupt)
	}
	return nil
}

// migrateV15 rewrites occurrence and person records stored in JSON into
// the binary form, each deleted first so bbolt merges the pages it
// frees. Keys, and so the indexes, do not change.
func migrateV15(btx *bolt.Tx) error {
	for _, x := range []struct {
		name    []byte
		fill    float64
		rewrite func(k, v []byte) ([]byte, error)
	}{
		{bucketOccurrences, bolt.DefaultFillPercent, func(k, v []byte) ([]byte, error) {
			var r occurrenceRecord
			if err := decode(k, v, &r); err != nil {
				return nil, err
			}
			return encodeOccurrence(k, &r), nil
		}},
		{bucketOccurrencePeople, answerFillPercent, func(k, v []byte) ([]byte, error) {
			var r occPersonRecord
			if err := decode(k, v, &r); err != nil {
				return nil, err
			}
			return encodePerson(&r), nil
		}},
	} {
		b := btx.Bucket(x.name)
		if b == nil {
			return fmt.Errorf("bucket %q is missing: %w", x.name, ErrCorrupt)
		}
		b.FillPercent = x.fill
		err := rewriteValues(b, string(x.name), func(k, v []byte) ([]byte, error) {
			if isOccBinary(v) {
				return nil, nil
			}
			return x.rewrite(k, v)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
