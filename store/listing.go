package store

import "fmt"

// What cadence.Tx reads only by key, listed for `cadencebot migrate`
// (store/transfer.Lister), which copies every record.

// RitualStateIDs lists the rituals with a stored state, sorted.
func (t *tx) RitualStateIDs() ([]string, error) { return t.keysOf(bucketRitualState) }

// PersonStateIDs lists the people with a stored state, sorted.
func (t *tx) PersonStateIDs() ([]string, error) { return t.keysOf(bucketPersonState) }

// KVNamespaces lists the key/value namespaces, sorted.
func (t *tx) KVNamespaces() ([]string, error) {
	kv, err := t.bucket(bucketKV)
	if err != nil {
		return nil, err
	}
	var out []string
	err = kv.ForEachBucket(func(k []byte) error { out = append(out, string(k)); return nil })
	return out, err
}

func (t *tx) keysOf(name []byte) ([]string, error) {
	b, err := t.bucket(name)
	if err != nil {
		return nil, err
	}
	var out []string
	err = b.ForEach(func(k, _ []byte) error { out = append(out, string(k)); return nil })
	return out, err
}

// CompactedMessageKeys lists the keys of compacted messages, which
// Messages does not list (they are not in the creation index), in key
// order after after, at most limit.
func (t *tx) CompactedMessageKeys(after string, limit int) ([]string, error) {
	outbox, err := t.bucket(bucketOutbox)
	if err != nil {
		return nil, err
	}
	var out []string
	c := outbox.Cursor()
	for k, v := c.Seek([]byte(after)); k != nil && len(out) < limit; k, v = c.Next() {
		if string(k) == after {
			continue
		}
		var x outboxIndex
		if err := decodeOutboxIndex(k, v, &x); err != nil {
			return nil, fmt.Errorf("compacted messages: %w", err)
		}
		if x.Compacted {
			out = append(out, string(k))
		}
	}
	return out, nil
}
