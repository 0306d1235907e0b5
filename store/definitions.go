package store

import (
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	bolt "go.etcd.io/bbolt"
)

// bucketDefinitions holds the rituals and people managed in the store
// (schema 10), keyed "<kind>/<id>": "person" sorts before "ritual", so a
// cursor walk lists them in cadence's order.
var bucketDefinitions = []byte("definitions")

// migrateV10 adds the bucket of definitions; nothing to fill.
func migrateV10(btx *bolt.Tx) error {
	if _, err := btx.CreateBucket(bucketDefinitions); err != nil {
		return fmt.Errorf("create bucket %q: %w", bucketDefinitions, err)
	}
	return nil
}

type definitionRecord struct {
	Kind      string    `json:"kind"`
	ID        string    `json:"id"`
	Body      string    `json:"body"`
	Archived  bool      `json:"archived,omitempty"`
	Version   int64     `json:"version"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (r *definitionRecord) definition() *cadence.Definition {
	return &cadence.Definition{Kind: cadence.DefinitionKind(r.Kind), ID: r.ID, Body: r.Body, Archived: r.Archived,
		Version: r.Version, UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt}
}

func definitionKey(kind cadence.DefinitionKind, id string) []byte { return join(string(kind), id) }

func (t *tx) Definition(kind cadence.DefinitionKind, id string) (*cadence.Definition, error) {
	b, err := t.bucket(bucketDefinitions)
	if err != nil {
		return nil, err
	}
	var r definitionRecord
	found, err := getJSON(b, definitionKey(kind, id), &r)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", kind, id, err)
	}
	if !found {
		return nil, fmt.Errorf("%s %q: %w", kind, id, cadence.ErrNotFound)
	}
	return r.definition(), nil
}

func (t *tx) Definitions() ([]*cadence.Definition, error) {
	b, err := t.bucket(bucketDefinitions)
	if err != nil {
		return nil, err
	}
	var out []*cadence.Definition
	err = b.ForEach(func(k, v []byte) error {
		var r definitionRecord
		if err := decode(k, v, &r); err != nil {
			return err
		}
		out = append(out, r.definition())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("definitions: %w", err)
	}
	return out, nil
}

func (t *tx) PutDefinition(d *cadence.Definition) error {
	if err := t.writable("put definition"); err != nil {
		return err
	}
	if err := cadence.CheckDefinition(d); err != nil {
		return fmt.Errorf("put definition: %w", err)
	}
	b, err := t.bucket(bucketDefinitions)
	if err != nil {
		return err
	}
	r := definitionRecord{Kind: string(d.Kind), ID: d.ID, Body: d.Body, Archived: d.Archived,
		Version: d.Version, UpdatedBy: d.UpdatedBy, UpdatedAt: d.UpdatedAt.UTC()}
	if err := putJSON(b, definitionKey(d.Kind, d.ID), r); err != nil {
		return fmt.Errorf("put %s: %w", d.Key(), err)
	}
	return nil
}

func (t *tx) DeleteDefinition(kind cadence.DefinitionKind, id string) error {
	if err := t.writable("delete definition"); err != nil {
		return err
	}
	b, err := t.bucket(bucketDefinitions)
	if err != nil {
		return err
	}
	k := definitionKey(kind, id)
	if b.Get(k) == nil {
		return fmt.Errorf("delete %s %q: %w", kind, id, cadence.ErrNotFound)
	}
	return b.Delete(k)
}
