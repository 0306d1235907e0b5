package cadence_test

import (
	"testing"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func BenchmarkSubmitAnswer(b *testing.B) {
	for _, n := range []int{10, 200} {
		b.Run(map[int]string{10: "team=10", 200: "team=200"}[n], func(b *testing.B) {
			cadencetest.BenchmarkSubmitAnswer(b, func(*testing.B) cadence.Store { return cadencetest.NewStore() }, n)
		})
	}
}
