package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Answers are most of the file after a year, so since schema 13 their
// metadata and text are written in a binary form: a tag byte no JSON
// value starts with, then length-prefixed strings, varints and times
// (seconds and nanoseconds, UTC). The metadata leaves out the
// occurrence, person and ritual IDs when the key
// "<occurrence>/<person>" says them. Readers take JSON too, as schemas
// 7 to 12 wrote it.
const answerTag byte = 0x01

// Flags of a binary answer metadata record.
const (
	answerIDsFromKey    byte = 1 << iota // occurrence and person IDs are the key's
	answerRitualFromOcc                  // ritual ID is the occurrence ID's prefix
)

// isAnswerBinary: v is an answer record in the binary form.
func isAnswerBinary(v []byte) bool { return len(v) > 0 && v[0] == answerTag }

// splitAnswerKey is answerKey backwards: person IDs hold no separator.
func splitAnswerKey(key []byte) (occurrenceID, personID string, ok bool) {
	i := bytes.LastIndex(key, []byte(sep))
	if i <= 0 || i == len(key)-len(sep) {
		return "", "", false
	}
	return string(key[:i]), string(key[i+len(sep):]), true
}

func encodeAnswerMeta(key []byte, m *answerMeta) []byte {
	var flags byte
	occ, person, ritual := m.OccurrenceID, m.PersonID, m.RitualID
	if o, p, ok := splitAnswerKey(key); ok && o == occ && p == person {
		flags, occ, person = flags|answerIDsFromKey, "", ""
	}
	if ritual != "" && strings.HasPrefix(m.OccurrenceID, ritual+"@") {
		flags, ritual = flags|answerRitualFromOcc, ""
	}
	b := make([]byte, 0, 32)
	b = append(b, answerTag, flags)
	for _, s := range []string{occ, person, ritual, m.Via} {
		b = appendString(b, s)
	}
	b = appendTime(b, m.SubmittedAt)
	b = appendTime(b, m.UpdatedAt)
	return binary.AppendVarint(b, int64(m.Edits))
}

// decodeAnswerMeta reads an answer's metadata stored under key in
// either form.
func decodeAnswerMeta(key, v []byte, m *answerMeta) error {
	if !isAnswerBinary(v) {
		return decode(key, v, m)
	}
	r := reader{rest: v[1:]}
	flags := r.byte("flags")
	*m = answerMeta{OccurrenceID: r.string("occurrence"), PersonID: r.string("person"), RitualID: r.string("ritual"), Via: r.string("via")}
	m.SubmittedAt = r.time("submission time")
	m.UpdatedAt = r.time("update time")
	m.Edits = int(r.varint("edits"))
	if r.bad == "" && len(r.rest) != 0 {
		r.fail("trailing bytes")
	}
	if r.bad == "" && flags&^(answerIDsFromKey|answerRitualFromOcc) != 0 {
		r.fail(fmt.Sprintf("unknown flags %#x", flags))
	}
	if r.bad == "" && flags&answerIDsFromKey != 0 {
		occ, person, ok := splitAnswerKey(key)
		if !ok {
			r.fail("no occurrence and person in the key")
		}
		m.OccurrenceID, m.PersonID = occ, person
	}
	if r.bad == "" && flags&answerRitualFromOcc != 0 {
		m.RitualID = r.ritualOf(m.OccurrenceID, "occurrence ID")
	}
	if r.bad != "" {
		return fmt.Errorf("decode answer %q: %s: %w", key, r.bad, ErrCorrupt)
	}
	return nil
}

// encodeResponses writes an answer's responses: their count plus one,
// 0 for none at all (nil, as JSON's null), then each question ID and
// text.
func encodeResponses(rs []responseRecord) []byte {
	n := 2
	for _, x := range rs {
		n += len(x.QuestionID) + len(x.Text) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, answerTag)
	if rs == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(rs))+1)
	for _, x := range rs {
		b = appendString(b, x.QuestionID)
		b = appendString(b, x.Text)
	}
	return b
}

// decodeResponses reads an answer's text stored under key in either
// form.
func decodeResponses(key, v []byte) ([]responseRecord, error) {
	if !isAnswerBinary(v) {
		var rs []responseRecord
		return rs, decode(key, v, &rs)
	}
	r := reader{rest: v[1:]}
	n := r.uvarint("count")
	var rs []responseRecord
	switch {
	case r.bad != "":
	case n == 0:
	case n-1 > uint64(len(r.rest))/2: // each response takes two bytes at least
		r.fail("bad count")
	default:
		rs = make([]responseRecord, n-1)
		for i := range rs {
			rs[i] = responseRecord{QuestionID: r.string("question"), Text: r.string("text")}
		}
	}
	if r.bad == "" && len(r.rest) != 0 {
		r.fail("trailing bytes")
	}
	if r.bad != "" {
		return nil, fmt.Errorf("decode answer text %q: %s: %w", key, r.bad, ErrCorrupt)
	}
	return rs, nil
}

// migrateV13 rewrites the answers stored in JSON into the binary form,
// each deleted first so bbolt merges the pages it frees.
func migrateV13(btx *bolt.Tx) error {
	for _, x := range []struct {
		name    []byte
		rewrite func(k, v []byte) ([]byte, error)
	}{
		{bucketAnswers, func(k, v []byte) ([]byte, error) {
			var m answerMeta
			if err := decode(k, v, &m); err != nil {
				return nil, err
			}
			return encodeAnswerMeta(k, &m), nil
		}},
		{bucketAnswerTexts, func(k, v []byte) ([]byte, error) {
			var rs []responseRecord
			if err := decode(k, v, &rs); err != nil {
				return nil, err
			}
			return encodeResponses(rs), nil
		}},
	} {
		b := btx.Bucket(x.name)
		if b == nil {
			return fmt.Errorf("bucket %q is missing: %w", x.name, ErrCorrupt)
		}
		b.FillPercent = answerFillPercent
		err := rewriteValues(b, string(x.name), func(k, v []byte) ([]byte, error) {
			if isAnswerBinary(v) {
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
