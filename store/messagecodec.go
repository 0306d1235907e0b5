package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
)

// Every answer writes a receipt and every prompt, reminder and summary
// goes through the dispatcher twice (sending, sent), so since schema 14 a
// whole message is written in a binary form too: JSON encoding was most
// of what an answer's receipt cost past bbolt's own work. A tag byte
// neither JSON nor the compacted form (compactTag) starts with, a flags
// byte, then what the outbox indexes are built from (state, creation and
// next attempt times), so PutMessage reads only that much of the old
// value, then the rest, in the bincodec.go vocabulary. The occurrence
// ID, ritual ID and thread are left out when the key says them, as in
// the compacted form. Readers take JSON too, as schemas up to 13 wrote
// it.
const messageTag byte = 0x02

// Flags of a binary message record.
const (
	messageOccFromKey    byte = 1 << iota // occurrence ID is the key's second part
	messageRitualFromOcc                  // ritual ID is the occurrence ID's prefix
	messageThreadAgenda                   // thread is the occurrence's agenda key
	messageLateBody                       // a late body follows the body
	messageCompacted                      // Compacted is set
	messageFlags         = messageOccFromKey | messageRitualFromOcc | messageThreadAgenda | messageLateBody | messageCompacted
)

// Flags of a binary question.
const (
	questionRequired byte = 1 << iota
	questionBlocker
	questionPlan
	questionFlags = questionRequired | questionBlocker | questionPlan
)

// isMessageBinary: v is a whole message in the binary form.
func isMessageBinary(v []byte) bool { return len(v) > 0 && v[0] == messageTag }

// occFromKey is the occurrence ID an "occ/<occurrence>/…" key names.
func occFromKey(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, "occ/")
	if !ok {
		return "", false
	}
	occ, _, ok := strings.Cut(rest, "/")
	return occ, ok && occ != ""
}

func encodeMessage(r *messageRecord) []byte {
	var flags byte
	occ, ritual, thread := r.OccurrenceID, r.RitualID, r.Thread
	if o, ok := occFromKey(r.Key); ok && o == occ {
		flags, occ = flags|messageOccFromKey, ""
	}
	if ritual != "" && strings.HasPrefix(r.OccurrenceID, ritual+"@") {
		flags, ritual = flags|messageRitualFromOcc, ""
	}
	if thread != "" && r.OccurrenceID != "" && thread == cadence.AgendaKey(r.OccurrenceID) {
		flags, thread = flags|messageThreadAgenda, ""
	}
	if r.LateBody != nil {
		flags |= messageLateBody
	}
	if r.Compacted {
		flags |= messageCompacted
	}
	b := make([]byte, 0, 512)
	b = append(b, messageTag, flags)
	b = appendString(b, r.State)
	b = appendTime(b, r.CreatedAt)
	b = appendTime(b, r.NextAttemptAt)
	for _, s := range []string{r.Kind, r.Platform, r.ToChannel, r.ToPerson, ritual, occ, thread, r.LastError, r.RefChannel, r.RefID} {
		b = appendString(b, s)
	}
	for _, n := range []int{r.Revision, r.SentRevision, r.Attempts} {
		b = binary.AppendVarint(b, int64(n))
	}
	for _, t := range []time.Time{r.StaleAt, r.ExpiresAt, r.FailingSince, r.SentAt, r.UpdatedAt} {
		b = appendTime(b, t)
	}
	b = appendBody(b, &r.Body)
	if r.LateBody != nil {
		b = appendBody(b, r.LateBody)
	}
	return b
}

// decodeMessageBinary reads a binary message stored under key.
func decodeMessageBinary(key, v []byte, r *messageRecord) error {
	rd := reader{rest: v}
	if rd.byte("tag") != messageTag {
		return fmt.Errorf("decode message %q: no tag: %w", key, ErrCorrupt)
	}
	flags := rd.byte("flags")
	*r = messageRecord{Key: string(key), Compacted: flags&messageCompacted != 0}
	r.State = rd.string("state")
	r.CreatedAt, r.NextAttemptAt = rd.time("creation time"), rd.time("next attempt")
	for _, f := range []*string{&r.Kind, &r.Platform, &r.ToChannel, &r.ToPerson, &r.RitualID, &r.OccurrenceID, &r.Thread, &r.LastError, &r.RefChannel, &r.RefID} {
		*f = rd.string("text")
	}
	for _, n := range []*int{&r.Revision, &r.SentRevision, &r.Attempts} {
		*n = int(rd.varint("count"))
	}
	r.StaleAt, r.ExpiresAt, r.FailingSince = rd.time("stale time"), rd.time("expiry"), rd.time("failing since")
	r.SentAt, r.UpdatedAt = rd.time("send time"), rd.time("update time")
	rd.body(&r.Body)
	if flags&messageLateBody != 0 {
		r.LateBody = &bodyRecord{}
		rd.body(r.LateBody)
	}
	if rd.bad == "" && len(rd.rest) != 0 {
		rd.fail("trailing bytes")
	}
	if rd.bad == "" && flags&^messageFlags != 0 {
		rd.fail(fmt.Sprintf("unknown flags %#x", flags))
	}
	if rd.bad == "" && flags&messageOccFromKey != 0 {
		occ, ok := occFromKey(r.Key)
		if !ok {
			rd.fail("no occurrence in the key")
		}
		r.OccurrenceID = occ
	}
	if rd.bad == "" && flags&messageRitualFromOcc != 0 {
		r.RitualID = rd.ritualOf(r.OccurrenceID, "occurrence ID")
	}
	if rd.bad == "" && flags&messageThreadAgenda != 0 {
		r.Thread = cadence.AgendaKey(r.OccurrenceID)
	}
	if rd.bad != "" {
		return fmt.Errorf("decode message %q: %s: %w", key, rd.bad, ErrCorrupt)
	}
	return nil
}

// decodeMessageIndex reads the fields a binary message's indexes are
// built from, which come first.
func decodeMessageIndex(key, v []byte, x *outboxIndex) error {
	rd := reader{rest: v}
	if rd.byte("tag") != messageTag {
		return fmt.Errorf("decode message %q: no tag: %w", key, ErrCorrupt)
	}
	flags := rd.byte("flags")
	*x = outboxIndex{Key: string(key), State: rd.string("state"), Compacted: flags&messageCompacted != 0}
	x.CreatedAt, x.NextAttemptAt = rd.time("creation time"), rd.time("next attempt")
	if rd.bad != "" {
		return fmt.Errorf("decode message %q: %s: %w", key, rd.bad, ErrCorrupt)
	}
	return nil
}

func appendBody(b []byte, r *bodyRecord) []byte {
	b = appendString(b, r.Title)
	b = appendString(b, r.Text)
	b = appendString(b, r.Footer)
	b = appendCount(b, r.Sections == nil, len(r.Sections))
	for _, s := range r.Sections {
		b = appendString(b, s.Heading)
		b = appendStrings(b, s.Lines)
		b = appendCount(b, s.Entries == nil, len(s.Entries))
		for _, e := range s.Entries {
			b = appendString(b, e.Label)
			b = appendString(b, e.Text)
		}
	}
	b = appendCount(b, r.Questions == nil, len(r.Questions))
	for i := range r.Questions {
		q := &r.Questions[i]
		var qf byte
		if q.Required {
			qf |= questionRequired
		}
		if q.Blocker {
			qf |= questionBlocker
		}
		if q.Plan {
			qf |= questionPlan
		}
		b = append(b, qf)
		for _, s := range []string{q.ID, q.Text, q.Type, q.FollowUpOf, q.Lang} {
			b = appendString(b, s)
		}
		b = appendStrings(b, q.Options)
		b = appendStrings(b, q.When)
		b = appendFloat(b, q.Min)
		b = appendFloat(b, q.Max)
		b = appendMap(b, q.Texts)
	}
	b = appendMap(b, r.Prefill)
	b = appendCount(b, r.Actions == nil, len(r.Actions))
	for _, a := range r.Actions {
		for _, s := range []string{a.ID, a.Label, a.Value, a.Style} {
			b = appendString(b, s)
		}
		b = appendBool(b, a.Late)
	}
	if r.Image == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	b = appendString(b, r.Image.Name)
	b = appendString(b, r.Image.Alt)
	b = appendCount(b, r.Image.PNG == nil, len(r.Image.PNG))
	return append(b, r.Image.PNG...)
}

// appendCount writes a list's length plus one, 0 for nil (JSON's null),
// so an empty list and a missing one read back as they were.
func appendCount(b []byte, isNil bool, n int) []byte {
	if isNil {
		return append(b, 0)
	}
	return binary.AppendUvarint(b, uint64(n)+1)
}

func appendStrings(b []byte, ss []string) []byte {
	b = appendCount(b, ss == nil, len(ss))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

// appendMap writes a map's entries in key order, as JSON does: the
// same map, the same bytes.
func appendMap(b []byte, m map[string]string) []byte {
	b = appendCount(b, m == nil, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, m[k])
	}
	return b
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendFloat(b []byte, f *float64) []byte {
	if f == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	return binary.BigEndian.AppendUint64(b, math.Float64bits(*f))
}

// count reads a list's length written by appendCount: -1 for nil. Each
// element takes min bytes at least, so a corrupt length cannot make a
// reader allocate more than the record holds.
func (r *reader) count(what string, min int) int {
	n := r.uvarint(what)
	switch {
	case r.bad != "":
		return -1
	case n == 0:
		return -1
	case n-1 > uint64(len(r.rest)/min):
		r.fail("bad " + what)
		return -1
	}
	return int(n - 1)
}

func (r *reader) bool(what string) bool {
	switch r.byte(what) {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail("bad " + what)
	return false
}

func (r *reader) strings(what string) []string {
	n := r.count(what, 1)
	if n < 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.string(what)
	}
	return out
}

func (r *reader) stringMap(what string) map[string]string {
	n := r.count(what, 2)
	if n < 0 {
		return nil
	}
	m := make(map[string]string, n)
	last := ""
	for i := range n {
		k, v := r.string(what), r.string(what)
		if r.bad != "" {
			return nil
		}
		if i > 0 && k <= last {
			r.fail(what + " out of order")
			return nil
		}
		m[k], last = v, k
	}
	return m
}

func (r *reader) float(what string) *float64 {
	if !r.bool(what) {
		return nil
	}
	if len(r.rest) < 8 {
		r.fail("truncated " + what)
		return nil
	}
	f := math.Float64frombits(binary.BigEndian.Uint64(r.rest))
	r.rest = r.rest[8:]
	return &f
}

func (r *reader) body(b *bodyRecord) {
	b.Title, b.Text, b.Footer = r.string("title"), r.string("text"), r.string("footer")
	if n := r.count("sections", 3); n >= 0 {
		b.Sections = make([]sectionRecord, n)
		for i := range b.Sections {
			s := &b.Sections[i]
			s.Heading = r.string("heading")
			s.Lines = r.strings("lines")
			if m := r.count("entries", 2); m >= 0 {
				s.Entries = make([]entryRecord, m)
				for j := range s.Entries {
					s.Entries[j] = entryRecord{Label: r.string("label"), Text: r.string("entry")}
				}
			}
		}
	}
	if n := r.count("questions", 11); n >= 0 {
		b.Questions = make([]questionRecord, n)
		for i := range b.Questions {
			q := &b.Questions[i]
			qf := r.byte("question flags")
			if qf&^questionFlags != 0 {
				r.fail(fmt.Sprintf("unknown question flags %#x", qf))
			}
			q.Required, q.Blocker, q.Plan = qf&questionRequired != 0, qf&questionBlocker != 0, qf&questionPlan != 0
			q.ID, q.Text, q.Type, q.FollowUpOf, q.Lang = r.string("question"), r.string("question text"), r.string("type"), r.string("follow-up"), r.string("language")
			q.Options, q.When = r.strings("options"), r.strings("when")
			q.Min, q.Max = r.float("min"), r.float("max")
			q.Texts = r.stringMap("texts")
		}
	}
	b.Prefill = r.stringMap("prefill")
	if n := r.count("actions", 5); n >= 0 {
		b.Actions = make([]actionRecord, n)
		for i := range b.Actions {
			a := &b.Actions[i]
			a.ID, a.Label, a.Value, a.Style = r.string("action"), r.string("label"), r.string("value"), r.string("style")
			a.Late = r.bool("late")
		}
	}
	if r.bool("image") {
		b.Image = &imageRecord{Name: r.string("image name"), Alt: r.string("alt text")}
		if n := r.count("image", 1); n >= 0 && r.bad == "" {
			b.Image.PNG = bytes.Clone(r.rest[:n])
			r.rest = r.rest[n:]
		}
	}
}

// migrateV14 rewrites the whole messages stored in JSON into the binary
// form, each deleted first so bbolt merges the pages it frees. Compacted
// ones are binary since schema 11; the indexes do not change.
func migrateV14(btx *bolt.Tx) error {
	outbox := btx.Bucket(bucketOutbox)
	if outbox == nil {
		return fmt.Errorf("bucket %q is missing: %w", bucketOutbox, ErrCorrupt)
	}
	outbox.FillPercent = outboxFillPercent
	return rewriteValues(outbox, "outbox", func(k, v []byte) ([]byte, error) {
		if isCompactValue(v) || isMessageBinary(v) {
			return nil, nil
		}
		var r messageRecord
		if err := decode(k, v, &r); err != nil {
			return nil, err
		}
		if r.Key != string(k) {
			return nil, fmt.Errorf("message %q is stored under %q: %w", r.Key, k, ErrCorrupt)
		}
		return encodeMessage(&r), nil
	})
}
