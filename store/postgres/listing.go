package postgres

import (
	"fmt"

	"github.com/jackc/pgx/v5"
)

// What cadence.Tx reads only by key, listed for `cadencebot migrate`
// (store/transfer.Lister), which copies every record.

// RitualStateIDs lists the rituals with a stored state, sorted.
func (t *tx) RitualStateIDs() ([]string, error) {
	return t.strings("ritual states", "SELECT ritual_id FROM ritual_states ORDER BY ritual_id")
}

// PersonStateIDs lists the people with a stored state, sorted.
func (t *tx) PersonStateIDs() ([]string, error) {
	return t.strings("person states", "SELECT person_id FROM person_states ORDER BY person_id")
}

// KVNamespaces lists the key/value namespaces, sorted.
func (t *tx) KVNamespaces() ([]string, error) {
	return t.strings("key/value namespaces", "SELECT DISTINCT ns FROM kv ORDER BY ns")
}

func (t *tx) strings(what, sql string) ([]string, error) {
	rows, err := t.tx.Query(t.ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
