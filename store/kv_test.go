package store_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

func TestKVStoresACopyAndKeepsNamespacesApart(t *testing.T) {
	db := openTemp(t)
	v := []byte("U0123ABC")
	update(t, db, func(tx cadence.Tx) error {
		require.NoError(t, tx.Put("slack", "email/ana@example.com", v))
		copy(v, "XXXXXXXX") // bbolt holds the slice until commit
		require.NoError(t, tx.Put("teams", "email/ana@example.com", []byte("29:abc")))
		return tx.Put("slack", "empty", nil)
	})
	view(t, db, func(tx cadence.Tx) error {
		got, err := tx.Get("slack", "email/ana@example.com")
		require.NoError(t, err)
		assert.Equal(t, "U0123ABC", string(got))
		got, err = tx.Get("teams", "email/ana@example.com")
		require.NoError(t, err)
		assert.Equal(t, "29:abc", string(got))
		got, err = tx.Get("slack", "empty")
		require.NoError(t, err)
		assert.NotNil(t, got, "an empty value is there, unlike a missing one")
		assert.Empty(t, got)
		_, err = tx.Get("nowhere", "k")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		keys, err := tx.Keys("nowhere", "")
		require.NoError(t, err)
		assert.Empty(t, keys)
		return nil
	})
	update(t, db, func(tx cadence.Tx) error {
		require.NoError(t, tx.Delete("slack", "missing"), "delete is idempotent")
		require.NoError(t, tx.Delete("nowhere", "k"))
		return tx.Delete("slack", "empty")
	})
	view(t, db, func(tx cadence.Tx) error {
		keys, err := tx.Keys("slack", "")
		require.NoError(t, err)
		assert.Equal(t, []string{"email/ana@example.com"}, keys)
		return nil
	})
}
