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

// CompactedMessageKeys lists the keys of compacted messages, which
// Messages does not list, in key order after after, at most limit.
func (t *tx) CompactedMessageKeys(after string, limit int) ([]string, error) {
	return t.strings("compacted messages", "SELECT key FROM outbox WHERE compacted AND key > $1 ORDER BY key LIMIT $2", after, limit)
}

func (t *tx) strings(what, sql string, args ...any) ([]string, error) {
	rows, err := t.tx.Query(t.ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
