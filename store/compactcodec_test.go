package store

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompactRecordRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 9, 8, 30, 1, 123456789, time.UTC)
	for _, tc := range []struct {
		name string
		r    compactRecord
	}{
		{"prompt", compactRecord{Key: "occ/triage@20260309T083000Z/prompt/ana", Kind: "prompt", Platform: "slack", ToPerson: "ana",
			RitualID: "triage", OccurrenceID: "triage@20260309T083000Z", CreatedAt: at, Revision: 1, SentRevision: 1, State: "sent",
			RefChannel: "D07QK2M4V9B", RefID: "1773045001.123456", SentAt: at.Add(time.Second)}},
		{"summary in the agenda's thread", compactRecord{Key: "occ/triage@20260309T083000Z/summary", Kind: "summary", Platform: "slack",
			ToChannel: "C1", RitualID: "triage", OccurrenceID: "triage@20260309T083000Z", Thread: "occ/triage@20260309T083000Z/agenda",
			CreatedAt: at, Revision: 412, SentRevision: 412, State: "sent", RefChannel: "C1", RefID: "1.2", SentAt: at}},
		{"nothing derivable, never sent", compactRecord{Key: "ritual/triage/pause/2026-03-09T08:30:01Z", Kind: "notice", Platform: "teams",
			ToChannel: "19:abc@thread.tacv2", RitualID: "triage", OccurrenceID: "other@20260309T083000Z", Thread: "occ/x/agenda",
			CreatedAt: at, Revision: 2, SentRevision: 0, State: "dropped"}},
		{"a ritual ID unlike the occurrence's", compactRecord{Key: "occ/a@1/prompt/p", Kind: "prompt", RitualID: "b", OccurrenceID: "a@1",
			CreatedAt: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), State: "failed"}},
		{"years far off", compactRecord{Key: "k", Kind: "digest", CreatedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
			SentAt: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), State: "sent"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.Compacted = true
			v := encodeCompact(&tc.r)
			old, err := json.Marshal(tc.r)
			require.NoError(t, err)
			assert.Less(t, len(v), len(old)/2, "a fraction of the JSON form")
			got, err := decodeCompact([]byte(tc.r.Key), v)
			require.NoError(t, err)
			// What the JSON form read back as, the reference.
			var want messageRecord
			require.NoError(t, json.Unmarshal(old, &want))
			assert.Equal(t, want.domain(), got.domain())

			for n := range len(v) {
				_, err := decodeCompact([]byte(tc.r.Key), v[:n])
				assert.ErrorIs(t, err, ErrCorrupt, "cut at %d", n)
			}
			_, err = decodeCompact([]byte(tc.r.Key), append(bytes.Clone(v), 0))
			assert.ErrorIs(t, err, ErrCorrupt, "trailing byte")
		})
	}
}
