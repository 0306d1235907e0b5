package store_test

import (
	"testing"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func BenchmarkStatusWithLateAnswers(b *testing.B) {
	cadencetest.BenchmarkStatusWithLateAnswers(b, func(b *testing.B) cadence.Store { return openTemp(b) })
}
