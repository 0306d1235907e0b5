package cadencetest

import (
	"fmt"

	"github.com/cadencebot/cadencebot/cadence"
)

// --- definitions (rituals and people managed in the store) ---

func defKey(kind cadence.DefinitionKind, id string) string { return string(kind) + ":" + id }

func (t *tx) Definition(kind cadence.DefinitionKind, id string) (*cadence.Definition, error) {
	d, ok := t.s.defs[defKey(kind, id)]
	if !ok {
		return nil, fmt.Errorf("%s %q: %w", kind, id, cadence.ErrNotFound)
	}
	return d.Clone(), nil
}

func (t *tx) Definitions() ([]*cadence.Definition, error) {
	out := make([]*cadence.Definition, 0, len(t.s.defs))
	for _, d := range t.s.defs {
		out = append(out, d.Clone())
	}
	cadence.SortDefinitions(out)
	return out, nil
}

func (t *tx) PutDefinition(d *cadence.Definition) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if err := cadence.CheckDefinition(d); err != nil {
		return fmt.Errorf("put definition: %w", err)
	}
	k := defKey(d.Kind, d.ID)
	remember(t, t.s.defs, k)
	t.s.defs[k] = d.Clone()
	return nil
}

func (t *tx) DeleteDefinition(kind cadence.DefinitionKind, id string) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	k := defKey(kind, id)
	if _, ok := t.s.defs[k]; !ok {
		return fmt.Errorf("delete %s %q: %w", kind, id, cadence.ErrNotFound)
	}
	remember(t, t.s.defs, k)
	delete(t.s.defs, k)
	return nil
}
