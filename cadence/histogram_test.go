package cadence_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/cadence"
)

// The median read from the histogram is within the precision the README
// states of the exact one: under 1 s below a minute, under 1/64 above.
func TestHistogramMedianPrecision(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		draw func() time.Duration
	}{
		{"seconds", func() time.Duration { return time.Duration(rng.Int64N(int64(time.Minute))) }},
		{"minutes", func() time.Duration { return time.Duration(rng.Int64N(int64(6 * time.Hour))) }},
		{"days", func() time.Duration { return time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))) }},
		{"whole minutes", func() time.Duration { return time.Duration(rng.IntN(600)) * time.Minute }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for n := 1; n < 400; n += 37 {
				var h cadence.Histogram
				vs := make([]time.Duration, n)
				for i := range vs {
					vs[i] = tc.draw()
					h.Add(vs[i], +1)
				}
				slices.Sort(vs)
				exact := vs[n/2]
				if n%2 == 0 {
					exact = (vs[n/2-1] + vs[n/2]) / 2
				}
				bound := max(time.Second, exact/64)
				assert.InDelta(t, float64(exact), float64(h.Median()), float64(bound), "n=%d", n)
			}
		})
	}
}

func TestHistogramAddRemoveMerge(t *testing.T) {
	var a, b cadence.Histogram
	for _, d := range []time.Duration{time.Second, 3 * time.Minute, 2*time.Hour + 44*time.Minute} {
		a.Add(d, +1)
	}
	b.Add(4*time.Hour+59*time.Minute, +1)
	b.Add(6*time.Hour, +1)
	a.Merge(b)
	assert.Equal(t, 5, a.Count())
	assert.Equal(t, 2*time.Hour+44*time.Minute, a.Median(), "alone in its bucket: exact")
	a.Add(2*time.Hour+44*time.Minute, -1)
	a.Add(time.Hour, -1) // never added: no change
	assert.Equal(t, 4, a.Count())
	assert.Equal(t, (3*time.Minute+4*time.Hour+59*time.Minute)/2, a.Median(), "mean of the middle two")
	var empty cadence.Histogram
	assert.Zero(t, empty.Median())
}

// Merging equals adding every value to one histogram.
func TestHistogramMergeEqualsAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var merged, direct cadence.Histogram
	for range 300 {
		var part cadence.Histogram
		for range rng.IntN(8) {
			d := time.Duration(rng.Int64N(int64(48 * time.Hour)))
			part.Add(d, +1)
			direct.Add(d, +1)
		}
		merged.Merge(part)
	}
	assert.Equal(t, direct, merged)
}
