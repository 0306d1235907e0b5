package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
)

func rawValue(t *testing.T, path, bucket, key string) []byte {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer b.Close()
	var v []byte
	require.NoError(t, b.View(func(tx *bolt.Tx) error {
		v = append([]byte(nil), tx.Bucket([]byte(bucket)).Get([]byte(key))...)
		return nil
	}))
	return v
}

// TestMigrationRewritesAnswersInBinary: answers stored in JSON before
// schema 13 are rewritten in the binary form, smaller, and read the same.
func TestMigrationRewritesAnswersInBinary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	occ := "triage@20260309T083000Z"
	writeV1(t, path, map[string]map[string]string{"answers": {
		occ + "/zoë": `{"occurrence_id":"triage@20260309T083000Z","ritual_id":"triage","person_id":"zoë","responses":[{"question_id":"blockers","text":"Rien — café ☕ \u003cb\u003e 🙂"},{"question_id":"today","text":""}],"submitted_at":"2026-03-09T09:00:00Z","updated_at":"2026-03-09T10:30:00.5Z","edits":2,"via":"slack-modal"}`,
		occ + "/bo":  `{"occurrence_id":"triage@20260309T083000Z","ritual_id":"other","person_id":"bo","submitted_at":"2026-03-09T09:05:00Z"}`,
	}})
	db := openAt(t, path)
	at := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	want := map[string]*cadence.Answer{
		"ana": {OccurrenceID: occ, RitualID: "triage", PersonID: "ana", Responses: []cadence.Response{{QuestionID: "blockers", Text: "CI is red"}}, SubmittedAt: at},
		"bo":  {OccurrenceID: occ, RitualID: "other", PersonID: "bo", SubmittedAt: at.Add(5 * time.Minute)},
		"zoë": {OccurrenceID: occ, RitualID: "triage", PersonID: "zoë", Responses: []cadence.Response{{QuestionID: "blockers", Text: "Rien — café ☕ <b> 🙂"}, {QuestionID: "today"}},
			SubmittedAt: at, UpdatedAt: at.Add(90*time.Minute + 500*time.Millisecond), Edits: 2, Via: "slack-modal"},
	}
	view(t, db, func(tx cadence.Tx) error {
		for person, w := range want {
			a, err := tx.Answer(occ, person)
			require.NoError(t, err, person)
			assert.Equal(t, w, a, person)
		}
		as, err := tx.Answers(occ)
		require.NoError(t, err)
		assert.Equal(t, []*cadence.Answer{want["ana"], want["bo"], want["zoë"]}, as)
		between, err := tx.SubmissionsBetween(at.Add(-time.Hour), at)
		require.NoError(t, err)
		require.Len(t, between, 3)
		assert.Nil(t, between[2].Responses)
		assert.Equal(t, 2, between[2].Edits)
		return nil
	})
	require.NoError(t, db.Close())
	for _, person := range []string{"ana", "bo", "zoë"} {
		for _, bucket := range []string{"answers", "answer_texts"} {
			raw := rawValue(t, path, bucket, occ+"/"+person)
			require.NotEmpty(t, raw, "%s of %s", bucket, person)
			assert.Equal(t, byte(0x01), raw[0], "%s of %s in the binary form", bucket, person)
		}
	}
	assert.Less(t, len(rawValue(t, path, "answers", occ+"/zoë")), 40, "the metadata leaves out what the key says")

	db = openAt(t, path)
	update(t, db, func(tx cadence.Tx) error { return tx.PutAnswer(want["bo"]) })
	view(t, db, func(tx cadence.Tx) error {
		a, err := tx.Answer(occ, "bo")
		require.NoError(t, err)
		assert.Equal(t, want["bo"], a, "rewritten by this version")
		return nil
	})
}
