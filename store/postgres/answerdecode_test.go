package postgres

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// An answer's docs decode by the scan exactly as by json.Unmarshal (see
// TestOccDocScanEqualsJSON); fast says the scan read them itself.
func TestAnswerDocScanEqualsJSON(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 20, 0, 0, time.UTC)
	meta := func(a cadence.Answer) string {
		a.Responses = nil
		b, err := json.Marshal(a)
		require.NoError(t, err)
		return string(b)
	}
	cases := []struct {
		name string
		doc  string
		fast bool
	}{
		{"zero answer", meta(cadence.Answer{}), true},
		{"as PutAnswer writes it", meta(cadence.Answer{OccurrenceID: "standup@20260302T0900Z", RitualID: "standup", PersonID: "p000001",
			SubmittedAt: at, UpdatedAt: at.Add(time.Minute + 7*time.Nanosecond).In(time.FixedZone("", 19800)), Edits: 3, Via: "slack-modal"}), true},
		{"unicode", meta(cadence.Answer{PersonID: "léa", Via: "teams-card 🎉"}), true},
		{"escape goes to json", meta(cadence.Answer{PersonID: "a<b"}), false},
		{"jsonb layout", `{"Via": "bench", "Edits": 0, "PersonID": "ana", "RitualID": "r", "Responses": null, "UpdatedAt": "2026-03-02T09:20:00Z", "SubmittedAt": "2026-03-02T09:20:00Z", "OccurrenceID": "x"}`, true},
		{"responses inline", `{"Responses":[{"QuestionID":"q","Text":"t"}]}`, false},
		{"negative edits", `{"Edits":-2}`, true},
		{"fractional edits", `{"Edits":1.0}`, false},
		{"edits as string", `{"Edits":"1"}`, false},
		{"lower-case key", `{"via":"x"}`, false},
		{"trailing garbage", `{"Via":"x"}]`, false},
		{"truncated", `{"Via":"x"`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want cadence.Answer
			wantErr := json.Unmarshal([]byte(c.doc), &want)
			var got cadence.Answer
			sameError(t, wantErr, unmarshalAnswerDoc([]byte(c.doc), &got))
			assert.Equal(t, want, got)
			assert.Equal(t, c.fast, scanAnswerDoc([]byte(c.doc), new(cadence.Answer)), "read by the scan")
		})
	}
}

// The same for an answer's responses (the answer_texts doc).
func TestResponsesScanEqualsJSON(t *testing.T) {
	encoded := func(rs []cadence.Response) string {
		b, err := json.Marshal(rs)
		require.NoError(t, err)
		return string(b)
	}
	cases := []struct {
		name string
		doc  string
		fast bool
	}{
		{"as PutAnswer writes them", encoded([]cadence.Response{{QuestionID: "yesterday", Text: "Shipped the backfill; row counts match."}, {QuestionID: "today", Text: "Canary for ranker v42."}, {QuestionID: "blockers", Text: "none"}}), true},
		{"empty list", encoded([]cadence.Response{}), true},
		{"empty text", encoded([]cadence.Response{{QuestionID: "q"}}), true},
		{"unicode", encoded([]cadence.Response{{QuestionID: "q", Text: "Zürich – ok ✅"}}), true},
		{"html escaped by json", encoded([]cadence.Response{{QuestionID: "q", Text: "a < b & c > d"}}), false},
		{"quotes and newlines", encoded([]cadence.Response{{QuestionID: "q", Text: "said \"no\"\nthen left"}}), false},
		{"null", `null`, false},
		{"jsonb layout", `[{"Text": "t", "QuestionID": "q"}, {"Text": "", "QuestionID": "r"}]`, true},
		{"missing key", `[{"Text":"t"},{}]`, true},
		{"unknown key", `[{"QuestionID":"q","Note":"n"}]`, false},
		{"nested array", `[[]]`, false},
		{"trailing comma", `[{"Text":"t"},]`, false},
		{"unterminated", `[{"Text":"t"}`, false},
		{"object", `{"Text":"t"}`, false},
		{"trailing garbage", `[] x`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []cadence.Response
			wantErr := json.Unmarshal([]byte(c.doc), &want)
			var got []cadence.Response
			sameError(t, wantErr, unmarshalResponses([]byte(c.doc), &got))
			assert.Equal(t, want, got)
			assert.Equal(t, want == nil, got == nil, "nil as json leaves it")
			var rs []cadence.Response
			assert.Equal(t, c.fast, scanResponses([]byte(c.doc), &rs), "read by the scan")
		})
	}
}
