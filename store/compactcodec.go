package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
)

// A compacted message is most of the outbox after a few months, so it is
// written in a binary form of a fifth of its JSON's size: a tag byte no
// JSON value starts with, a flags byte, then its fields as
// length-prefixed strings, varints and times (seconds and nanoseconds,
// UTC). The occurrence ID, ritual ID and thread are left out when they
// can be read from the key ("occ/<occurrence>/…", "<ritual>@…", the
// agenda's key) and the key itself is the bbolt key.
const compactTag byte = 0x01

// Flags of a compacted record.
const (
	compactOccFromKey    byte = 1 << iota // occurrence ID is the key's second part
	compactRitualFromOcc                  // ritual ID is the occurrence ID's prefix
	compactThreadAgenda                   // thread is the occurrence's agenda key
)

// isCompactValue: v is a compacted message in the binary form.
func isCompactValue(v []byte) bool { return len(v) > 0 && v[0] == compactTag }

func encodeCompact(r *compactRecord) []byte {
	var flags byte
	occ, ritual, thread := r.OccurrenceID, r.RitualID, r.Thread
	if occ != "" && strings.HasPrefix(r.Key, "occ/"+occ+"/") {
		flags, occ = flags|compactOccFromKey, ""
	}
	if ritual != "" && strings.HasPrefix(r.OccurrenceID, ritual+"@") {
		flags, ritual = flags|compactRitualFromOcc, ""
	}
	if thread != "" && r.OccurrenceID != "" && thread == cadence.AgendaKey(r.OccurrenceID) {
		flags, thread = flags|compactThreadAgenda, ""
	}
	b := make([]byte, 0, 96)
	b = append(b, compactTag, flags)
	for _, s := range []string{r.Kind, r.Platform, r.ToChannel, r.ToPerson, ritual, occ, thread, r.State, r.RefChannel, r.RefID} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, int64(r.Revision))
	b = binary.AppendVarint(b, int64(r.SentRevision))
	b = appendTime(b, r.CreatedAt)
	b = appendTime(b, r.SentAt)
	return b
}

// decodeCompact reads a binary compacted message stored under key.
func decodeCompact(key, v []byte) (*messageRecord, error) {
	bad := func(what string) error {
		return fmt.Errorf("decode compacted message %q: %s: %w", key, what, ErrCorrupt)
	}
	if !isCompactValue(v) || len(v) < 2 {
		return nil, bad("no tag")
	}
	flags, rd := v[1], reader{rest: v[2:]}
	r := &messageRecord{Key: string(key), Compacted: true}
	for _, f := range []*string{&r.Kind, &r.Platform, &r.ToChannel, &r.ToPerson, &r.RitualID, &r.OccurrenceID, &r.Thread, &r.State, &r.RefChannel, &r.RefID} {
		*f = rd.string("text")
	}
	r.Revision, r.SentRevision = int(rd.varint("revision")), int(rd.varint("sent revision"))
	r.CreatedAt, r.SentAt = rd.time("creation time"), rd.time("send time")
	if rd.bad == "" && len(rd.rest) != 0 {
		rd.fail("trailing bytes")
	}
	if rd.bad != "" {
		return nil, bad(rd.bad)
	}
	if flags&compactOccFromKey != 0 {
		occ, _, ok := strings.Cut(strings.TrimPrefix(r.Key, "occ/"), "/")
		if !ok || !strings.HasPrefix(r.Key, "occ/") {
			return nil, bad("no occurrence in the key")
		}
		r.OccurrenceID = occ
	}
	if flags&compactRitualFromOcc != 0 {
		ritual, _, ok := strings.Cut(r.OccurrenceID, "@")
		if !ok {
			return nil, bad("no ritual in the occurrence ID")
		}
		r.RitualID = ritual
	}
	if flags&compactThreadAgenda != 0 {
		r.Thread = cadence.AgendaKey(r.OccurrenceID)
	}
	return r, nil
}

// decodeMessage reads a stored message in any of its forms: binary
// (messagecodec.go), compacted, or JSON as schemas up to 13 wrote it.
func decodeMessage(key, v []byte, r *messageRecord) error {
	if isMessageBinary(v) {
		return decodeMessageBinary(key, v, r)
	}
	if isCompactValue(v) {
		c, err := decodeCompact(key, v)
		if err != nil {
			return err
		}
		*r = *c
		return nil
	}
	return decode(key, v, r)
}

// compactHoldsAll reports whether v, r's compact form, reads back as r:
// nothing r holds is lost in it.
func compactHoldsAll(key string, v []byte, r *messageRecord) bool {
	back, err := decodeCompact([]byte(key), v)
	return err == nil && reflect.DeepEqual(back, r)
}

// getMessage is getJSON for the outbox.
func getMessage(outbox interface{ Get([]byte) []byte }, key []byte, r *messageRecord) (found bool, err error) {
	v := outbox.Get(key)
	if v == nil {
		return false, nil
	}
	return true, decodeMessage(key, v, r)
}

// decodeOutboxIndex reads the part of a stored message its indexes are
// built from, without decoding a whole body.
func decodeOutboxIndex(key, v []byte, x *outboxIndex) error {
	if isMessageBinary(v) {
		return decodeMessageIndex(key, v, x)
	}
	if isCompactValue(v) {
		c, err := decodeCompact(key, v)
		if err != nil {
			return err
		}
		*x = outboxIndex{Key: c.Key, CreatedAt: c.CreatedAt, State: c.State, NextAttemptAt: c.NextAttemptAt, Compacted: true}
		return nil
	}
	return decode(key, v, x)
}

// migrateV11 rewrites the messages compacted in JSON into the binary
// form, each deleted first so bbolt merges the pages it frees, and takes
// them out of the creation index (compacted messages are not listed).
func migrateV11(btx *bolt.Tx) error {
	outbox := btx.Bucket(bucketOutbox)
	if outbox == nil {
		return fmt.Errorf("bucket %q is missing: %w", bucketOutbox, ErrCorrupt)
	}
	byCreated := btx.Bucket(bucketOutboxCreated)
	if byCreated == nil {
		return fmt.Errorf("bucket %q is missing: %w", bucketOutboxCreated, ErrCorrupt)
	}
	outbox.FillPercent = outboxFillPercent
	type rewrite struct{ key, value, created []byte }
	var all []rewrite
	// Read everything first: bbolt forbids writes during ForEach.
	err := outbox.ForEach(func(k, v []byte) error {
		if isCompactValue(v) || !bytes.Contains(v, []byte(`"compacted":true`)) {
			return nil
		}
		var r messageRecord
		if err := decode(k, v, &r); err != nil {
			return fmt.Errorf("compact outbox: %w", err)
		}
		if !r.Compacted {
			return nil
		}
		created, _, err := outboxIndex{Key: r.Key, CreatedAt: r.CreatedAt}.indexKeys()
		if err != nil {
			return fmt.Errorf("compact outbox: %w", err)
		}
		all = append(all, rewrite{bytes.Clone(k), encodeCompact(r.compact()), created})
		return nil
	})
	if err != nil {
		return err
	}
	for _, w := range all {
		if err := outbox.Delete(w.key); err != nil {
			return fmt.Errorf("compact message %q: %w", w.key, err)
		}
		if err := outbox.Put(w.key, w.value); err != nil {
			return fmt.Errorf("compact message %q: %w", w.key, err)
		}
		if err := byCreated.Delete(w.created); err != nil { // not listed (compact.go)
			return fmt.Errorf("compact message %q: index: %w", w.key, err)
		}
	}
	return nil
}
