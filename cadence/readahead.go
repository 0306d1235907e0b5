package cadence

// ReadAhead is an optional ability of a Tx: told what the transaction is
// about to read, a store that pays a round trip per read (PostgreSQL)
// fetches it with its next read instead of one trip each. Reads answer
// the same with or without it; a store may ignore any of it.
type ReadAhead interface {
	ReadAhead(Reads)
}

// Reads is what a transaction is about to read.
type Reads struct {
	// Messages are the keys Message or Enqueue will be called with.
	Messages []string
	// Occurrences are the listings Occurrences will be called with.
	Occurrences []OccurrenceFilter
}

// readAhead tells tx what it will read, when it can use it.
func readAhead(tx Tx, r Reads) {
	if ra, ok := tx.(ReadAhead); ok {
		ra.ReadAhead(r)
	}
}

// ReadAhead passes the reads on to the store's transaction.
func (t *aggTx) ReadAhead(r Reads) { readAhead(t.Tx, r) }
