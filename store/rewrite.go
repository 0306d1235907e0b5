package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// rewriteValues gives every value of b the form rewrite returns for it;
// nil keeps a value as it is. A schema step uses it to convert records
// where they lie, keys (and so the indexes) unchanged. Each value is
// deleted before it is put again: bbolt merges under-filled pages only
// after a delete, so a smaller value put in place would free nothing.
// name is the bucket's in errors.
func rewriteValues(b *bolt.Bucket, name string, rewrite func(k, v []byte) ([]byte, error)) error {
	type kv struct{ key, value []byte }
	var all []kv
	// Read everything first: bbolt forbids writes during ForEach.
	err := b.ForEach(func(k, v []byte) error {
		w, err := rewrite(k, v)
		if err != nil {
			return fmt.Errorf("rewrite %s: %w", name, err)
		}
		if w != nil {
			all = append(all, kv{bytes.Clone(k), w})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, w := range all {
		if err := b.Delete(w.key); err != nil {
			return fmt.Errorf("rewrite %s %q: %w", name, w.key, err)
		}
		if err := b.Put(w.key, w.value); err != nil {
			return fmt.Errorf("rewrite %s %q: %w", name, w.key, err)
		}
	}
	return nil
}
