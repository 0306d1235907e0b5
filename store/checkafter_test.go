package store_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

var checkAfter = store.Options{KeepCheckedCopy: true, CheckAfterOpen: true, Timeout: 50 * time.Millisecond}

// A clean file: Open returns before the page check, which then passes and
// leaves a checked copy that restores the data; nothing is left behind.
func TestCheckAfterOpenKeepsACheckedCopy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cadence.db")
	populated(t, path, 300)
	db, err := store.Open(path, checkAfter)
	require.NoError(t, err)
	require.NoError(t, db.WaitChecked())
	st := db.CheckState()
	assert.False(t, st.Running)
	assert.NoError(t, st.Damage)
	assert.False(t, st.Finished.IsZero())
	update(t, db, func(tx cadence.Tx) error {
		return tx.PutAnswer(answerFor(cadence.OccurrenceID("triage", t0), "late-comer"))
	})
	require.NoError(t, db.Close())

	assertOnly(t, dir, "cadence.db", "cadence.db.good")
	raw, err := os.ReadFile(path + store.CheckedCopySuffix)
	require.NoError(t, err)
	writeFile(t, path, raw)
	db = openAt(t, path)
	view(t, db, func(tx cadence.Tx) error {
		got, err := tx.Answers(cadence.OccurrenceID("triage", t0))
		require.NoError(t, err)
		assert.Len(t, got, 300, "the copy is the file as opened, before the start wrote")
		return nil
	})
}

// A page damaged where only the full check looks: Open succeeds, the check
// after it finds the damage, every write from then on is refused, and the
// old checked copy stays as it was (the damaged file never replaces it).
func TestCheckAfterOpenFindsDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cadence.db")
	populated(t, path, 2000)
	db, err := store.Open(path, store.Options{KeepCheckedCopy: true})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	good, err := os.ReadFile(path + store.CheckedCopySuffix)
	require.NoError(t, err)
	pages, pageSize := inUsePages(t, path)
	overwritePage(t, path, pages["leaf"][len(pages["leaf"])/2], pageSize, randomBytes(pageSize))

	db, err = store.Open(path, checkAfter)
	require.NoError(t, err, "the meta, root and freelist pages are sound")
	err = db.WaitChecked()
	require.ErrorIs(t, err, store.ErrCorrupt)
	assert.Contains(t, err.Error(), "database "+path+" is damaged: bbolt's consistency check found ")
	assert.Contains(t, err.Error(), "cp "+path+".good "+path)
	assert.Equal(t, err, db.CheckState().Damage)

	err = db.Update(context.Background(), func(tx cadence.Tx) error { return tx.Put("test", "k", []byte("v")) })
	require.ErrorIs(t, err, store.ErrCorrupt, "no write after the damage is found")
	require.ErrorIs(t, db.ProbeWrite(context.Background()), store.ErrCorrupt)
	require.NoError(t, db.Close())

	after, err := os.ReadFile(path + store.CheckedCopySuffix)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(good, after), "the checked copy is untouched")
	assertOnly(t, dir, "cadence.db", "cadence.db.good")
}

// A file Open must write to before it runs (here: aggregates to rebuild)
// is checked inside Open, as without CheckAfterOpen: nothing rewrites a
// damaged file.
func TestCheckAfterOpenChecksFirstWhenOpenWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	populated(t, path, 2000)
	db := openAt(t, path)
	update(t, db, func(tx cadence.Tx) error { return cadence.Unwrap(tx).Delete("cadence", "aggregates") })
	require.NoError(t, db.Close())
	pages, pageSize := inUsePages(t, path)
	overwritePage(t, path, pages["leaf"][len(pages["leaf"])/2], pageSize, randomBytes(pageSize))

	db, err := store.Open(path, checkAfter)
	if err == nil {
		_ = db.Close()
	}
	require.ErrorIs(t, err, store.ErrCorrupt)
	assert.Contains(t, err.Error(), "is damaged: bbolt's consistency check found ")
}

// The freelist is read before bbolt maps the file: a damaged one would
// hand out pages in use to the first commit, before any check after the
// open could say so.
func TestOpenRefusesADamagedFreelist(t *testing.T) {
	tests := []struct {
		name   string
		damage func(page []byte, pgid uint64)
		want   string
	}{
		{"not a freelist page", func(p []byte, _ uint64) { binary.NativeEndian.PutUint16(p[8:], 0x02) }, "is not a freelist page"},
		{"a free page past the end", func(p []byte, pgid uint64) {
			binary.NativeEndian.PutUint16(p[10:], 1)
			binary.NativeEndian.PutUint64(p[16:], pgid+3)
		}, "is past the end"},
		{"a free page twice", func(p []byte, _ uint64) {
			binary.NativeEndian.PutUint16(p[10:], 2)
			binary.NativeEndian.PutUint64(p[16:], 5)
			binary.NativeEndian.PutUint64(p[24:], 5)
		}, "is out of order or twice"},
		{"more free pages than the page holds", func(p []byte, _ uint64) {
			binary.NativeEndian.PutUint16(p[10:], 0xFFFF)
			binary.NativeEndian.PutUint64(p[16:], 1<<40)
		}, "more than its"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cadence.db")
			populated(t, path, 300)
			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			e := binary.NativeEndian
			pageSize := int(e.Uint32(raw[24:]))
			meta := raw[:pageSize]
			if m1 := raw[pageSize : 2*pageSize]; e.Uint64(m1[64:]) > e.Uint64(meta[64:]) {
				meta = m1
			}
			freelist, pgid := e.Uint64(meta[48:]), e.Uint64(meta[56:])
			tc.damage(raw[int(freelist)*pageSize:int(freelist+1)*pageSize], pgid)
			writeFile(t, path, raw)

			db, err := store.Open(path, checkAfter)
			if err == nil {
				_ = db.Close()
			}
			require.ErrorIs(t, err, store.ErrCorrupt)
			assert.Contains(t, err.Error(), "freelist page ")
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "restore your latest backup over "+path)
		})
	}
}

// assertOnly says dir holds exactly names: no snapshot left behind.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") {
			got = append(got, e.Name())
		}
	}
	assert.ElementsMatch(t, names, got)
}
