-- Each occurrence's summary figures (cadence.SummaryState): a few
-- counters an answer updates in its own transaction. dirty is true while
-- the summary message lags them; the dispatcher lists those to redraw.
CREATE TABLE summaries (
    occurrence_id text COLLATE "C" PRIMARY KEY,
    dirty         boolean NOT NULL,
    doc           bytea NOT NULL
);
CREATE INDEX summaries_dirty ON summaries (occurrence_id) WHERE dirty;
