package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// writeV1 builds, with bbolt alone, the file a schema-1 cadencebot wrote:
// primary buckets with JSON values and no secondary indexes.
func writeV1(t *testing.T, path string, extra map[string]map[string]string) {
	t.Helper()
	data := map[string]map[string]string{
		"meta":         {"schema": "1"},
		"ritual_state": {"triage": `{"ritual_id":"triage","cursor":"2026-03-02T08:30:00Z","rotation":3}`},
		"occurrences": {
			"2026-03-02T08:30:00.000000000Z/triage@20260302T083000Z": `{"id":"triage@20260302T083000Z","ritual_id":"triage","scheduled":"2026-03-02T08:30:00Z","status":"closed","expected":["ana","bo"]}`,
			"2026-03-09T08:30:00.000000000Z/triage@20260309T083000Z": `{"id":"triage@20260309T083000Z","ritual_id":"triage","scheduled":"2026-03-09T08:30:00Z","status":"open","expected":["ana"],"excused":{"bo":"out of office"},"prompted":{"ana":"2026-03-09T08:30:00Z"},"reminded":{"ana":1}}`,
		},
		"answers": {
			"triage@20260302T083000Z/ana": `{"occurrence_id":"triage@20260302T083000Z","ritual_id":"triage","person_id":"ana","responses":[{"question_id":"blockers","text":"none"}],"submitted_at":"2026-03-02T09:00:00Z"}`,
			"triage@20260309T083000Z/ana": `{"occurrence_id":"triage@20260309T083000Z","ritual_id":"triage","person_id":"ana","responses":[{"question_id":"blockers","text":"CI is red"}],"submitted_at":"2026-03-09T09:00:00Z"}`,
		},
		"outbox": {
			"occ/triage@20260309T083000Z/agenda":     `{"key":"occ/triage@20260309T083000Z/agenda","kind":"agenda","platform":"local","to_channel":"mlops","created_at":"2026-03-09T08:30:00Z","state":"sent","ref_channel":"mlops","ref_id":"1"}`,
			"occ/triage@20260309T083000Z/prompt/bo":  `{"key":"occ/triage@20260309T083000Z/prompt/bo","kind":"prompt","platform":"local","to_person":"bo","created_at":"2026-03-09T08:30:01Z","state":"pending","next_attempt_at":"2026-03-09T08:31:00Z"}`,
			"occ/triage@20260309T083000Z/prompt/ana": `{"key":"occ/triage@20260309T083000Z/prompt/ana","kind":"prompt","platform":"local","to_person":"ana","created_at":"2026-03-09T08:30:01Z","state":"failed","last_error":"channel_not_found"}`,
		},
		"person_state": {"bo": `{"person_id":"bo","out_of_office":[{"from":"2026-03-09","to":"2026-03-13","note":"conference"}]}`},
		"kv":           {},
	}
	for b, kv := range extra {
		for k, v := range kv {
			data[b][k] = v
		}
	}
	b, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, b.Update(func(tx *bolt.Tx) error {
		for name, kv := range data {
			bk, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			for k, v := range kv {
				if err := bk.Put([]byte(k), []byte(v)); err != nil {
					return err
				}
			}
		}
		slack, err := tx.Bucket([]byte("kv")).CreateBucket([]byte("slack"))
		if err != nil {
			return err
		}
		return slack.Put([]byte("email/ana@example.com"), []byte("U0123ABC"))
	}))
	require.NoError(t, b.Close())
}

func schemaOnDisk(t *testing.T, path string) string {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer b.Close()
	var v string
	require.NoError(t, b.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket([]byte("meta")).Get([]byte("schema")))
		return nil
	}))
	return v
}

func TestMigrateFromV1BuildsIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	writeV1(t, path, nil)

	db := openAt(t, path)
	occ1, occ2 := "triage@20260302T083000Z", "triage@20260309T083000Z"
	view(t, db, func(tx cadence.Tx) error {
		o, err := tx.Occurrence(occ2)
		require.NoError(t, err, "the ID index is filled from v1 data")
		assert.Equal(t, cadence.StatusOpen, o.Status)
		assert.Equal(t, []string{"ana"}, o.Expected)
		assert.Equal(t, map[string]string{"bo": "out of office"}, o.Excused, "per-person state moved to its records (v8)")
		assert.Equal(t, map[string]int{"ana": 1}, o.Reminded)
		assert.Equal(t, map[string]time.Time{"ana": t0.AddDate(0, 0, 7)}, o.Prompted)
		assert.Nil(t, o.PromptAt, "a map the record did not have stays nil")
		ana, err := tx.OccurrenceFor(occ2, "ana")
		require.NoError(t, err)
		assert.Equal(t, o.For("ana"), ana)

		list, err := tx.Occurrences(cadence.OccurrenceFilter{From: t0.Add(24 * time.Hour)})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, occ2, list[0].ID)

		open, err := tx.Occurrences(cadence.OccurrenceFilter{Status: []cadence.Status{cadence.StatusOpen}})
		require.NoError(t, err)
		require.Len(t, open, 1, "the open index (v4) is filled from v1 data")
		assert.Equal(t, occ2, open[0].ID)

		as, err := tx.AnswersBetween(t0, t0.Add(24*time.Hour))
		require.NoError(t, err)
		require.Len(t, as, 1, "the time index is filled from v1 answers")
		assert.Equal(t, occ1, as[0].OccurrenceID)
		assert.Equal(t, []cadence.Response{{QuestionID: "blockers", Text: "none"}}, as[0].Responses, "the text moved to answer_texts (v7)")
		a, err := tx.Answer(occ2, "ana")
		require.NoError(t, err)
		assert.Equal(t, "CI is red", a.Text("blockers"))
		assert.Equal(t, t0.AddDate(0, 0, 7).Add(30*time.Minute), a.SubmittedAt)

		due, err := tx.Due(t0.AddDate(0, 0, 7).Add(time.Minute), 10)
		require.NoError(t, err)
		require.Len(t, due, 1, "only the pending message is due")
		assert.Equal(t, "occ/triage@20260309T083000Z/prompt/bo", due[0].Key)

		msgs, err := tx.Messages(cadence.MessageFilter{})
		require.NoError(t, err)
		keys := make([]string, len(msgs))
		for i, m := range msgs {
			keys[i] = m.Key
		}
		assert.Equal(t, []string{
			"occ/triage@20260309T083000Z/agenda",
			"occ/triage@20260309T083000Z/prompt/ana",
			"occ/triage@20260309T083000Z/prompt/bo",
		}, keys, "oldest first, ties by key")

		rs, err := tx.RitualState("triage")
		require.NoError(t, err)
		assert.Equal(t, 3, rs.Rotation)
		ps, err := tx.PersonState("bo")
		require.NoError(t, err)
		assert.Equal(t, []cadence.DateRange{{From: cadence.Date{Year: 2026, Month: 3, Day: 9}, To: cadence.Date{Year: 2026, Month: 3, Day: 13}, Note: "conference"}}, ps.OutOfOffice)
		v, err := tx.Get("slack", "email/ana@example.com")
		require.NoError(t, err)
		assert.Equal(t, "U0123ABC", string(v))
		return nil
	})
	require.NoError(t, db.View(context.Background(), func(tx cadence.Tx) error {
		ready, err := cadence.AggregatesReady(tx)
		require.NoError(t, err)
		assert.True(t, ready, "aggregates are built from the facts on the first open (v6)")
		oa, err := tx.OccurrenceAggregate(occ1)
		require.NoError(t, err, "the closed occurrence is aggregated")
		assert.Equal(t, 2, oa.Expected)
		return nil
	}))
	require.NoError(t, db.Close())
	assert.Equal(t, strconv.Itoa(store.SchemaVersion()), schemaOnDisk(t, path))
	assert.Equal(t, 15, store.SchemaVersion())
}

func TestFailedMigrationLeavesFileAsItWas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	writeV1(t, path, map[string]map[string]string{
		"answers": {"standup/ana": `{"occurrence_id":"standup","ritual_id":"standup","person_id":"ana"}`},
	})
	_, err := store.Open(path, store.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "migrate database "+path+" from schema 1 to 2")
	assert.Contains(t, err.Error(), `"standup/ana"`)
	assert.Contains(t, err.Error(), "want RITUAL@YYYYMMDDTHHMMSSZ")
	assert.Equal(t, "1", schemaOnDisk(t, path))
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	newer := store.SchemaVersion() + 2
	writeV1(t, path, map[string]map[string]string{"meta": {"schema": strconv.Itoa(newer)}})
	_, err := store.Open(path, store.Options{})
	require.ErrorIs(t, err, store.ErrSchemaTooNew)
	assert.EqualError(t, err, fmt.Sprintf("database %s has schema version %d, newer than this cadencebot understands (%d): upgrade cadencebot, or restore a backup made by this version", path, newer, store.SchemaVersion()))
}

func TestOpenRefusesUnreadableSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	writeV1(t, path, map[string]map[string]string{"meta": {"schema": "two"}})
	_, err := store.Open(path, store.Options{})
	require.ErrorIs(t, err, store.ErrCorrupt)
	assert.Contains(t, err.Error(), `schema version "two" in bucket "meta" is not a positive number`)
}
