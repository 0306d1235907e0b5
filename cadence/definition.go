package cadence

import (
	"fmt"
	"slices"
	"time"
)

// DefinitionKind says what a Definition defines.
type DefinitionKind string

const (
	DefRitual DefinitionKind = "ritual"
	DefPerson DefinitionKind = "person"
)

// Valid reports whether k is a known kind.
func (k DefinitionKind) Valid() bool { return k == DefRitual || k == DefPerson }

// Definition is a ritual or a person made from chat or the web, kept in
// the store beside the ones in the config file. Body holds the keys of
// its [[rituals]] or [[people]] table as TOML, exactly as a file would:
// the live configuration is the file and these together, checked by the
// same rules (package config reads Body; cadence keeps it opaque).
type Definition struct {
	Kind DefinitionKind
	ID   string
	Body string
	// Archived rituals stay in the store but do not run; their history
	// stays readable.
	Archived bool
	// Version counts saves (1 after the first): a save naming an older
	// version is refused (optimistic concurrency).
	Version   int64
	UpdatedBy string // person ID
	UpdatedAt time.Time
}

// Clone returns a copy of d (it holds no reference types).
func (d *Definition) Clone() *Definition {
	if d == nil {
		return nil
	}
	c := *d
	return &c
}

// Key is "ritual:standup", the audit target of the definition.
func (d *Definition) Key() string { return string(d.Kind) + ":" + d.ID }

// CheckDefinition refuses what no store may keep.
func CheckDefinition(d *Definition) error {
	switch {
	case d == nil:
		return fmt.Errorf("definition: nil: %w", ErrInvalidInput)
	case !d.Kind.Valid():
		return fmt.Errorf("definition %q: unknown kind %q: %w", d.ID, d.Kind, ErrInvalidInput)
	case d.ID == "":
		return fmt.Errorf("definition: empty %s id: %w", d.Kind, ErrInvalidInput)
	case d.Version < 1:
		return fmt.Errorf("definition %s: version %d: want 1 or more: %w", d.Key(), d.Version, ErrInvalidInput)
	}
	return nil
}

// DefinitionTx keeps the rituals and people managed in the store.
type DefinitionTx interface {
	// Definition returns one definition, or ErrNotFound.
	Definition(kind DefinitionKind, id string) (*Definition, error)
	// Definitions lists every definition, people first, then by ID.
	Definitions() ([]*Definition, error)
	// PutDefinition writes d as given (version checks are the caller's,
	// inside the same transaction).
	PutDefinition(d *Definition) error
	// DeleteDefinition removes one definition, or returns ErrNotFound.
	DeleteDefinition(kind DefinitionKind, id string) error
}

// definitionOrder sorts people before rituals (rituals name people), then
// by ID; stores use it so every implementation lists alike.
func definitionOrder(a, b *Definition) int {
	if a.Kind != b.Kind {
		if a.Kind == DefPerson {
			return -1
		}
		return 1
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// SortDefinitions puts ds in the order Definitions returns.
func SortDefinitions(ds []*Definition) { slices.SortFunc(ds, definitionOrder) }
