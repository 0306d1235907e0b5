package store_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

func TestBackupOpensAndHoldsTheData(t *testing.T) {
	dir := t.TempDir()
	db := openAt(t, filepath.Join(dir, "cadence.db"))
	o := occ("triage", t0, cadence.StatusOpen)
	update(t, db, func(tx cadence.Tx) error {
		require.NoError(t, tx.PutOccurrence(o))
		require.NoError(t, tx.PutAnswer(answerFor(o.ID, "ana")))
		_, err := tx.Enqueue(msg("occ/"+o.ID+"/prompt/bo", t0))
		return err
	})

	var buf bytes.Buffer
	n, err := db.Backup(&buf)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)
	streamed := filepath.Join(dir, "streamed.db")
	require.NoError(t, os.WriteFile(streamed, buf.Bytes(), 0o600))

	file := filepath.Join(dir, "file.db")
	require.NoError(t, os.WriteFile(file, []byte("yesterday's backup"), 0o600))
	n, err = db.BackupFile(file)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)

	for _, path := range []string{streamed, file} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b := openAt(t, path)
			view(t, b, func(tx cadence.Tx) error {
				got, err := tx.Occurrence(o.ID)
				require.NoError(t, err)
				assert.Equal(t, o.Scheduled, got.Scheduled)
				_, err = tx.Answer(o.ID, "ana")
				require.NoError(t, err)
				due, err := tx.Due(t0, 0)
				require.NoError(t, err)
				assert.Len(t, due, 1)
				return nil
			})
		})
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"cadence.db", "streamed.db", "file.db"}, names, "no temporary file left")
}

func TestBackupFileRefusesTheLiveDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	db := openAt(t, path)
	_, err := db.BackupFile(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "that is the live database itself")
}

// A backup taken while answers are being written is one transaction's
// view: every Update writes a pair, so the copy never holds half of one.
func TestBackupDuringWritesIsConsistent(t *testing.T) {
	dir := t.TempDir()
	db := openAt(t, filepath.Join(dir, "cadence.db"))
	occ := cadence.OccurrenceID("standup", t0)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			err := db.Update(t.Context(), func(tx cadence.Tx) error {
				if err := tx.PutAnswer(answerFor(occ, fmt.Sprintf("p%03d-a", i))); err != nil {
					return err
				}
				return tx.PutAnswer(answerFor(occ, fmt.Sprintf("p%03d-b", i)))
			})
			if !assert.NoError(t, err) {
				return
			}
		}
	})
	var backups []string
	for i := range 5 {
		p := filepath.Join(dir, fmt.Sprintf("b%d.db", i))
		_, err := db.BackupFile(p)
		require.NoError(t, err)
		backups = append(backups, p)
	}
	wg.Wait()
	for _, p := range backups {
		b := openAt(t, p)
		view(t, b, func(tx cadence.Tx) error {
			got, err := tx.Answers(occ)
			require.NoError(t, err)
			assert.Zero(t, len(got)%2, "%s holds %d answers", filepath.Base(p), len(got))
			return nil
		})
	}
}
