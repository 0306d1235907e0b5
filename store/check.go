package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// maxCheckErrors is how many of the check's findings an error names.
const maxCheckErrors = 3

// checkPages runs bbolt's consistency check (every page reachable once,
// page types, key order, freelist) before anything else reads or
// writes: a damaged page is otherwise found only when a request walks
// it, as a panic. It visits each page once, so its time grows with the
// file: for a year of 200 people (67 MB) 15–20 ms from the page cache,
// 67 ms right after the file was written (BenchmarkCheckYear/check).
// Nothing may write while it runs (a read-only-mode check).
func (db *DB) checkPages() error {
	found, n, err := checkBolt(db.bolt)
	if err != nil {
		return fmt.Errorf("check database %s: %w", db.path, err)
	}
	if n == 0 {
		return nil
	}
	return db.damageReport(found, n)
}

// damageReport is the error for n findings of the check, found the first
// few, naming the copy to restore.
func (db *DB) damageReport(found []string, n int) error {
	why := fmt.Sprintf("bbolt's consistency check found %d damaged page(s) (%s", n, strings.Join(found, "; "))
	if n > len(found) {
		why += fmt.Sprintf("; and %d more", n-len(found))
	}
	why += "); " + restoreAdvice(db.path)
	return &openError{msg: fmt.Sprintf("database %s is damaged: %s", db.path, why), kind: ErrCorrupt}
}

// CheckedCopySuffix names the copy Open keeps of the last database that
// passed the check (Options.KeepCheckedCopy): path + ".good".
const CheckedCopySuffix = ".good"

// restoreAdvice names the backup to restore: the checked copy when there
// is one, or where backups come from.
func restoreAdvice(path string) string {
	good := path + CheckedCopySuffix
	fi, err := os.Stat(good)
	switch {
	case err == nil && fi.Mode().IsRegular():
		return fmt.Sprintf("stop the bot and restore the copy kept at the last clean start: cp %s %s (it is from %s; what changed since is lost), or a newer backup of your own",
			good, path, fi.ModTime().UTC().Format(time.RFC3339))
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("restore your latest backup (the copy %s cannot be read: %v)", good, err)
	}
	return fmt.Sprintf("restore your latest backup over %s (made with `cadencebot backup --out` or GET /api/backup)", path)
}

// keepCheckedCopy writes path+".good" from the file that just passed the
// check (about 105 ms for that year, BenchmarkCheckYear/copy), so a later damaged file has a known-good copy to restore. It
// is skipped when the copy would leave less free space than the
// database's own size (the copy must never be what fills the disk), and
// a failure is only logged: the bot runs without it.
func (db *DB) keepCheckedCopy(opts Options) {
	good := db.path + CheckedCopySuffix
	if fi, err := os.Stat(db.path); err == nil {
		if free, ok := freeBytes(filepath.Dir(db.path)); ok && free < 2*uint64(fi.Size()) {
			opts.Logger.Warn().Str("copy", good).Uint64("free_bytes", free).Int64("database_bytes", fi.Size()).
				Msg("too little free space to keep a checked copy of the database; the old copy, if any, stays")
			return
		}
	}
	if _, err := db.BackupFile(good); err != nil {
		opts.Logger.Warn().Err(err).Str("copy", good).Msg("could not keep a checked copy of the database")
	}
}
