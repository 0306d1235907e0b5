package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// TestMigrationRewritesMessagesInBinary: whole messages stored in JSON
// before schema 14 are rewritten in the binary form, smaller, read the
// same, and move their index entries as before when written again.
func TestMigrationRewritesMessagesInBinary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	occ := "triage@20260309T083000Z"
	receipt := "occ/" + occ + "/receipt/zoë/0"
	summary := "occ/" + occ + "/summary"
	jsonForm := map[string]string{
		receipt: `{"key":"occ/triage@20260309T083000Z/receipt/zoë/0","kind":"receipt","platform":"slack","to_channel":"","to_person":"zoë","ritual_id":"triage","occurrence_id":"triage@20260309T083000Z","thread":"",` +
			`"body":{"title":"Triage — café ☕","text":"Thanks, noted. \u003cb\u003e","sections":[{"heading":"Your answers","lines":null,"entries":[{"label":"Blockers","text":"Rien 🙂"}]}],"questions":null,"prefill":{"blockers":"Rien","today":""},"actions":[{"id":"edit","label":"Edit","value":"triage@20260309T083000Z","style":"primary","late":true}],"footer":"f"},` +
			`"created_at":"2026-03-09T09:00:00.5Z","revision":1,"sent_revision":0,"state":"pending","attempts":2,"next_attempt_at":"2026-03-09T09:01:00Z","last_error":"rate limited","failing_since":"2026-03-09T09:00:30Z","ref_channel":"","ref_id":"","sent_at":"0001-01-01T00:00:00Z"}`,
		summary: `{"key":"occ/triage@20260309T083000Z/summary","kind":"summary","platform":"slack","to_channel":"mlops","to_person":"","ritual_id":"triage","occurrence_id":"triage@20260309T083000Z","thread":"occ/triage@20260309T083000Z/agenda",` +
			`"body":{"title":"Summary","text":"","sections":[],"questions":[{"id":"n","text":"How many?","required":true,"blocker":false,"type":"number","min":0,"max":10.5,"lang":"en","texts":{"de":"Wie viele?"}}],"prefill":null,"actions":null,"footer":"","image":{"name":"chart.png","alt":"a chart","png":"iVBORw0K"}},` +
			`"stale_at":"2026-03-09T12:00:00Z","late_body":{"title":"","text":"(late)","sections":null,"questions":null,"prefill":null,"actions":null,"footer":""},` +
			`"created_at":"2026-03-09T08:30:00Z","revision":4,"sent_revision":4,"state":"sent","attempts":0,"next_attempt_at":"0001-01-01T00:00:00Z","last_error":"","ref_channel":"C1","ref_id":"1773045001.123456","sent_at":"2026-03-09T08:30:02Z","updated_at":"2026-03-09T10:00:00Z"}`,
	}
	writeV1(t, path, map[string]map[string]string{"outbox": jsonForm})
	at := time.Date(2026, 3, 9, 9, 0, 0, 500_000_000, time.UTC)
	lo, hi := 0.0, 10.5
	want := map[string]*cadence.Message{
		receipt: {Key: receipt, Kind: cadence.KindReceipt, Platform: "slack", To: cadence.Recipient{Person: "zoë"}, RitualID: "triage", OccurrenceID: occ,
			Body: cadence.Body{Title: "Triage — café ☕", Text: "Thanks, noted. <b>", Sections: []cadence.Section{{Heading: "Your answers", Entries: []cadence.Entry{{Label: "Blockers", Text: "Rien 🙂"}}}},
				Prefill: map[string]string{"blockers": "Rien", "today": ""}, Actions: []cadence.Action{{ID: "edit", Label: "Edit", Value: occ, Style: "primary", Late: true}}, Footer: "f"},
			CreatedAt: at, Revision: 1, State: cadence.StatePending, Attempts: 2, NextAttemptAt: time.Date(2026, 3, 9, 9, 1, 0, 0, time.UTC),
			LastError: "rate limited", FailingSince: time.Date(2026, 3, 9, 9, 0, 30, 0, time.UTC)},
		summary: {Key: summary, Kind: cadence.KindSummary, Platform: "slack", To: cadence.Recipient{Channel: "mlops"}, RitualID: "triage", OccurrenceID: occ, Thread: cadence.AgendaKey(occ),
			Body: cadence.Body{Title: "Summary", Sections: []cadence.Section{}, Questions: []cadence.Question{{ID: "n", Text: "How many?", Required: true, Type: "number", Min: &lo, Max: &hi,
				Lang: "en", Texts: map[string]string{"de": "Wie viele?"}}}, Image: &cadence.Image{Name: "chart.png", Alt: "a chart", PNG: []byte{0x89, 'P', 'N', 'G', 0x0d, 0x0a}}},
			StaleAt: time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC), LateBody: &cadence.Body{Text: "(late)"},
			CreatedAt: time.Date(2026, 3, 9, 8, 30, 0, 0, time.UTC), Revision: 4, SentRevision: 4, State: cadence.StateSent,
			Ref: cadence.Ref{Channel: "C1", ID: "1773045001.123456"}, SentAt: time.Date(2026, 3, 9, 8, 30, 2, 0, time.UTC), UpdatedAt: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)},
	}
	db := openAt(t, path)
	view(t, db, func(tx cadence.Tx) error {
		for k, w := range want {
			m, err := tx.Message(k)
			require.NoError(t, err, k)
			assert.Equal(t, w, m, k)
		}
		due, err := tx.Due(at.Add(time.Hour), 0)
		require.NoError(t, err)
		require.Len(t, due, 2, "the receipt and writeV1's pending prompt")
		assert.Equal(t, want[receipt], due[1])
		return nil
	})
	require.NoError(t, db.Close())
	for k, v := range jsonForm {
		raw := rawMessage(t, path, k)
		assert.Equal(t, byte(0x02), raw[0], "%s in the binary form", k)
		assert.Less(t, len(raw)*2, len(v), k)
	}
	assert.Equal(t, byte(0x02), rawMessage(t, path, "occ/triage@20260309T083000Z/prompt/bo")[0], "writeV1's own messages too")

	// Written again from the binary form: the due entry goes with the
	// old state.
	db = openAt(t, path)
	sent := *want[receipt]
	sent.State, sent.SentRevision, sent.SentAt, sent.Ref = cadence.StateSent, 1, at.Add(time.Minute), cadence.Ref{Channel: "D1", ID: "2"}
	update(t, db, func(tx cadence.Tx) error { return tx.PutMessage(&sent) })
	view(t, db, func(tx cadence.Tx) error {
		m, err := tx.Message(receipt)
		require.NoError(t, err)
		assert.Equal(t, &sent, m)
		due, err := tx.Due(at.Add(time.Hour), 0)
		require.NoError(t, err)
		require.Len(t, due, 1)
		assert.Equal(t, "occ/triage@20260309T083000Z/prompt/bo", due[0].Key)
		return nil
	})
}
