package postgres

import (
	"bytes"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cadencebot/cadencebot/cadence"
)

// A transaction keeps the rows it read ahead — the answer and summary
// OccurrenceFor brings along, and what cadence.ReadAhead announced — and
// keeps them current as it writes them. Nobody else can change them
// meanwhile: a writer holds the write lock from its first statement, and
// a reader sees one snapshot. Values are decoded afresh on each read, so
// nothing returned aliases the cache.
//
// A read ahead is queued and answered with the next round trip. A write
// of its kind queued before that answer comes (answers, messages,
// occurrences: each kind counts its writes) makes the answer stale, and
// it is dropped: the read then goes to the server as it would have.

type answerKey struct{ occurrence, person string }

// cachedAnswer is an answer's stored docs; text nil: no text row.
type cachedAnswer struct{ doc, text []byte }

// cacheAnswer records the stored answer, nil for none.
func (t *tx) cacheAnswer(occ, person string, a *cachedAnswer) {
	if t.answerCache == nil {
		t.answerCache = map[answerKey]*cachedAnswer{}
	}
	if a != nil {
		a = &cachedAnswer{doc: bytes.Clone(a.doc), text: bytes.Clone(a.text)}
	}
	t.answerCache[answerKey{occ, person}] = a
}

// cacheSummary records the stored summary doc, nil for none.
func (t *tx) cacheSummary(occ string, doc []byte) {
	if t.summaryCache == nil {
		t.summaryCache = map[string][]byte{}
	}
	t.summaryCache[occ] = bytes.Clone(doc)
}

// cacheMessage records the stored outbox doc of key, nil for none.
func (t *tx) cacheMessage(key string, doc []byte) {
	if t.messageCache == nil {
		t.messageCache = map[string][]byte{}
	}
	t.messageCache[key] = bytes.Clone(doc)
}

// writes counts, per kind, the writes this transaction queued: a read
// ahead answered after one of its kind is stale.
type writes struct{ answers, messages, occurrences int }

var _ cadence.ReadAhead = (*tx)(nil)

// ReadAhead queues the reads r announces; they go to the server with the
// next statement anyone waits on.
func (t *tx) ReadAhead(r cadence.Reads) {
	if t.tx.failed != nil {
		return
	}
	var keys []string
	for _, k := range r.Messages {
		if _, ok := t.messageCache[k]; !ok {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		since := t.written
		t.tx.queueCheck(func(br pgx.BatchResults) error {
			rows, err := br.Query()
			if err != nil {
				return fmt.Errorf("read ahead messages: %w", err)
			}
			found := map[string][]byte{}
			var key string
			var doc []byte
			if _, err := pgx.ForEachRow(rows, []any{&key, &doc}, func() error {
				found[key] = bytes.Clone(doc)
				return nil
			}); err != nil {
				return fmt.Errorf("read ahead messages: %w", err)
			}
			if t.written.messages != since.messages {
				return nil
			}
			for _, k := range keys {
				if _, ok := t.messageCache[k]; !ok {
					t.cacheMessage(k, found[k])
				}
			}
			return nil
		}, "SELECT key, doc FROM outbox WHERE key = ANY($1)", keys)
	}
	for _, f := range r.Occurrences {
		if f.Person == "" {
			continue // only one person's listing is small enough to guess at
		}
		sql, args := occurrencesOfQuery(f)
		key := listingKey(sql, args)
		if _, ok := t.listings[key]; ok {
			continue
		}
		since := t.written
		t.tx.queueCheck(func(br pgx.BatchResults) error {
			rows, err := br.Query()
			if err != nil {
				return fmt.Errorf("read ahead occurrences of %q: %w", f.Person, err)
			}
			list, err := collectPersonRows(rows)
			if err != nil {
				return fmt.Errorf("read ahead occurrences of %q: %w", f.Person, err)
			}
			if t.written.occurrences == since.occurrences {
				if t.listings == nil {
					t.listings = map[string][]personRow{}
				}
				t.listings[key] = list
			}
			if t.written.answers == since.answers {
				t.cacheRowAnswers(f.Person, list)
			}
			return nil
		}, sql, args...)
	}
}

// listingKey names a listing by its query and arguments.
func listingKey(sql string, args []any) string {
	return fmt.Sprintf("%s %#v", sql, args)
}
