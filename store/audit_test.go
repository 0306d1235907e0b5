package store_test

import (
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// writeAudit appends n entries through a real store and closes it.
func writeAudit(t *testing.T, path string, n int) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	require.NoError(t, err)
	update(t, db, func(tx cadence.Tx) error {
		for i := 0; i < n; i++ {
			_, err := cadence.AppendAudit(tx, cadence.AuditEntry{
				At: t0.Add(time.Duration(i) * time.Minute), Actor: "lea", Action: "release.approve", Target: "REL-1",
				Details: map[string]string{"approvals": "1/2"},
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, db.Close())
}

// editRaw changes the file behind the store's back, as someone with
// write access to the file could.
func editRaw(t *testing.T, path string, fn func(b *bolt.Bucket) error) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, b.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket([]byte("audit"))) }))
	require.NoError(t, b.Close())
}

func seq(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func TestAuditTamperingInTheFileIsDetected(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(b *bolt.Bucket) error
		want   string
	}{
		{"untouched", func(*bolt.Bucket) error { return nil }, ""},
		{"actor edited", func(b *bolt.Bucket) error {
			v := strings.Replace(string(b.Get(seq(2))), `"actor":"lea"`, `"actor":"root"`, 1)
			return b.Put(seq(2), []byte(v))
		}, "entry 2: its content does not match its hash: the entry was modified"},
		{"entry deleted", func(b *bolt.Bucket) error { return b.Delete(seq(2)) }, "entry 3: expected sequence number 2 here: an entry was removed or inserted"},
		{"entry replaced by a copy of another", func(b *bolt.Bucket) error { return b.Put(seq(2), b.Get(seq(3))) }, "entry 3: expected sequence number 2 here"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cadence.db")
			writeAudit(t, path, 4)
			editRaw(t, path, tc.tamper)
			db := openAt(t, path)
			view(t, db, func(tx cadence.Tx) error {
				v, err := cadence.VerifyAudit(tx)
				if tc.want == "" {
					require.NoError(t, err)
					assert.Equal(t, 4, v.Entries)
					return nil
				}
				require.ErrorIs(t, err, cadence.ErrAuditTampered)
				assert.Contains(t, err.Error(), tc.want)
				return nil
			})
		})
	}
}

// A file written before the MLOps buckets existed gains them on open.
func TestMigrationAddsOpsBuckets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	writeV1(t, path, nil)
	db := openAt(t, path)
	update(t, db, func(tx cadence.Tx) error {
		if err := tx.PutIncident(&cadence.Incident{Number: 1, Title: "drift", Status: cadence.IncidentOpen}); err != nil {
			return err
		}
		_, err := cadence.AppendAudit(tx, cadence.AuditEntry{At: t0, Actor: "lea", Action: "incident.open", Target: "INC-1"})
		return err
	})
	view(t, db, func(tx cadence.Tx) error {
		n, err := tx.LastIncidentNumber()
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		_, err = cadence.VerifyAudit(tx)
		return err
	})
}
