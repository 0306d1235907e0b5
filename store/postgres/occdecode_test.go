package postgres

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// The scan decodes an occurrence's docs exactly as json.Unmarshal does —
// same value, same error — on what encodeOcc writes, on what migration
// 0008 wrote through jsonb (spaces, keys reordered), and on everything it
// hands to json instead. fast says the scan itself read the doc: what
// encodeOcc writes must not fall back, or the answer path pays
// reflection again (a field added to cadence.Occurrence makes it fall
// back, and this test fail, until the scan reads it).
func TestOccDocScanEqualsJSON(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	zurich := time.FixedZone("", 3600)
	encoded := func(o *cadence.Occurrence) string {
		s, err := encodeOcc(o)
		require.NoError(t, err)
		return string(s.doc)
	}
	cases := []struct {
		name string
		doc  string
		fast bool
	}{
		{"zero occurrence", encoded(&cadence.Occurrence{}), true},
		{"open, as the engine opens one", encoded(&cadence.Occurrence{ID: "standup@20260302T0900Z", RitualID: "standup", Scheduled: at, Status: cadence.StatusOpen,
			DueAt: at, OpenedAt: at.Add(time.Minute), ClosesAt: at.Add(8 * time.Hour), Expected: []string{"ana", "bo"},
			PromptAt: map[string]time.Time{"ana": at}, CloseAt: map[string]time.Time{"ana": at.Add(8 * time.Hour)},
			Prompted: map[string]time.Time{"ana": at.Add(time.Minute)}, Reminded: map[string]int{"ana": 1}}), true},
		{"closed late, nanoseconds and an offset", encoded(&cadence.Occurrence{ID: "x", RitualID: "r", Scheduled: at.In(zurich), Status: cadence.StatusClosed,
			DueAt: at.Add(5 * time.Nanosecond), OpenedAt: at.Add(1234567 * time.Nanosecond), Late: true, ClosesAt: at.Add(time.Hour),
			ClosedAt: at.Add(2 * time.Hour).In(zurich), Facilitator: "ana", Excused: map[string]string{"cy": "ooo"}}), true},
		{"skipped, unicode", encoded(&cadence.Occurrence{ID: "retro@x", RitualID: "retro", Status: cadence.StatusSkipped,
			SkipReason: "Feiertag – Zürich 🎉", SkippedBy: "léa"}), true},
		{"escapes go to json", encoded(&cadence.Occurrence{ID: "x", SkipReason: "said \"no\"\n<b>&"}), false},
		{"jsonb layout", `{"ID": "x", "Late": true, "DueAt": "2026-03-02T09:00:00Z", "Status": "open", "CloseAt": {}, "Excused": null, "Expected": null, "PromptAt": {}, "Prompted": {}, "Reminded": {}, "ClosedAt": "0001-01-01T00:00:00Z", "ClosesAt": "2026-03-02T17:00:00+01:00", "OpenedAt": "2026-03-02T09:01:00.5Z", "RitualID": "r", "Scheduled": "2026-03-02T09:00:00Z", "SkippedBy": "", "SkipReason": "", "Facilitator": ""}`, true},
		{"space everywhere", " \n{ \"ID\" :\t\"x\" , \"Late\" : false }\r\n", true},
		{"empty object", `{}`, true},
		{"duplicate key, last wins", `{"ID":"a","ID":"b"}`, true},
		{"lower-case key", `{"id":"x"}`, false},
		{"unknown key", `{"ID":"x","Colour":"red"}`, false},
		{"non-empty map", `{"Excused":{"ana":"ooo"},"Reminded":{"bo":2}}`, false},
		{"expected list", `{"Expected":["ana"]}`, false},
		{"empty expected list", `{"Expected":[]}`, false},
		{"null string", `{"ID":null}`, false},
		{"null instant", `{"Scheduled":null}`, false},
		{"instant not RFC 3339", `{"Scheduled":"yesterday"}`, false},
		{"number for a string", `{"ID":7}`, false},
		{"string for a bool", `{"Late":"true"}`, false},
		{"invalid UTF-8", "{\"ID\":\"a\xffb\"}", false},
		{"control character", "{\"ID\":\"a\tb\"}", false},
		{"trailing garbage", `{"ID":"x"} x`, false},
		{"two objects", `{}{}`, false},
		{"truncated", `{"ID":"x"`, false},
		{"unterminated string", `{"ID":"x}`, false},
		{"trailing comma", `{"ID":"x",}`, false},
		{"literal run on", `{"Late":truex}`, false},
		{"array", `[]`, false},
		{"empty", ``, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want cadence.Occurrence
			wantErr := json.Unmarshal([]byte(c.doc), &want)
			var got cadence.Occurrence
			err := unmarshalOccDoc([]byte(c.doc), &got)
			sameError(t, wantErr, err)
			assert.Equal(t, want, got)
			assert.Equal(t, c.fast, scanOccDoc([]byte(c.doc), new(cadence.Occurrence)), "read by the scan")
		})
	}
}

// The same for a person's part of the maps.
func TestPersonDocScanEqualsJSON(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	full := &cadence.Occurrence{ID: "x", Expected: []string{"ana", "bo", "cy"},
		Excused:  map[string]string{"dee": "out of office", "eve": "", "fay": "said \"no\""},
		PromptAt: map[string]time.Time{"ana": at, "bo": at.In(time.FixedZone("", -5*3600))},
		CloseAt:  map[string]time.Time{"ana": at.Add(8 * time.Hour)},
		Prompted: map[string]time.Time{"ana": at.Add(time.Second + 5*time.Nanosecond)},
		Reminded: map[string]int{"ana": 2, "bo": 0}}
	s, err := encodeOcc(full)
	require.NoError(t, err)
	type docCase struct {
		name string
		doc  string
		fast bool
	}
	var cases []docCase
	for _, p := range slices.Sorted(maps.Keys(s.people)) {
		cases = append(cases, docCase{"encoded " + p, string(s.people[p].doc), p != "fay"})
	}
	cases = append(cases, []docCase{
		{"jsonb layout", `{"reminded": 3, "close_at": "2026-03-02T17:00:00Z", "prompt_at": "2026-03-02T09:00:00+05:30", "prompted": "2026-03-02T09:00:01.000000005Z", "excused": ""}`, true},
		{"negative count", `{"reminded":-1}`, true},
		{"zero", `{"reminded":0}`, true},
		{"leading zero", `{"reminded":01}`, false},
		{"minus zero", `{"reminded":-0}`, true},
		{"lone minus", `{"reminded":-}`, false},
		{"fraction", `{"reminded":1.5}`, false},
		{"exponent", `{"reminded":1e2}`, false},
		{"overflow", `{"reminded":99999999999999999999}`, false},
		{"null count", `{"reminded":null}`, false},
		{"null excuse", `{"excused":null}`, false},
		{"unknown key", `{"Reminded":1}`, false},
		{"bad instant", `{"close_at":"2026-13-02T17:00:00Z"}`, false},
		{"empty", `{}`, true},
		{"not an object", `"ana"`, false},
	}...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want personDoc
			wantErr := json.Unmarshal([]byte(c.doc), &want)
			var got personDoc
			err := unmarshalPersonDoc([]byte(c.doc), &got)
			sameError(t, wantErr, err)
			assert.Equal(t, want, got)
			assert.Equal(t, c.fast, scanPersonDoc([]byte(c.doc), new(personDoc)), "read by the scan")
		})
	}
}

func sameError(t *testing.T, want, got error) {
	t.Helper()
	if want == nil {
		assert.NoError(t, got)
		return
	}
	if assert.Error(t, got) {
		assert.Equal(t, want.Error(), got.Error())
	}
}

// decodeOcc puts the person docs back where encodeOcc took them from.
func TestDecodeOccRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	o := &cadence.Occurrence{ID: "x", RitualID: "r", Scheduled: at, Status: cadence.StatusOpen, Expected: []string{"ana", "bo"},
		Excused: map[string]string{"cy": "ooo"}, PromptAt: map[string]time.Time{"ana": at, "bo": at},
		CloseAt: map[string]time.Time{}, Prompted: map[string]time.Time{"ana": at}, Reminded: map[string]int{"ana": 1}}
	s, err := encodeOcc(o)
	require.NoError(t, err)
	people := map[string][]byte{}
	for p, sp := range s.people {
		people[p] = sp.doc
	}
	got, err := decodeOcc(o.ID, s.doc, o.Expected, people)
	require.NoError(t, err)
	assert.Equal(t, o, got)
}
