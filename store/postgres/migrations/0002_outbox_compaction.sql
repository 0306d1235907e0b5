-- Where CompactOutbox stopped: one row, the (created_ns, key) of the last
-- message it looked at, so each call resumes there.
CREATE TABLE outbox_compaction (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    created_ns bigint NOT NULL,
    key        text COLLATE "C" NOT NULL
);
