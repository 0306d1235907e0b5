package store

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// decodeCore must read every record exactly as a whole decode does,
// whatever the people's IDs hold, and must not lose what follows them.
func TestDecodeCoreMatchesDecode(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	full := func(expected []string) string {
		raw, err := json.Marshal(occurrenceRecord{ID: "o1", RitualID: "standup", Scheduled: at, Status: "open",
			Facilitator: `fa"c`, Expected: expected, Maps: []string{"m1"}, SkipReason: "], \"expected\":[", SkippedBy: "x"})
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	many := make([]string, 1000)
	for i := range many {
		many[i] = "p" + strings.Repeat("9", i%7)
	}
	cases := []struct {
		name string
		in   string
		cut  bool // the fast path applies
	}{
		{"many people", full(many), true},
		{"quotes and backslashes in ids", full([]string{`a"b`, `c\`, `\\`, `]`, `,"x":1`, `\"`}), true},
		{"unicode escapes", full([]string{"<ü>", "\u2028"}), true},
		{"empty list", full([]string{}), true},
		{"null list", full(nil), false},
		{"list last", `{"id":"o1","status":"open","expected":["a","b"]}`, true},
		{"list only", `{"expected":["a"]}`, false},
		{"spaces", `{ "id" : "o1" , "expected":[ "a" , "b" ] , "status" : "open" }`, true},
		{"not strings", `{"id":"o1","expected":[1,2],"status":"open"}`, false},
		{"no list", `{"id":"o1","status":"open"}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, ok := withoutExpected([]byte(c.in)); ok != c.cut {
				t.Errorf("cut = %v, want %v", ok, c.cut)
			}
			var want, got occurrenceCore
			werr := decode([]byte("k"), []byte(c.in), &want)
			gerr := decodeCore([]byte("k"), []byte(c.in), &got)
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("errors differ: decode %v, decodeCore %v", werr, gerr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decodeCore = %+v, want %+v", got, want)
			}
		})
	}
}

// A broken record still fails: cutting the list must not hide damage
// elsewhere, nor turn a broken list into a readable record.
func TestDecodeCoreRejectsBrokenRecords(t *testing.T) {
	for _, in := range []string{
		`{"id":"o1","expected":["a","b"],"status":`,
		`{"id":"o1","expected":["a","b"`,
		`{"id":"o1","expected":["a" "b"],"status":"open"}`,
		`{"id":"o1","expected":["a\"],"status":"open"}`,
		`{"id":1,"expected":["a"],"status":"open"}`,
	} {
		var r occurrenceCore
		if err := decodeCore([]byte("k"), []byte(in), &r); err == nil {
			t.Errorf("decodeCore(%s) = %+v, want an error", in, r)
		}
	}
}
