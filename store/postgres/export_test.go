package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// OpenTraced is Open with a query tracer on every connection: the ingest
// benchmark records the engine's statements with it.
func OpenTraced(ctx context.Context, url string, tracer pgx.QueryTracer) (*DB, error) {
	return open(ctx, url, options{tracer: tracer})
}

// The report's range reads, for tests of their plans.
const (
	OccurrenceAggregatesSQL = occurrenceAggregatesSQL
	WeekAggregatesSQL       = weekAggregatesSQL
)
