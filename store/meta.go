package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"
)

// schemaKey in the meta bucket holds the schema version as decimal text.
var schemaKey = []byte("schema")

// migrations[i] moves a database from schema version i to i+1. Append
// only: a released step is never edited, since files in the field have
// already run it. Open runs the missing steps in one transaction, so a
// failed migration leaves the file as it was.
var migrations = []func(*bolt.Tx) error{
	migrateV1,  // 0 → 1: the primary bucket of each aggregate
	migrateV2,  // 1 → 2: secondary indexes, built from the primary data
	migrateV3,  // 2 → 3: incidents, follow-ups, releases, audit log (opsschema.go)
	migrateV4,  // 3 → 4: index of open occurrences
	migrateV5,  // 4 → 5: index of open follow-ups (opsschema.go)
	migrateV6,  // 5 → 6: summary figures per occurrence (summaries.go)
	migrateV7,  // 6 → 7: answer text apart from its metadata (answers.go)
	migrateV8,  // 7 → 8: an occurrence's per-person state in records of their own (occpeople.go)
	migrateV9,  // 8 → 9: aggregate buckets (aggregates.go), filled on open
	migrateV10, // 9 → 10: rituals and people managed in the store (definitions.go)
	migrateV11, // 10 → 11: compacted outbox messages in a binary form (compactcodec.go)
	migrateV12, // 11 → 12: compacted direct messages about closed occurrences deleted (compact.go)
	migrateV13, // 12 → 13: answers' metadata and text in a binary form (answercodec.go)
	migrateV14, // 13 → 14: whole outbox messages in a binary form (messagecodec.go)
	migrateV15, // 14 → 15: occurrence and person records in a binary form (occcodec.go)
}

// afterMigrationStep, when set (tests), runs after each step inside the
// migration's transaction; an error aborts it like a crash there.
var afterMigrationStep func(version int) error

// BackupPath is where Open keeps the copy of a database it is about to
// migrate from schema version from: next to it, "cadence.db.schema6.bak".
func BackupPath(path string, from int) string { return fmt.Sprintf("%s.schema%d.bak", path, from) }

// SchemaVersion is the schema this build writes.
func SchemaVersion() int { return len(migrations) }

func migrateV1(btx *bolt.Tx) error {
	for _, name := range [][]byte{
		bucketMeta, bucketRitualState, bucketOccurrences, bucketAnswers,
		bucketOutbox, bucketPersonState, bucketKV,
	} {
		if _, err := btx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %q: %w", name, err)
		}
	}
	return nil
}

// migrateV2 adds the indexes that turn lookups by occurrence ID, answer
// time ranges and the outbox's due list into cursor scans, filling them
// from what v1 stored.
func migrateV2(btx *bolt.Tx) error {
	for _, name := range [][]byte{bucketOccurrenceIDs, bucketAnswersAt, bucketOutboxDue, bucketOutboxCreated} {
		if _, err := btx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %q: %w", name, err)
		}
	}
	t := &tx{btx: btx}
	if err := t.reindexOccurrences(); err != nil {
		return err
	}
	if err := t.reindexAnswers(); err != nil {
		return err
	}
	return t.reindexOutbox()
}

// migrateV4 indexes open occurrences, which every tick lists.
func migrateV4(btx *bolt.Tx) error {
	if _, err := btx.CreateBucket(bucketOccurrencesOpen); err != nil {
		return fmt.Errorf("create bucket %q: %w", bucketOccurrencesOpen, err)
	}
	return (&tx{btx: btx}).reindexOpenOccurrences()
}

// migrateV6 adds the summary states. Occurrences opened before get
// theirs rebuilt from their answers on their next answer or close.
func migrateV6(btx *bolt.Tx) error {
	for _, name := range [][]byte{bucketSummaries, bucketSummariesDirty} {
		if _, err := btx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %q: %w", name, err)
		}
	}
	return nil
}

// migrateV7 moves each answer's responses into answer_texts, leaving its
// metadata in answers.
func migrateV7(btx *bolt.Tx) error {
	texts, err := btx.CreateBucket(bucketAnswerTexts)
	if err != nil {
		return fmt.Errorf("create bucket %q: %w", bucketAnswerTexts, err)
	}
	answers := btx.Bucket(bucketAnswers)
	if answers == nil {
		return fmt.Errorf("bucket %q is missing: %w", bucketAnswers, ErrCorrupt)
	}
	answers.FillPercent, texts.FillPercent = answerFillPercent, answerFillPercent
	type split struct {
		key        []byte
		meta, text []byte
	}
	var all []split
	// Read everything first: bbolt forbids writes during ForEach.
	if err := answers.ForEach(func(k, v []byte) error {
		var r answerRecord
		if err := decode(k, v, &r); err != nil {
			return fmt.Errorf("split answers: %w", err)
		}
		meta, err := json.Marshal(r.meta())
		if err != nil {
			return fmt.Errorf("split answers: %q: %w", k, err)
		}
		text, err := json.Marshal(r.Responses)
		if err != nil {
			return fmt.Errorf("split answers: %q: %w", k, err)
		}
		all = append(all, split{bytes.Clone(k), meta, text})
		return nil
	}); err != nil {
		return err
	}
	for _, x := range all {
		if err := answers.Put(x.key, x.meta); err != nil {
			return fmt.Errorf("split answers: %q: %w", x.key, err)
		}
		if err := texts.Put(x.key, x.text); err != nil {
			return fmt.Errorf("split answers: %q: text: %w", x.key, err)
		}
	}
	return nil
}

// migrate brings the file to SchemaVersion. A file already there is only
// read, so opening a current database writes nothing.
func (db *DB) migrate(log zerolog.Logger, readOnly bool) (err error) {
	// Damaged pages can make bbolt panic or fault while walking them.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = corrupt(db.path, fmt.Sprintf("reading the schema: %v", p), errPanicked)
		}
	}()

	var from int
	if err := db.bolt.View(func(btx *bolt.Tx) error {
		var e error
		from, e = db.schemaOf(btx)
		return e
	}); err != nil {
		return err
	}
	to := len(migrations)
	switch {
	case from > to:
		return &openError{
			msg:  fmt.Sprintf("database %s has schema version %d, newer than this cadencebot understands (%d): upgrade cadencebot, or restore a backup made by this version", db.path, from, to),
			kind: ErrSchemaTooNew,
		}
	case from == to:
		return nil
	case readOnly:
		return &openError{
			msg:  fmt.Sprintf("database %s has schema version %d, older than this cadencebot's (%d), and is open read-only: start `cadencebot run` on it once (it migrates the file), or use the cadencebot that wrote it", db.path, from, to),
			kind: ErrSchemaTooOld,
		}
	}
	if from > 0 {
		// A copy of the file as it was, before anything is rewritten.
		bak := BackupPath(db.path, from)
		if _, err := db.BackupFile(bak); err != nil {
			return fmt.Errorf("migrate database %s from schema %d to %d: no backup, so no migration: %w", db.path, from, to, err)
		}
		log.Info().Str("db", db.path).Str("backup", bak).Int("from", from).Msg("database backed up before its migration")
	}
	// All steps run in one transaction: a crash or a failure at any
	// point leaves the file at its old schema, which the next start
	// migrates again.
	err = db.bolt.Update(func(btx *bolt.Tx) error {
		for v := from; v < to; v++ {
			if err := migrations[v](btx); err != nil {
				return fmt.Errorf("migrate database %s from schema %d to %d: %w", db.path, v, v+1, err)
			}
			if afterMigrationStep != nil {
				if err := afterMigrationStep(v + 1); err != nil {
					return fmt.Errorf("migrate database %s from schema %d to %d: %w", db.path, v, v+1, err)
				}
			}
		}
		meta := btx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("migrate database %s: no meta bucket after migrations", db.path)
		}
		return meta.Put(schemaKey, []byte(strconv.Itoa(to)))
	})
	if err != nil {
		return err
	}
	log.Info().Str("db", db.path).Int("from", from).Int("to", to).Msg("database schema migrated")
	return nil
}

// schemaOf reads the schema version: 0 for a fresh file.
func (db *DB) schemaOf(btx *bolt.Tx) (int, error) {
	meta := btx.Bucket(bucketMeta)
	if meta == nil {
		var other []byte
		_ = btx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			other = append([]byte(nil), name...)
			return errStop
		})
		if other != nil {
			return 0, corrupt(db.path, fmt.Sprintf("it has a bucket %q but no %q bucket: another program's bbolt file?", other, bucketMeta), nil)
		}
		return 0, nil
	}
	raw := meta.Get(schemaKey)
	v, err := strconv.Atoi(string(raw))
	if err != nil || v < 1 {
		return 0, corrupt(db.path, fmt.Sprintf("schema version %q in bucket %q is not a positive number", raw, bucketMeta), nil)
	}
	return v, nil
}

var errStop = errors.New("stop")
