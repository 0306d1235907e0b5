package postgres

import (
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cadencebot/cadencebot/cadence"
)

// --- summary states ---

const summarySQL = "SELECT doc FROM summaries WHERE occurrence_id = $1"

func (t *tx) Summary(occID string) (*cadence.SummaryState, error) {
	what := fmt.Sprintf("summary of %q", occID)
	var v cadence.SummaryState
	if doc, ok := t.summaryCache[occID]; ok {
		if doc == nil {
			return nil, fmt.Errorf("%s: %w", what, cadence.ErrNotFound)
		}
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, fmt.Errorf("%s: stored value does not decode: %w", what, err)
		}
		return &v, nil
	}
	if err := t.getDoc(what, &v, summarySQL, occID); err != nil {
		return nil, err
	}
	return &v, nil
}

func (t *tx) PutSummary(v *cadence.SummaryState) error {
	if err := t.checkWritable("put summary"); err != nil {
		return err
	}
	if v == nil || v.OccurrenceID == "" {
		return fmt.Errorf("put summary: empty occurrence id: %w", cadence.ErrInvalidInput)
	}
	doc, err := encode("put summary", v)
	if err != nil {
		return err
	}
	if _, ok := t.summaryCache[v.OccurrenceID]; ok {
		t.cacheSummary(v.OccurrenceID, doc)
	}
	return t.exec("put summary of "+v.OccurrenceID, `INSERT INTO summaries (occurrence_id, dirty, doc) VALUES ($1, $2, $3)
		ON CONFLICT (occurrence_id) DO UPDATE SET dirty = excluded.dirty, doc = excluded.doc`, v.OccurrenceID, v.Dirty(), doc)
}

func (t *tx) DirtySummaries(limit int) ([]string, error) {
	q, args := "SELECT occurrence_id FROM summaries WHERE dirty ORDER BY occurrence_id", []any{}
	if limit > 0 {
		q, args = q+" LIMIT $1", append(args, limit)
	}
	rows, err := t.tx.Query(t.ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("dirty summaries: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("dirty summaries: %w", err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}
