package cadencetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// testDefinitions: definitions round-trip exactly (body bytes, version,
// who and when), list people first then by ID, overwrite in place, delete,
// and refuse what no store may keep.
func testDefinitions(t *testing.T, s cadence.Store) {
	at := base.Add(90 * time.Minute).Add(123456789 * time.Nanosecond)
	defs := []*cadence.Definition{
		{Kind: cadence.DefRitual, ID: "standup", Body: "id = \"standup\"\nschedule = \"0 9 * * *\"\nchecklist = [\"a \\\"quoted\\\" item\", \"ünïcode\"]\n", Version: 1, UpdatedBy: "lea", UpdatedAt: at},
		{Kind: cadence.DefPerson, ID: "zoe", Body: "id = \"zoe\"\n", Version: 3, UpdatedBy: "lea", UpdatedAt: at},
		{Kind: cadence.DefRitual, ID: "audit-review", Body: "id = \"audit-review\"\n", Archived: true, Version: 7, UpdatedBy: "admin", UpdatedAt: base},
		{Kind: cadence.DefPerson, ID: "ana", Body: "", Version: 1, UpdatedBy: "lea", UpdatedAt: at},
		// The same ID may name a person and a ritual.
		{Kind: cadence.DefPerson, ID: "standup", Body: "id = \"standup\"\n", Version: 1, UpdatedBy: "lea", UpdatedAt: at},
	}
	view(t, s, func(tx cadence.Tx) error {
		_, err := tx.Definition(cadence.DefRitual, "standup")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		all, err := tx.Definitions()
		require.NoError(t, err)
		assert.Empty(t, all)
		return nil
	})
	update(t, s, func(tx cadence.Tx) error {
		for _, d := range defs {
			require.NoError(t, tx.PutDefinition(d))
		}
		return nil
	})
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Definition(cadence.DefRitual, "standup")
		require.NoError(t, err)
		assert.Equal(t, defs[0], got)
		assert.True(t, got.UpdatedAt.Equal(at))
		all, err := tx.Definitions()
		require.NoError(t, err)
		var keys []string
		for _, d := range all {
			keys = append(keys, d.Key())
		}
		assert.Equal(t, []string{"person:ana", "person:standup", "person:zoe", "ritual:audit-review", "ritual:standup"}, keys)
		assert.Equal(t, defs[2], all[3])
		return nil
	})
	// Overwrite, then delete; a returned value does not alias the store.
	update(t, s, func(tx cadence.Tx) error {
		d, err := tx.Definition(cadence.DefRitual, "standup")
		require.NoError(t, err)
		d.Body, d.Version = "id = \"standup\"\n", 2
		require.NoError(t, tx.PutDefinition(d))
		d.Body = "changed after put"
		require.NoError(t, tx.DeleteDefinition(cadence.DefPerson, "zoe"))
		err = tx.DeleteDefinition(cadence.DefPerson, "zoe")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Definition(cadence.DefRitual, "standup")
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.Version)
		assert.Equal(t, "id = \"standup\"\n", got.Body)
		_, err = tx.Definition(cadence.DefPerson, "zoe")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
	// A failed transaction leaves the definitions as they were.
	boom := errors.New("boom")
	err := s.Update(t.Context(), func(tx cadence.Tx) error {
		require.NoError(t, tx.PutDefinition(&cadence.Definition{Kind: cadence.DefPerson, ID: "new", Version: 1, UpdatedAt: at}))
		require.NoError(t, tx.DeleteDefinition(cadence.DefPerson, "ana"))
		return boom
	})
	require.ErrorIs(t, err, boom)
	view(t, s, func(tx cadence.Tx) error {
		_, err := tx.Definition(cadence.DefPerson, "new")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		_, err = tx.Definition(cadence.DefPerson, "ana")
		assert.NoError(t, err)
		return nil
	})
	for name, bad := range map[string]*cadence.Definition{
		"no id":      {Kind: cadence.DefPerson, Version: 1},
		"bad kind":   {Kind: "team", ID: "x", Version: 1},
		"no version": {Kind: cadence.DefPerson, ID: "x"},
	} {
		err := s.Update(t.Context(), func(tx cadence.Tx) error { return tx.PutDefinition(bad) })
		assert.ErrorIs(t, err, cadence.ErrInvalidInput, name)
	}
	err = s.View(t.Context(), func(tx cadence.Tx) error {
		return tx.PutDefinition(&cadence.Definition{Kind: cadence.DefPerson, ID: "x", Version: 1})
	})
	assert.Error(t, err, "a View refuses writes")
}
