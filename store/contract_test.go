package store_test

import (
	"testing"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// The same contract the in-memory store meets, on a real bbolt file.
func TestContract(t *testing.T) {
	cadencetest.RunStoreTests(t, func(t *testing.T) cadence.Store { return openTemp(t) })
}

// Past the retention, what nothing reads again is gone, the rest compact.
func TestCompactionContract(t *testing.T) {
	cadencetest.RunCompactionTests(t, func(t *testing.T) cadencetest.Compactor { return openTemp(t) })
}
