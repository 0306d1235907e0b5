package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
)

// TestMigrationRewritesOccurrencesInBinary: a schema-14 file, its
// occurrence and person records in JSON, is rewritten in the binary
// form and reads the same, whole and one person at a time.
func TestMigrationRewritesOccurrencesInBinary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	at := time.Date(2026, 3, 9, 8, 30, 0, 0, time.UTC)
	o := &cadence.Occurrence{ID: cadence.OccurrenceID("revue-été", at), RitualID: "revue-été", Scheduled: at, Status: cadence.StatusOpen,
		DueAt: at, OpenedAt: at, ClosesAt: at.Add(8 * time.Hour), Expected: []string{"ana", "zoë"},
		Excused: map[string]string{"bo": "congé 🌴"}, PromptAt: map[string]time.Time{"ana": at}, CloseAt: map[string]time.Time{},
		Prompted: map[string]time.Time{"ana": at.Add(time.Second)}, Reminded: map[string]int{"zoë": 2}}
	db, err := Open(path, Options{})
	require.NoError(t, err)
	require.NoError(t, db.Update(context.Background(), func(tx cadence.Tx) error { return tx.PutOccurrence(o) }))
	require.NoError(t, db.Close())

	// Back to schema 14: the same records in JSON.
	b, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	jsonValues := map[string]int{}
	require.NoError(t, b.Update(func(btx *bolt.Tx) error {
		for _, x := range []struct {
			name   []byte
			decode func(k, v []byte) (any, error)
		}{
			{bucketOccurrences, func(k, v []byte) (any, error) { var r occurrenceRecord; return r, decodeOccurrence(k, v, &r) }},
			{bucketOccurrencePeople, func(k, v []byte) (any, error) { var r occPersonRecord; return r, decodePerson(k, v, &r) }},
		} {
			bk := btx.Bucket(x.name)
			var keys, vals [][]byte
			if err := bk.ForEach(func(k, v []byte) error {
				require.True(t, isOccBinary(v), "%s %s written binary", x.name, k)
				r, err := x.decode(k, v)
				require.NoError(t, err)
				j, err := json.Marshal(r)
				require.NoError(t, err)
				keys, vals = append(keys, append([]byte(nil), k...)), append(vals, j)
				return nil
			}); err != nil {
				return err
			}
			for i := range keys {
				jsonValues[string(x.name)+" "+string(keys[i])] = len(vals[i])
				if err := bk.Put(keys[i], vals[i]); err != nil {
					return err
				}
			}
		}
		return btx.Bucket(bucketMeta).Put(schemaKey, []byte("14"))
	}))
	require.NoError(t, b.Close())
	require.Len(t, jsonValues, 4, "the occurrence and three people")

	db, err = Open(path, Options{})
	require.NoError(t, err)
	require.NoError(t, db.View(context.Background(), func(tx cadence.Tx) error {
		got, err := tx.Occurrence(o.ID)
		require.NoError(t, err)
		assert.Equal(t, o, got)
		one, err := tx.OccurrenceFor(o.ID, "zoë")
		require.NoError(t, err)
		assert.Equal(t, []string{"zoë"}, one.Expected)
		assert.Equal(t, map[string]int{"zoë": 2}, one.Reminded)
		return nil
	}))
	require.NoError(t, db.Close())
	b, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer b.Close()
	require.NoError(t, b.View(func(btx *bolt.Tx) error {
		assert.Equal(t, "15", string(btx.Bucket(bucketMeta).Get(schemaKey)))
		for _, name := range [][]byte{bucketOccurrences, bucketOccurrencePeople} {
			require.NoError(t, btx.Bucket(name).ForEach(func(k, v []byte) error {
				assert.True(t, isOccBinary(v), "%s %s rewritten", name, k)
				assert.Less(t, len(v), jsonValues[string(name)+" "+string(k)], "%s %s smaller", name, k)
				return nil
			}))
		}
		return nil
	}))
}
