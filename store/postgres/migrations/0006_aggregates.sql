-- Aggregates (cadence/aggregate.go), in cadence's binary form: one row per
-- final occurrence, one per ISO week × ritual × person. Keyed for range
-- reads by time. Filled by Open (cadence.EnsureAggregates) right after this
-- migration; reports read the facts until then.
CREATE TABLE occurrence_aggregates (
    occurrence_id text COLLATE "C" PRIMARY KEY,
    scheduled_ns  bigint NOT NULL,
    data          bytea NOT NULL
);
CREATE INDEX occurrence_aggregates_scheduled ON occurrence_aggregates (scheduled_ns, occurrence_id);

CREATE TABLE week_aggregates (
    week_s    bigint NOT NULL, -- Monday 00:00 UTC, unix seconds
    ritual_id text COLLATE "C" NOT NULL,
    person_id text COLLATE "C" NOT NULL,
    data      bytea NOT NULL,
    PRIMARY KEY (week_s, ritual_id, person_id)
);
