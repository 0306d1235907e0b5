package cadence

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// The aggregates' binary form, shared by the stores: varints, no field
// names, so a year of week aggregates reads as a few megabytes. The first
// byte is the format, so a later one can be told apart.
const aggregateFormat = 1

var errAggregateShort = errors.New("aggregate record is truncated")

// AppendWeekFigures appends w's figures (not its key: week, ritual and
// person are the store's key) to dst.
func AppendWeekFigures(dst []byte, w *WeekAggregate) []byte {
	dst = append(dst, aggregateFormat)
	dst = binary.AppendUvarint(dst, uint64(w.Excused))
	dst = binary.AppendUvarint(dst, uint64(len(w.Outcomes)))
	for _, o := range w.Outcomes {
		dst = binary.AppendUvarint(dst, uint64(o.At))
		dst = append(dst, byte(o.Outcome))
	}
	return appendHistogram(dst, w.Latency)
}

// DecodeWeekFigures reads what AppendWeekFigures wrote into w, reusing
// w's slices.
func DecodeWeekFigures(src []byte, w *WeekAggregate) error {
	r := reader{b: src}
	if f := r.byte(); f != aggregateFormat {
		return fmt.Errorf("week aggregate: format %d, want %d", f, aggregateFormat)
	}
	w.Excused = int(r.uvarint())
	n := int(r.uvarint())
	if r.err == nil && n > len(r.b) {
		return errAggregateShort
	}
	w.Outcomes = w.Outcomes[:0]
	for range n {
		at := r.uvarint()
		w.Outcomes = append(w.Outcomes, WeekOutcome{At: uint32(at), Outcome: Outcome(r.byte())})
	}
	r.histogram(&w.Latency)
	return r.err
}

// AppendOccurrenceAggregate appends a to dst.
func AppendOccurrenceAggregate(dst []byte, a *OccurrenceAggregate) []byte {
	dst = append(dst, aggregateFormat)
	dst = appendString(dst, a.OccurrenceID)
	dst = appendString(dst, a.RitualID)
	dst = binary.AppendVarint(dst, a.Scheduled.Unix())
	dst = binary.AppendUvarint(dst, uint64(a.Scheduled.Nanosecond()))
	dst = appendString(dst, string(a.Status))
	late := byte(0)
	if a.Late {
		late = 1
	}
	dst = append(dst, late)
	dst = binary.AppendVarint(dst, int64(a.OpenDelay))
	for _, n := range []int{a.Expected, a.Excused, a.Answered, a.AnsweredOnTime} {
		dst = binary.AppendVarint(dst, int64(n))
	}
	dst = appendHistogram(dst, a.Latency)
	dst = binary.AppendUvarint(dst, uint64(len(a.Missing)))
	for _, p := range a.Missing {
		dst = appendString(dst, p)
	}
	return dst
}

// DecodeOccurrenceAggregate reads what AppendOccurrenceAggregate wrote.
func DecodeOccurrenceAggregate(src []byte) (*OccurrenceAggregate, error) {
	r := reader{b: src}
	if f := r.byte(); f != aggregateFormat {
		return nil, fmt.Errorf("occurrence aggregate: format %d, want %d", f, aggregateFormat)
	}
	a := &OccurrenceAggregate{OccurrenceID: r.string(), RitualID: r.string()}
	sec := r.varint()
	a.Scheduled = time.Unix(sec, int64(r.uvarint())).UTC()
	a.Status = Status(r.string())
	a.Late = r.byte() == 1
	a.OpenDelay = time.Duration(r.varint())
	for _, p := range []*int{&a.Expected, &a.Excused, &a.Answered, &a.AnsweredOnTime} {
		*p = int(r.varint())
	}
	r.histogram(&a.Latency)
	n := int(r.uvarint())
	if r.err == nil && n > len(r.b) {
		return nil, errAggregateShort
	}
	if n > 0 {
		a.Missing = make([]string, 0, n)
	}
	for range n {
		a.Missing = append(a.Missing, r.string())
	}
	return a, r.err
}

func appendHistogram(dst []byte, h Histogram) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(h.Buckets)))
	prev := uint32(0)
	for _, b := range h.Buckets {
		dst = binary.AppendUvarint(dst, uint64(b.Index-prev)) // ascending: deltas stay small
		dst = binary.AppendUvarint(dst, uint64(b.Count))
		dst = binary.AppendVarint(dst, b.Sum)
		prev = b.Index
	}
	return dst
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// reader decodes varints, keeping the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errAggregateShort
	}
	r.b = nil
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) histogram(h *Histogram) {
	n := int(r.uvarint())
	if r.err == nil && n > len(r.b) {
		r.fail()
		return
	}
	h.Buckets = h.Buckets[:0]
	prev := uint32(0)
	for range n {
		idx := prev + uint32(r.uvarint())
		h.Buckets = append(h.Buckets, HistBucket{Index: idx, Count: uint32(r.uvarint()), Sum: r.varint()})
		prev = idx
	}
}
