package store

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnswerMetaRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 9, 8, 47, 12, 123456789, time.UTC)
	for _, tc := range []struct {
		name string
		key  string
		m    answerMeta
		max  int // bytes the binary form may take
	}{
		{"every field, IDs from the key", "triage@20260309T083000Z/ana", answerMeta{OccurrenceID: "triage@20260309T083000Z", RitualID: "triage",
			PersonID: "ana", SubmittedAt: at, UpdatedAt: at.Add(90 * time.Minute), Edits: 3, Via: "slack-modal"}, 38},
		{"zero fields", "triage@20260309T083000Z/ana", answerMeta{OccurrenceID: "triage@20260309T083000Z", PersonID: "ana"}, 9},
		{"non-ASCII IDs", "revue-été@20260309T083000Z/zoë-🙂", answerMeta{OccurrenceID: "revue-été@20260309T083000Z", RitualID: "revue-été",
			PersonID: "zoë-🙂", SubmittedAt: at, UpdatedAt: at, Via: "télé"}, 34},
		{"a ritual ID unlike the occurrence's", "a@1/p", answerMeta{OccurrenceID: "a@1", RitualID: "b", PersonID: "p", SubmittedAt: at, UpdatedAt: at, Via: "web"}, 32},
		{"IDs unlike the key", "x@1/y/p", answerMeta{OccurrenceID: "other@1", RitualID: "other", PersonID: "q", SubmittedAt: at,
			UpdatedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), Edits: -1}, 48},
		{"an occurrence ID with the separator", "x@1/y/p", answerMeta{OccurrenceID: "x@1/y", RitualID: "x", PersonID: "p",
			SubmittedAt: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)}, 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := []byte(tc.key)
			v := encodeAnswerMeta(key, &tc.m)
			assert.LessOrEqual(t, len(v), tc.max)
			old, err := json.Marshal(tc.m)
			require.NoError(t, err)
			// What the JSON form reads back as is the reference.
			var want, got, fromJSON answerMeta
			require.NoError(t, json.Unmarshal(old, &want))
			require.NoError(t, decodeAnswerMeta(key, v, &got))
			assert.Equal(t, want, got)
			assert.Equal(t, tc.m.SubmittedAt, got.SubmittedAt)
			require.NoError(t, decodeAnswerMeta(key, old, &fromJSON), "JSON as schemas 7 to 12 wrote it still reads")
			assert.Equal(t, want, fromJSON)

			for n := 1; n < len(v); n++ {
				assert.ErrorIs(t, decodeAnswerMeta(key, v[:n], &got), ErrCorrupt, "cut at %d", n)
			}
			assert.ErrorIs(t, decodeAnswerMeta(key, append(bytes.Clone(v), 0), &got), ErrCorrupt, "trailing byte")
		})
	}
}

func TestAnswerMetaNeedsTheKey(t *testing.T) {
	v := encodeAnswerMeta([]byte("a@1/p"), &answerMeta{OccurrenceID: "a@1", RitualID: "a", PersonID: "p"})
	var m answerMeta
	assert.ErrorIs(t, decodeAnswerMeta([]byte("noseparator"), v, &m), ErrCorrupt)
	v[1] |= 0x80
	assert.ErrorIs(t, decodeAnswerMeta([]byte("a@1/p"), v, &m), ErrCorrupt, "unknown flag")
}

func TestResponsesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		rs   []responseRecord
	}{
		{"none", nil},
		{"empty", []responseRecord{}},
		{"every field", []responseRecord{{QuestionID: "yesterday", Text: "Closed the drift alert follow-up."},
			{QuestionID: "today", Text: "Line one\nline two\t\"quoted\" <b>&amp;</b>"}, {QuestionID: "blockers", Text: ""}}},
		{"empty strings", []responseRecord{{}}},
		{"non-ASCII", []responseRecord{{QuestionID: "blocages", Text: "Rien — à part le café ☕, 日本語, \u2028 et 🙂"}}},
		{"long", []responseRecord{{QuestionID: "notes", Text: string(bytes.Repeat([]byte("x"), 70000))}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := []byte("triage@20260309T083000Z/ana")
			v := encodeResponses(tc.rs)
			old, err := json.Marshal(tc.rs)
			require.NoError(t, err)
			assert.Less(t, len(v), len(old)+1)
			var want []responseRecord
			require.NoError(t, json.Unmarshal(old, &want))
			got, err := decodeResponses(key, v)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.Equal(t, tc.rs == nil, got == nil, "none stays apart from empty")
			fromJSON, err := decodeResponses(key, old)
			require.NoError(t, err, "JSON as schemas 7 to 12 wrote it still reads")
			assert.Equal(t, want, fromJSON)

			for n := 1; n < len(v); n++ {
				_, err := decodeResponses(key, v[:n])
				assert.ErrorIs(t, err, ErrCorrupt, "cut at %d", n)
			}
			_, err = decodeResponses(key, append(bytes.Clone(v), 0))
			assert.ErrorIs(t, err, ErrCorrupt, "trailing byte")
		})
	}
}
