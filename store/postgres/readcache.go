package postgres

import "bytes"

// A transaction keeps the answer and summary rows OccurrenceFor read
// ahead (an answer reads them next), and keeps them current as it writes
// them. Nobody else can change them meanwhile: a writer holds the write
// lock from its first statement, and a reader sees one snapshot. Values
// are decoded afresh on each read, so nothing returned aliases the cache.

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
