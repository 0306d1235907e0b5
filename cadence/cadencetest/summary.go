package cadencetest

import (
	"fmt"
	"slices"

	"github.com/cadencebot/cadencebot/cadence"
)

// --- summary states ---

func (t *tx) Summary(occID string) (*cadence.SummaryState, error) {
	v, ok := t.s.summaries[occID]
	if !ok {
		return nil, fmt.Errorf("summary of %q: %w", occID, cadence.ErrNotFound)
	}
	return v.Clone(), nil
}

func (t *tx) PutSummary(s *cadence.SummaryState) error {
	if err := t.checkWritable(); err != nil {
		return err
	}
	if s == nil || s.OccurrenceID == "" {
		return fmt.Errorf("put summary: empty occurrence id: %w", cadence.ErrInvalidInput)
	}
	remember(t, t.s.summaries, s.OccurrenceID)
	t.s.summaries[s.OccurrenceID] = s.Clone()
	return nil
}

func (t *tx) DirtySummaries(limit int) ([]string, error) {
	// Few are dirty among many: sort only those (every dispatcher pass
	// calls this, and simulated years hold thousands of summaries).
	out := []string{}
	for id, s := range t.s.summaries {
		if s.Dirty() {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (t *tx) OccurrenceFor(id, person string) (*cadence.Occurrence, error) {
	o, err := t.Occurrence(id)
	if err != nil {
		return nil, err
	}
	return o.For(person), nil
}
