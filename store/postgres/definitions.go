package postgres

import (
	"fmt"

	"github.com/cadencebot/cadencebot/cadence"
)

// --- definitions (rituals and people managed in the store) ---

func (t *tx) Definition(kind cadence.DefinitionKind, id string) (*cadence.Definition, error) {
	var v cadence.Definition
	if err := t.getDoc(fmt.Sprintf("%s %q", kind, id), &v, "SELECT doc FROM definitions WHERE kind = $1 AND id = $2", string(kind), id); err != nil {
		return nil, err
	}
	return &v, nil
}

func (t *tx) Definitions() ([]*cadence.Definition, error) {
	return listDocs[cadence.Definition](t, "definitions", "SELECT doc FROM definitions ORDER BY kind, id")
}

func (t *tx) PutDefinition(d *cadence.Definition) error {
	if err := t.checkWritable("put definition"); err != nil {
		return err
	}
	if err := cadence.CheckDefinition(d); err != nil {
		return fmt.Errorf("put definition: %w", err)
	}
	c := d.Clone()
	c.UpdatedAt = c.UpdatedAt.UTC()
	doc, err := encode("put "+d.Key(), c)
	if err != nil {
		return err
	}
	t.defs = true
	return t.exec("put "+d.Key(), `INSERT INTO definitions (kind, id, doc) VALUES ($1, $2, $3)
		ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc`, string(d.Kind), d.ID, doc)
}

func (t *tx) DeleteDefinition(kind cadence.DefinitionKind, id string) error {
	if err := t.checkWritable("delete definition"); err != nil {
		return err
	}
	tag, err := t.tx.Exec(t.ctx, "DELETE FROM definitions WHERE kind = $1 AND id = $2", string(kind), id)
	if err != nil {
		return fmt.Errorf("delete %s %q: %w", kind, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete %s %q: %w", kind, id, cadence.ErrNotFound)
	}
	t.defs = true
	return nil
}
