package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkOccurrenceCodec encodes r under key, reads it back whole and as
// its core, checks that JSON still reads, and that every cut and a
// trailing byte are refused by both readers.
func checkOccurrenceCodec(t *testing.T, key string, r *occurrenceRecord) []byte {
	t.Helper()
	k := []byte(key)
	v := encodeOccurrence(k, r)
	var got occurrenceRecord
	require.NoError(t, decodeOccurrence(k, v, &got))
	assert.Equal(t, *r, got)
	var core occurrenceCore
	require.NoError(t, decodeCore(k, v, &core))
	assert.Equal(t, occurrenceCore{ID: r.ID, RitualID: r.RitualID, Scheduled: r.Scheduled, Status: r.Status, DueAt: r.DueAt,
		OpenedAt: r.OpenedAt, Late: r.Late, ClosesAt: r.ClosesAt, ClosedAt: r.ClosedAt, Facilitator: r.Facilitator,
		Maps: r.Maps, SkipReason: r.SkipReason, SkippedBy: r.SkippedBy}, core)

	// JSON as schemas up to 14 wrote it still reads, as JSON reads it.
	old, err := json.Marshal(r)
	require.NoError(t, err)
	var want, fromJSON occurrenceRecord
	require.NoError(t, json.Unmarshal(old, &want))
	require.NoError(t, decodeOccurrence(k, old, &fromJSON))
	assert.Equal(t, want, fromJSON)
	var wantCore, coreJSON occurrenceCore
	require.NoError(t, json.Unmarshal(old, &wantCore))
	require.NoError(t, decodeCore(k, old, &coreJSON))
	assert.Equal(t, wantCore, coreJSON)

	for n := 1; n < len(v); n++ { // an empty value is JSON's to refuse
		assert.ErrorIs(t, decodeOccurrence(k, v[:n], &got), ErrCorrupt, "cut at %d of %d", n, len(v))
		assert.ErrorIs(t, decodeCore(k, v[:n], &core), ErrCorrupt, "core cut at %d of %d", n, len(v))
	}
	long := append(bytes.Clone(v), 0)
	assert.ErrorIs(t, decodeOccurrence(k, long, &got), ErrCorrupt, "trailing byte")
	assert.ErrorIs(t, decodeCore(k, long, &core), ErrCorrupt, "trailing byte, core")
	return v
}

func checkPersonCodec(t *testing.T, r *occPersonRecord) []byte {
	t.Helper()
	k := []byte("triage@20260309T083000Z/zoë")
	v := encodePerson(r)
	var got occPersonRecord
	require.NoError(t, decodePerson(k, v, &got))
	assert.Equal(t, *r, got)
	old, err := json.Marshal(r)
	require.NoError(t, err)
	var fromJSON occPersonRecord
	require.NoError(t, decodePerson(k, old, &fromJSON))
	assert.Equal(t, *r, fromJSON)
	for n := 1; n < len(v); n++ { // an empty value is JSON's to refuse
		assert.ErrorIs(t, decodePerson(k, v[:n], &got), ErrCorrupt, "cut at %d of %d", n, len(v))
	}
	assert.ErrorIs(t, decodePerson(k, append(bytes.Clone(v), 0), &got), ErrCorrupt, "trailing byte")
	return v
}

func TestOccurrenceRecordEveryField(t *testing.T) {
	var r occurrenceRecord
	fillRecord(t, reflect.ValueOf(&r).Elem(), new(int))
	v := checkOccurrenceCodec(t, "2026-03-09T08:30:00.000000000Z/other", &r)
	assert.Equal(t, occLate, v[1], "nothing said by the key")
	for i := range reflect.TypeFor[occurrenceRecord]().NumField() {
		f := reflect.TypeFor[occurrenceRecord]().Field(i)
		t.Run(f.Name, func(t *testing.T) {
			var one occurrenceRecord
			reflect.ValueOf(&one).Elem().Field(i).Set(reflect.ValueOf(r).Field(i))
			checkOccurrenceCodec(t, "k", &one)
		})
	}
}

func TestOccurrenceRecordForms(t *testing.T) {
	at := time.Date(2026, 3, 9, 8, 30, 0, 0, time.UTC)
	id := "revue-été@20260309T083000Z"
	key := "2026-03-09T08:30:00.000000000Z/" + id
	people := make([]string, 1000)
	for i := range people {
		people[i] = "p" + string(rune('a'+i%26)) + "zoë"
	}
	for _, tc := range []struct {
		name  string
		r     occurrenceRecord
		flags byte
	}{
		{"zero values", occurrenceRecord{}, 0},
		{"empty lists, not missing", occurrenceRecord{Expected: []string{}, Maps: []string{}}, 0},
		{"open, a thousand people", occurrenceRecord{ID: id, RitualID: "revue-été", Scheduled: at, Status: "open", DueAt: at, OpenedAt: at.Add(time.Second),
			ClosesAt: at.Add(8 * time.Hour), Facilitator: "zoë", Expected: people, Maps: []string{"excused", "prompt_at", "close_at", "prompted", "reminded"}},
			occIDFromKey | occRitualFromID},
		{"skipped late", occurrenceRecord{ID: id, RitualID: "other", Scheduled: at, Status: "skipped", Late: true, ClosedAt: at.Add(time.Hour),
			SkipReason: "jour férié 🎄", SkippedBy: "ana", Expected: []string{"ana"}}, occIDFromKey | occLate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := checkOccurrenceCodec(t, key, &tc.r)
			assert.Equal(t, tc.flags, v[1])
			old, err := json.Marshal(tc.r)
			require.NoError(t, err)
			assert.Less(t, len(v), len(old))
		})
	}
}

func TestPersonRecordForms(t *testing.T) {
	var full occPersonRecord
	fillRecord(t, reflect.ValueOf(&full).Elem(), new(int))
	checkPersonCodec(t, &full)
	for i := range reflect.TypeFor[occPersonRecord]().NumField() {
		f := reflect.TypeFor[occPersonRecord]().Field(i)
		t.Run(f.Name, func(t *testing.T) {
			var one occPersonRecord
			reflect.ValueOf(&one).Elem().Field(i).Set(reflect.ValueOf(full).Field(i))
			checkPersonCodec(t, &one)
		})
	}
	zero, empty, none := time.Time{}, "", 0
	checkPersonCodec(t, &occPersonRecord{})
	v := checkPersonCodec(t, &occPersonRecord{Excused: &empty, PromptAt: &zero, Reminded: &none})
	assert.Len(t, v, 5, "tag, flags, an empty excuse, an unset time, 0 reminders")
}

func TestOccurrenceCodecRefusesCorruption(t *testing.T) {
	key := []byte("2026-03-09T08:30:00.000000000Z/a@1")
	v := encodeOccurrence(key, &occurrenceRecord{ID: "a@1", RitualID: "a", Expected: []string{"ana", "bo"}})
	var r occurrenceRecord
	var c occurrenceCore
	assert.ErrorIs(t, decodeOccurrence(key, append([]byte{occurrenceTag, 0x80}, v[2:]...), &r), ErrCorrupt, "unknown flag")
	assert.ErrorIs(t, decodeCore(key, append([]byte{occurrenceTag, 0x80}, v[2:]...), &c), ErrCorrupt, "unknown flag, core")
	assert.ErrorIs(t, decodeOccurrence([]byte("a@1"), v, &r), ErrCorrupt, "no ID in the key")
	long := bytes.Clone(v)
	long[len(long)-7] = 0x7f // the list's first length, far past the end
	require.Equal(t, byte(3), v[len(v)-7], "the first person's length")
	assert.ErrorIs(t, decodeCore(key, long, &c), ErrCorrupt, "a person's length past the end")
	var p occPersonRecord
	assert.ErrorIs(t, decodePerson(key, []byte{occurrenceTag, 0x40}, &p), ErrCorrupt, "unknown person flag")
}
