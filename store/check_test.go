package store_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// inUsePages lists the pages of a closed database by type ("leaf",
// "branch"), leaving out free ones, and returns the page size.
func inUsePages(t *testing.T, path string) (map[string][]int, int) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	require.NoError(t, err)
	defer b.Close()
	pages := map[string][]int{}
	require.NoError(t, b.View(func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			info, err := tx.Page(id)
			if err != nil {
				return err
			}
			if info == nil {
				return nil
			}
			pages[info.Type] = append(pages[info.Type], id)
		}
	}))
	return pages, b.Info().PageSize
}

func overwritePage(t *testing.T, path string, id, pageSize int, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.WriteAt(b[:pageSize], int64(id*pageSize))
	require.NoError(t, err)
}

// One overwritten page in use, the fault a disk or a stray write leaves:
// Open refuses the file and says what to restore, instead of letting a
// request panic on it later.
func TestOpenRefusesAnOverwrittenPage(t *testing.T) {
	tests := []struct {
		name    string
		damage  func(t *testing.T, path string, pages map[string][]int, pageSize int)
		keepCpy bool
		want    string
	}{
		{"garbage over a leaf", func(t *testing.T, path string, pages map[string][]int, ps int) {
			overwritePage(t, path, pages["leaf"][len(pages["leaf"])/2], ps, randomBytes(ps))
		}, false, "restore your latest backup over "},
		{"garbage over a branch", func(t *testing.T, path string, pages map[string][]int, ps int) {
			overwritePage(t, path, pages["branch"][0], ps, randomBytes(ps))
		}, false, "restore your latest backup over "},
		{"zeros over a leaf", func(t *testing.T, path string, pages map[string][]int, ps int) {
			overwritePage(t, path, pages["leaf"][0], ps, make([]byte, ps))
		}, false, "restore your latest backup over "},
		{"a leaf written over another leaf", func(t *testing.T, path string, pages map[string][]int, ps int) {
			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			from, to := pages["leaf"][1], pages["leaf"][len(pages["leaf"])-1]
			overwritePage(t, path, to, ps, raw[from*ps:])
		}, false, "restore your latest backup over "},
		{"garbage over a leaf, with a checked copy", func(t *testing.T, path string, pages map[string][]int, ps int) {
			overwritePage(t, path, pages["leaf"][len(pages["leaf"])/2], ps, randomBytes(ps))
		}, true, "restore the copy kept at the last clean start: cp "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cadence.db")
			populated(t, path, 2000)
			db, err := store.Open(path, store.Options{KeepCheckedCopy: tc.keepCpy})
			require.NoError(t, err, "clean before the damage")
			require.NoError(t, db.Close())
			pages, pageSize := inUsePages(t, path)
			require.NotEmpty(t, pages["leaf"])
			require.NotEmpty(t, pages["branch"], "enough data for a branch page")
			tc.damage(t, path, pages, pageSize)

			db, err = store.Open(path, store.Options{Timeout: 50 * time.Millisecond})
			if err == nil {
				_ = db.Close()
			}
			require.ErrorIs(t, err, store.ErrCorrupt)
			// The root and freelist pages are read before bbolt maps the
			// file (header.go); any other page is bbolt's check's.
			assert.Regexp(t, "^database "+regexp.QuoteMeta(path)+" (is damaged: bbolt's consistency check found |is not a readable cadencebot database: root page )", err.Error())
			assert.Contains(t, err.Error(), tc.want)
			if tc.keepCpy {
				assert.Contains(t, err.Error(), "cp "+path+".good "+path)
			}
			_, err = store.Open(path, store.Options{Timeout: 50 * time.Millisecond})
			require.ErrorIs(t, err, store.ErrCorrupt, "a refused open keeps no lock")
		})
	}
}

// The checked copy is a whole database: restoring it brings the data back.
func TestCheckedCopyRestores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadence.db")
	populated(t, path, 300)
	db, err := store.Open(path, store.Options{KeepCheckedCopy: true})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	pages, pageSize := inUsePages(t, path)
	overwritePage(t, path, pages["leaf"][0], pageSize, randomBytes(pageSize))
	_, err = store.Open(path, store.Options{})
	require.ErrorIs(t, err, store.ErrCorrupt)

	raw, err := os.ReadFile(path + store.CheckedCopySuffix)
	require.NoError(t, err)
	writeFile(t, path, raw)
	db = openAt(t, path)
	view(t, db, func(tx cadence.Tx) error {
		got, err := tx.Answers(cadence.OccurrenceID("triage", t0))
		require.NoError(t, err)
		assert.Len(t, got, 300)
		return nil
	})
}
