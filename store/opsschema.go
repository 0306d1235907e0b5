package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/cadencebot/cadencebot/cadence"
	bolt "go.etcd.io/bbolt"
)

// Buckets of the MLOps aggregates (schema 3). Incidents, follow-ups and
// releases are keyed by their number as fixed-width decimal text, so
// byte order is number order and the last key is the highest number; the
// audit log by its sequence number as 8 big-endian bytes.
var (
	bucketIncidents = []byte("incidents")
	bucketFollowUps = []byte("followups")
	bucketReleases  = []byte("releases")
	bucketAudit     = []byte("audit")
	// bucketFollowUpsOpen lists open follow-ups by number (schema 5): the
	// reminder job asks for them on every tick.
	bucketFollowUpsOpen = []byte("followups_open")
)

// migrateV5 indexes open follow-ups, filled from the primary data.
func migrateV5(btx *bolt.Tx) error {
	open, err := btx.CreateBucket(bucketFollowUpsOpen)
	if err != nil {
		return fmt.Errorf("create bucket %q: %w", bucketFollowUpsOpen, err)
	}
	return btx.Bucket(bucketFollowUps).ForEach(func(k, v []byte) error {
		var r followUpRecord
		if err := decode(k, v, &r); err != nil {
			return fmt.Errorf("index open follow-ups: %w", err)
		}
		if cadence.FollowUpStatus(r.Status) != cadence.FollowUpOpen {
			return nil
		}
		return open.Put(bytes.Clone(k), []byte{})
	})
}

// migrateV3 adds the buckets of incidents, follow-ups, releases and the
// audit log. Earlier schemas had none of them: nothing to fill.
func migrateV3(btx *bolt.Tx) error {
	for _, name := range [][]byte{bucketIncidents, bucketFollowUps, bucketReleases, bucketAudit} {
		if _, err := btx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %q: %w", name, err)
		}
	}
	return nil
}

// numKey is the key of item n: "0000000042".
func numKey(n int) []byte { return fmt.Appendf(nil, "%010d", n) }

// lastNum is the number of the last key of bucket name, 0 when it is empty.
func (t *tx) lastNum(name []byte) (int, error) {
	b, err := t.bucket(name)
	if err != nil {
		return 0, err
	}
	k, _ := b.Cursor().Last()
	if k == nil {
		return 0, nil
	}
	n, err := strconv.Atoi(string(k))
	if err != nil {
		return 0, fmt.Errorf("bucket %q: key %q is not a number: %w", name, k, ErrCorrupt)
	}
	return n, nil
}

func checkNum(what string, n int) error {
	if n < 1 || n > 9999999999 {
		return fmt.Errorf("put %s: number %d is outside 1-9999999999: %w", what, n, cadence.ErrInvalidInput)
	}
	return nil
}

// seqKey is the key of audit entry seq.
func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// numbered walks the values of a numbered bucket in key order.
func (t *tx) numbered(name []byte, fn func(k, v []byte) error) error {
	b, err := t.bucket(name)
	if err != nil {
		return err
	}
	return b.ForEach(fn)
}
