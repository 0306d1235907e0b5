package cadence

import (
	"cmp"
	"math/bits"
	"slices"
	"time"
)

// Histogram is a log-bucketed distribution of latencies, good for the
// median without keeping every value. Buckets are whole seconds below
// 64 s, then 64 per doubling (each bucket at most 1/64 of its values
// wide). Each bucket keeps the count and the sum of its values, and the
// median reads a bucket as the mean of its values: it is exact when the
// middle latencies are alone in their bucket (or equal), and otherwise
// off by less than the bucket's width, under 1 s below a minute and
// under 1.6 % of the value above.
type Histogram struct {
	Buckets []HistBucket // by Index, no zero counts
}

// HistBucket is one bucket of a Histogram.
type HistBucket struct {
	Index uint32
	Count uint32
	Sum   int64 // nanoseconds
}

const histSub = 64 // buckets per doubling

// histIndex is the bucket of d (negative counts as 0).
func histIndex(d time.Duration) uint32 {
	if d < 0 {
		d = 0
	}
	s := uint64(d / time.Second)
	if s < histSub {
		return uint32(s)
	}
	shift := bits.Len64(s) - 7 // s>>shift is in [64, 128)
	return uint32(histSub*(shift+1)) + uint32(s>>uint(shift)) - histSub
}

// Count is the number of values.
func (h *Histogram) Count() int {
	n := 0
	for _, b := range h.Buckets {
		n += int(b.Count)
	}
	return n
}

// Clone returns a deep copy of h.
func (h Histogram) Clone() Histogram {
	return Histogram{Buckets: slices.Clone(h.Buckets)}
}

// Add adds (sign +1) or removes (sign −1) one value.
func (h *Histogram) Add(d time.Duration, sign int) {
	if d < 0 {
		d = 0
	}
	idx := histIndex(d)
	i, found := slices.BinarySearchFunc(h.Buckets, idx, func(b HistBucket, t uint32) int { return int(b.Index) - int(t) })
	if !found {
		if sign < 0 {
			return // never added: nothing to remove
		}
		h.Buckets = slices.Insert(h.Buckets, i, HistBucket{Index: idx})
	}
	b := &h.Buckets[i]
	if sign < 0 {
		b.Count--
		b.Sum -= int64(d)
		if b.Count == 0 {
			if h.Buckets = slices.Delete(h.Buckets, i, i+1); len(h.Buckets) == 0 {
				h.Buckets = nil
			}
		}
		return
	}
	b.Count++
	b.Sum += int64(d)
}

// Merge adds every value of o to h, in place: reports merge hundreds
// of thousands of small histograms into a few, so no merge allocates
// unless h must grow.
func (h *Histogram) Merge(o Histogram) {
	if len(o.Buckets) == 0 {
		return
	}
	if len(o.Buckets) <= 4 && len(h.Buckets) > 16 {
		// A week's few buckets into a person's many: insert each.
		for _, b := range o.Buckets {
			i, found := slices.BinarySearchFunc(h.Buckets, b.Index, func(x HistBucket, t uint32) int { return cmp.Compare(x.Index, t) })
			if found {
				h.Buckets[i].Count += b.Count
				h.Buckets[i].Sum += b.Sum
			} else {
				h.Buckets = slices.Insert(h.Buckets, i, b)
			}
		}
		return
	}
	// How many of o's buckets h lacks.
	n, i := 0, 0
	for _, b := range o.Buckets {
		for i < len(h.Buckets) && h.Buckets[i].Index < b.Index {
			i++
		}
		if i == len(h.Buckets) || h.Buckets[i].Index != b.Index {
			n++
		}
	}
	old := len(h.Buckets)
	h.Buckets = slices.Grow(h.Buckets, n)[:old+n]
	// Merge from the back, so nothing is overwritten before it moves.
	i, j, k := old-1, len(o.Buckets)-1, old+n-1
	for j >= 0 {
		switch {
		case i >= 0 && h.Buckets[i].Index > o.Buckets[j].Index:
			h.Buckets[k] = h.Buckets[i]
			i--
		case i >= 0 && h.Buckets[i].Index == o.Buckets[j].Index:
			b := h.Buckets[i]
			b.Count += o.Buckets[j].Count
			b.Sum += o.Buckets[j].Sum
			h.Buckets[k] = b
			i--
			j--
		default:
			h.Buckets[k] = o.Buckets[j]
			j--
		}
		k--
	}
}

// Median is the median latency (the mean of the middle two for an even
// count), within the precision above; 0 when empty.
func (h *Histogram) Median() time.Duration {
	n := h.Count()
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return h.at(n / 2)
	}
	return (h.at(n/2-1) + h.at(n/2)) / 2
}

// at is the value of rank k (0-based): its bucket's mean.
func (h *Histogram) at(k int) time.Duration {
	for _, b := range h.Buckets {
		if k < int(b.Count) {
			return time.Duration(b.Sum / int64(b.Count))
		}
		k -= int(b.Count)
	}
	return 0
}
