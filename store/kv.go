package store

import (
	"bytes"
	"fmt"

	"github.com/cadencebot/cadencebot/cadence"
)

// The kv bucket holds one nested bucket per namespace, so Keys is a
// prefix scan inside one namespace and namespaces never collide.

func (t *tx) Get(ns, key string) ([]byte, error) {
	kv, err := t.bucket(bucketKV)
	if err != nil {
		return nil, err
	}
	if b := kv.Bucket([]byte(ns)); b != nil && key != "" {
		if v := b.Get([]byte(key)); v != nil {
			return bytes.Clone(v), nil
		}
	}
	return nil, fmt.Errorf("%s/%s: %w", ns, key, cadence.ErrNotFound)
}

func (t *tx) Put(ns, key string, value []byte) error {
	if err := t.writable("put " + ns + "/" + key); err != nil {
		return err
	}
	if ns == "" || key == "" {
		return fmt.Errorf("put: namespace and key are required: %w", cadence.ErrInvalidInput)
	}
	kv, err := t.bucket(bucketKV)
	if err != nil {
		return err
	}
	b, err := kv.CreateBucketIfNotExists([]byte(ns))
	if err != nil {
		return fmt.Errorf("put %s/%s: %w", ns, key, err)
	}
	// bbolt keeps the slice until commit: store a copy the caller
	// cannot change.
	v := make([]byte, len(value))
	copy(v, value)
	if err := b.Put([]byte(key), v); err != nil {
		return fmt.Errorf("put %s/%s: %w", ns, key, err)
	}
	return nil
}

func (t *tx) Delete(ns, key string) error {
	if err := t.writable("delete " + ns + "/" + key); err != nil {
		return err
	}
	kv, err := t.bucket(bucketKV)
	if err != nil {
		return err
	}
	b := kv.Bucket([]byte(ns))
	if b == nil || key == "" {
		return nil
	}
	if err := b.Delete([]byte(key)); err != nil {
		return fmt.Errorf("delete %s/%s: %w", ns, key, err)
	}
	return nil
}

func (t *tx) Keys(ns, prefix string) ([]string, error) {
	kv, err := t.bucket(bucketKV)
	if err != nil {
		return nil, err
	}
	b := kv.Bucket([]byte(ns))
	if b == nil {
		return nil, nil
	}
	var out []string
	p := []byte(prefix)
	c := b.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		out = append(out, string(k))
	}
	return out, nil
}
