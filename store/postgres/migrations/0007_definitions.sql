-- Rituals and people managed from chat and the web (cadence.Definition).
-- kind sorts 'person' before 'ritual', the order cadence lists them in.
CREATE TABLE IF NOT EXISTS definitions (
    kind text COLLATE "C" NOT NULL CHECK (kind IN ('person', 'ritual')),
    id   text COLLATE "C" NOT NULL,
    doc  bytea NOT NULL,
    PRIMARY KEY (kind, id)
);
