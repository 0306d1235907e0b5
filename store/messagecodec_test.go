package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fillRecord sets every field of v, recursively, to a value of its own
// (non-ASCII strings, two-element lists and maps, times with
// nanoseconds); a field of a type it does not know fails the test, so a
// field added to the record later is either encoded or caught here.
func fillRecord(t *testing.T, v reflect.Value, n *int) {
	t.Helper()
	*n++
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(time.Date(2026, 3, 9, 8, 30, 0, 123456789, time.UTC).Add(time.Duration(*n) * time.Minute)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d-zoë ☕ \"<b>\"", *n))
	case reflect.Int:
		v.SetInt(int64(*n) * 1000)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Float64:
		v.SetFloat(-float64(*n) - 0.25)
	case reflect.Uint8:
		v.SetUint(uint64(*n % 256))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillRecord(t, v.Elem(), n)
	case reflect.Struct:
		for i := range v.NumField() {
			require.True(t, v.Type().Field(i).IsExported(), "%s.%s", v.Type(), v.Type().Field(i).Name)
			fillRecord(t, v.Field(i), n)
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillRecord(t, s.Index(i), n)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillRecord(t, k, n)
			fillRecord(t, e, n)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	default:
		t.Fatalf("fillRecord: no filler for %s: teach it, and the message codec, the new field", v.Type())
	}
}

// checkMessageCodec encodes r, reads it back, and checks that every cut
// and a trailing byte are refused.
func checkMessageCodec(t *testing.T, r *messageRecord) []byte {
	t.Helper()
	key := []byte(r.Key)
	v := encodeMessage(r)
	var got messageRecord
	require.NoError(t, decodeMessage(key, v, &got))
	assert.Equal(t, *r, got)
	var x outboxIndex
	require.NoError(t, decodeOutboxIndex(key, v, &x))
	assert.Equal(t, outboxIndex{Key: r.Key, CreatedAt: r.CreatedAt, State: r.State, NextAttemptAt: r.NextAttemptAt, Compacted: r.Compacted}, x)

	// JSON as schemas up to 13 wrote it still reads, as JSON reads it
	// (which keeps no difference between an empty list and none where
	// the field is omitempty); both forms say the same in JSON's terms.
	old, err := json.Marshal(r)
	require.NoError(t, err)
	var want, fromJSON messageRecord
	require.NoError(t, json.Unmarshal(old, &want))
	require.NoError(t, decodeMessage(key, old, &fromJSON))
	assert.Equal(t, want, fromJSON)
	again, err := json.Marshal(got)
	require.NoError(t, err)
	assert.JSONEq(t, string(old), string(again))

	for n := range len(v) {
		assert.ErrorIs(t, decodeMessageBinary(key, v[:n], &got), ErrCorrupt, "cut at %d of %d", n, len(v))
	}
	assert.ErrorIs(t, decodeMessageBinary(key, append(bytes.Clone(v), 0), &got), ErrCorrupt, "trailing byte")
	return v
}

func TestMessageRecordEveryField(t *testing.T) {
	var r messageRecord
	fillRecord(t, reflect.ValueOf(&r).Elem(), new(int))
	r.Key = "occ/triage@20260309T083000Z/receipt/zoë/0"
	v := checkMessageCodec(t, &r)
	assert.Equal(t, messageLateBody|messageCompacted, v[1], "nothing said by the key")

	// Each field on its own: a codec that drops or swaps one fails.
	for i := range reflect.TypeFor[messageRecord]().NumField() {
		f := reflect.TypeFor[messageRecord]().Field(i)
		if f.Name == "Key" {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			one := messageRecord{Key: r.Key}
			reflect.ValueOf(&one).Elem().Field(i).Set(reflect.ValueOf(r).Field(i))
			checkMessageCodec(t, &one)
		})
	}
}

func TestMessageRecordForms(t *testing.T) {
	at := time.Date(2026, 3, 9, 8, 30, 1, 5, time.UTC)
	lo, hi := 0.0, 10.0
	occ := "revue-été@20260309T083000Z"
	for _, tc := range []struct {
		name  string
		r     messageRecord
		flags byte
	}{
		{"zero values", messageRecord{Key: "k"}, 0},
		{"empty lists and maps, not missing", messageRecord{Key: "k", Body: bodyRecord{Sections: []sectionRecord{{Lines: []string{}, Entries: []entryRecord{}}},
			Questions: []questionRecord{{Options: []string{}, When: []string{}, Texts: map[string]string{}, Min: &lo}}, Prefill: map[string]string{}, Actions: []actionRecord{},
			Image: &imageRecord{PNG: []byte{}}}, LateBody: &bodyRecord{}}, messageLateBody},
		{"a receipt as the engine writes it", messageRecord{Key: "occ/" + occ + "/receipt/zoë/0", Kind: "receipt", Platform: "slack", ToPerson: "zoë",
			RitualID: "revue-été", OccurrenceID: occ, Body: bodyRecord{Title: "Revue d'été ☕", Text: "Merci, c'est noté. 🔥 3 de suite",
				Sections:  []sectionRecord{{Heading: "Vos réponses", Entries: []entryRecord{{Label: "Hier", Text: "Rien — café"}, {Label: "Blocages", Text: "none"}}}},
				Questions: []questionRecord{{ID: "q", Text: "Combien ?", Type: "number", Min: &lo, Max: &hi, Required: true, Lang: "fr", Texts: map[string]string{"de": "Wie viel?", "en": "How many?"}}},
				Prefill:   map[string]string{"q": "3"}, Actions: []actionRecord{{ID: "edit", Label: "Modifier", Value: occ, Style: "primary", Late: true}}},
			CreatedAt: at, NextAttemptAt: at, State: "pending", Revision: 1}, messageOccFromKey | messageRitualFromOcc},
		{"a summary in the agenda's thread, sent", messageRecord{Key: "occ/" + occ + "/summary", Kind: "summary", ToChannel: "C1", RitualID: "revue-été",
			OccurrenceID: occ, Thread: "occ/" + occ + "/agenda", CreatedAt: at, State: "sent", Revision: 41, SentRevision: 40, Attempts: 2,
			RefChannel: "C1", RefID: "1773045001.123456", SentAt: at, UpdatedAt: at.Add(time.Hour), StaleAt: at.Add(2 * time.Hour), ExpiresAt: at.Add(3 * time.Hour),
			LateBody: &bodyRecord{Text: "late"}, Body: bodyRecord{Image: &imageRecord{Name: "chart.png", Alt: "a chart", PNG: []byte{0x89, 'P', 'N', 'G', 0}}}},
			messageOccFromKey | messageRitualFromOcc | messageThreadAgenda | messageLateBody},
		{"IDs unlike the key", messageRecord{Key: "occ/x@1/prompt/p", OccurrenceID: "other@1", RitualID: "b", Thread: "occ/x@1/agenda",
			State: "failed", LastError: "channel_not_found", FailingSince: at, Attempts: -3, CreatedAt: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)}, 0},
		{"compacted", messageRecord{Key: "ritual/t/pause/1", Kind: "notice", State: "sent", Compacted: true,
			CreatedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}, messageCompacted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := checkMessageCodec(t, &tc.r)
			assert.Equal(t, tc.flags, v[1])
			old, err := json.Marshal(tc.r)
			require.NoError(t, err)
			assert.Less(t, len(v), len(old)/2, "a fraction of the JSON form")
		})
	}
}

func TestMessageRecordRefusesCorruption(t *testing.T) {
	r := messageRecord{Key: "occ/a@1/summary", OccurrenceID: "a@1", Body: bodyRecord{Prefill: map[string]string{"a": "1", "b": "2"}}}
	v := encodeMessage(&r)
	var got messageRecord
	for name, tc := range map[string]struct {
		key string
		v   []byte
	}{
		"unknown flag":                {r.Key, append([]byte{messageTag, 0x80}, v[2:]...)},
		"occurrence not in the key":   {"summary", v},
		"map keys out of order":       {r.Key, bytes.Replace(v, []byte("\x01a\x011\x01b"), []byte("\x01b\x011\x01a"), 1)},
		"a time flag other than 0, 1": {r.Key, append(v[:3:3], append([]byte{2}, v[4:]...)...)},
		"the compacted form's tag":    {r.Key, append([]byte{compactTag}, v[1:]...)},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.key == r.Key {
				require.NotEqual(t, v, tc.v, "the case changes the record")
			}
			assert.ErrorIs(t, decodeMessageBinary([]byte(tc.key), tc.v, &got), ErrCorrupt)
		})
	}
	// The count of a list cannot ask for more than the record holds.
	huge := append([]byte{messageTag, 0, 0, 0, 0}, bytes.Repeat([]byte{0}, 13)...)
	huge = append(huge, 0, 0, 0, 0, 0, 0, 0, 0) // five times, title, text, footer
	huge = append(huge, 0xff, 0xff, 0xff, 0xff, 0x0f)
	assert.ErrorIs(t, decodeMessageBinary([]byte("k"), huge, &got), ErrCorrupt)
}
