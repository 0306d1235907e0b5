package cadencetest_test

import (
	"testing"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func TestMemoryStoreOpsContract(t *testing.T) {
	cadencetest.RunOpsStoreTests(t, func(t *testing.T) cadence.Store { return cadencetest.NewStore() })
}
