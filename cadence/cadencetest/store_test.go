package cadencetest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func TestStoreContract(t *testing.T) {
	cadencetest.RunStoreTests(t, func(t *testing.T) cadence.Store { return cadencetest.NewStore() })
}

func TestStoreRollsBackOnPanic(t *testing.T) {
	s := cadencetest.NewStore()
	assert.Panics(t, func() {
		_ = s.Update(context.Background(), func(tx cadence.Tx) error {
			require.NoError(t, tx.PutRitualState(&cadence.RitualState{RitualID: "triage"}))
			panic("boom")
		})
	})
	require.NoError(t, s.View(context.Background(), func(tx cadence.Tx) error {
		_, err := tx.RitualState("triage")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	}))
}
