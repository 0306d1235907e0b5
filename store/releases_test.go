package store_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// Every release field, the API's source and registry lineage included,
// survives the store.
func TestEveryReleaseFieldSurvivesTheStore(t *testing.T) {
	db := openTemp(t)
	rel := fill[cadence.Release]()
	rel.Lineage = fill[cadence.Lineage]()
	update(t, db, func(tx cadence.Tx) error { return tx.PutRelease(rel) })
	view(t, db, func(tx cadence.Tx) error {
		got, err := tx.Release(rel.Number)
		require.NoError(t, err)
		assert.Equal(t, rel, got)
		return nil
	})
}

// A follow-up's and an incident's tracker issue survive the store.
func TestIssueLinksSurviveTheStore(t *testing.T) {
	db := openTemp(t)
	inc := fill[cadence.Incident]()
	fu := fill[cadence.FollowUp]()
	update(t, db, func(tx cadence.Tx) error {
		require.NoError(t, tx.PutIncident(inc))
		return tx.PutFollowUp(fu)
	})
	view(t, db, func(tx cadence.Tx) error {
		got, err := tx.Incident(inc.Number)
		require.NoError(t, err)
		assert.Equal(t, inc, got)
		gotFU, err := tx.FollowUp(fu.Number)
		require.NoError(t, err)
		assert.Equal(t, fu, gotFU)
		return nil
	})
}
