package store

import (
	"fmt"

	"github.com/cadencebot/cadencebot/cadence"
)

// summaryRecord is a summary state: a few counters, whatever the number
// of people, so each answer rewrites the same small record.
type summaryRecord struct {
	OccurrenceID string        `json:"occurrence_id"`
	Answered     int           `json:"answered"`
	Late         int           `json:"late"`
	Blockers     int           `json:"blockers"`
	Checklist    []checkRecord `json:"checklist,omitempty"`
	Revision     int           `json:"revision"`
	Drawn        int           `json:"drawn"`
}

type checkRecord struct {
	Done    int `json:"done"`
	NotDone int `json:"not_done"`
	Comment int `json:"comment"`
}

func (t *tx) Summary(occurrenceID string) (*cadence.SummaryState, error) {
	b, err := t.bucket(bucketSummaries)
	if err != nil {
		return nil, err
	}
	var r summaryRecord
	found, err := getJSON(b, []byte(occurrenceID), &r)
	if err != nil {
		return nil, fmt.Errorf("summary of %q: %w", occurrenceID, err)
	}
	if !found {
		return nil, fmt.Errorf("summary of %q: %w", occurrenceID, cadence.ErrNotFound)
	}
	s := &cadence.SummaryState{OccurrenceID: r.OccurrenceID, Answered: r.Answered, Late: r.Late, Blockers: r.Blockers,
		Revision: r.Revision, Drawn: r.Drawn}
	for _, c := range r.Checklist {
		s.Checklist = append(s.Checklist, cadence.CheckCount(c))
	}
	return s, nil
}

// PutSummary writes the record and keeps summaries_dirty (occurrence ID →
// nothing) listing exactly the dirty ones, so the dispatcher's look for
// work reads no state.
func (t *tx) PutSummary(s *cadence.SummaryState) error {
	if err := t.writable("put summary"); err != nil {
		return err
	}
	if s == nil || s.OccurrenceID == "" {
		return fmt.Errorf("put summary: empty occurrence id: %w", cadence.ErrInvalidInput)
	}
	b, err := t.bucket(bucketSummaries)
	if err != nil {
		return err
	}
	dirty, err := t.bucket(bucketSummariesDirty)
	if err != nil {
		return err
	}
	r := summaryRecord{OccurrenceID: s.OccurrenceID, Answered: s.Answered, Late: s.Late, Blockers: s.Blockers,
		Revision: s.Revision, Drawn: s.Drawn}
	for _, c := range s.Checklist {
		r.Checklist = append(r.Checklist, checkRecord(c))
	}
	key := []byte(s.OccurrenceID)
	if err := putJSON(b, key, r); err != nil {
		return fmt.Errorf("put summary of %q: %w", s.OccurrenceID, err)
	}
	switch {
	case s.Dirty() && dirty.Get(key) == nil:
		err = dirty.Put(key, []byte{})
	case !s.Dirty():
		err = dirty.Delete(key)
	}
	if err != nil {
		return fmt.Errorf("put summary of %q: dirty index: %w", s.OccurrenceID, err)
	}
	return nil
}

func (t *tx) DirtySummaries(limit int) ([]string, error) {
	dirty, err := t.bucket(bucketSummariesDirty)
	if err != nil {
		return nil, err
	}
	out := []string{}
	c := dirty.Cursor()
	for k, _ := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, _ = c.Next() {
		out = append(out, string(k))
	}
	return out, nil
}
