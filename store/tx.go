package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Bucket names. Changing one needs a migration.
var (
	bucketMeta          = []byte("meta")
	bucketRitualState   = []byte("ritual_state")
	bucketOccurrences   = []byte("occurrences")
	bucketOccurrenceIDs = []byte("occurrence_ids")
	// bucketOccurrencesOpen lists open occurrences (ID → primary key): the
	// engine asks for them on every tick, and a time scan would grow with
	// history.
	bucketOccurrencesOpen = []byte("occurrences_open")
	bucketAnswers         = []byte("answers")
	bucketAnswersAt       = []byte("answers_at")
	// bucketOccurrencePeople holds each occurrence's per-person state,
	// one record per person (schema 8, occpeople.go).
	bucketOccurrencePeople = []byte("occurrence_people")
	// bucketAnswerTexts holds each answer's responses, apart from the
	// metadata in bucketAnswers (schema 7).
	bucketAnswerTexts   = []byte("answer_texts")
	bucketOutbox        = []byte("outbox")
	bucketOutboxDue     = []byte("outbox_due")
	bucketOutboxCreated = []byte("outbox_created")
	bucketPersonState   = []byte("person_state")
	bucketKV            = []byte("kv")
	// bucketSummaries holds each occurrence's summary figures;
	// bucketSummariesDirty lists those whose message must be redrawn.
	bucketSummaries      = []byte("summaries")
	bucketSummariesDirty = []byte("summaries_dirty")
)

// tx is a cadence.Tx over one bbolt transaction. Every value it returns
// is decoded or copied out of bbolt's memory map, which is only valid
// until the transaction ends.
type tx struct {
	btx *bolt.Tx
}

var _ cadence.Tx = (*tx)(nil)

// bucket returns a top-level bucket; migrations create them all, so a
// missing one means the file was damaged or edited by hand.
func (t *tx) bucket(name []byte) (*bolt.Bucket, error) {
	b := t.btx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("bucket %q is missing: %w", name, ErrCorrupt)
	}
	return b, nil
}

// getJSON decodes the value under key into v; found is false if there is
// none. Decoding copies, so nothing aliases the map afterwards.
func getJSON(b *bolt.Bucket, key []byte, v any) (found bool, err error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	return true, decode(key, raw, v)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	return b.Put(key, raw)
}

// decode is json.Unmarshal with the key in the error.
func decode(k, v []byte, into any) error {
	if err := json.Unmarshal(v, into); err != nil {
		return fmt.Errorf("decode %q: %w", k, err)
	}
	return nil
}

// writable refuses writes in a View up front, so every write fails the
// same way whether or not it would have touched a bucket.
func (t *tx) writable(what string) error {
	if !t.btx.Writable() {
		return fmt.Errorf("%s: %w", what, berrors.ErrTxNotWritable)
	}
	return nil
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
