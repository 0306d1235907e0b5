package store_test

import (
	"testing"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// The MLOps aggregates meet the same contract as in memory.
func TestOpsContract(t *testing.T) {
	cadencetest.RunOpsStoreTests(t, func(t *testing.T) cadence.Store { return openTemp(t) })
}
