-- The first schema. Values are stored as the JSON the domain types encode
-- to (doc, bytea: the exact bytes, NUL-safe), beside the columns that
-- queries filter and sort on. Keys are COLLATE "C" so SQL orders text the
-- way Go compares strings, as the bbolt store does.

CREATE TABLE ritual_states (
    ritual_id text COLLATE "C" PRIMARY KEY,
    doc       bytea NOT NULL
);

CREATE TABLE occurrences (
    id           text COLLATE "C" PRIMARY KEY, -- unique occurrence ids
    ritual_id    text COLLATE "C" NOT NULL,
    scheduled_ns bigint NOT NULL,
    status       text COLLATE "C" NOT NULL,
    doc          bytea NOT NULL
);
CREATE INDEX occurrences_scheduled ON occurrences (scheduled_ns, id);
CREATE INDEX occurrences_ritual ON occurrences (ritual_id, scheduled_ns, id);

CREATE TABLE answers (
    occurrence_id text COLLATE "C" NOT NULL,
    person_id     text COLLATE "C" NOT NULL,
    scheduled_ns  bigint NOT NULL, -- from the occurrence id, for reports
    doc           bytea NOT NULL,
    PRIMARY KEY (occurrence_id, person_id) -- one answer per person per occurrence
);
CREATE INDEX answers_scheduled ON answers (scheduled_ns, occurrence_id, person_id);

CREATE TABLE outbox (
    key             text COLLATE "C" PRIMARY KEY, -- one row per key
    platform        text COLLATE "C" NOT NULL,
    recipient       text COLLATE "C" NOT NULL,
    thread          text COLLATE "C" NOT NULL,
    state           text COLLATE "C" NOT NULL,
    created_ns      bigint NOT NULL,
    next_attempt_ns bigint NOT NULL,
    doc             bytea NOT NULL
);
CREATE INDEX outbox_created ON outbox (created_ns, key);
-- Due scans only what is still to deliver.
CREATE INDEX outbox_due ON outbox (created_ns, key) WHERE state IN ('pending', 'sending');

CREATE TABLE person_states (
    person_id text COLLATE "C" PRIMARY KEY,
    doc       bytea NOT NULL
);

CREATE TABLE kv (
    ns    text COLLATE "C" NOT NULL,
    key   text COLLATE "C" NOT NULL,
    value bytea NOT NULL,
    PRIMARY KEY (ns, key)
);

CREATE TABLE incidents (
    number integer PRIMARY KEY CHECK (number > 0),
    doc    bytea NOT NULL
);

CREATE TABLE follow_ups (
    number integer PRIMARY KEY CHECK (number > 0),
    doc    bytea NOT NULL
);

CREATE TABLE releases (
    number integer PRIMARY KEY CHECK (number > 0),
    doc    bytea NOT NULL
);

CREATE TABLE audit (
    seq  bigint PRIMARY KEY CHECK (seq > 0),
    doc  bytea NOT NULL
);
