-- Each occurrence's per-person state, one row per person (bbolt's
-- occurrence_people since its schema 8): whether the person is expected,
-- and a small doc of their excuse, prompt and close times, when they were
-- prompted and how many reminders went out. A prompt or a reminder to one
-- person rewrites that row alone, and an answer reads it alone, where all
-- of it used to sit in maps inside the occurrence's one growing doc.
--
-- The occurrence keeps what is per occurrence: its doc holds each
-- per-person map as {} (or null when the map is nil, so nil and empty stay
-- apart) and expected holds the ordered list of people asked (NULL for a
-- nil list), which an answer never reads.
CREATE TABLE occurrence_people (
    occurrence_id text COLLATE "C" NOT NULL,
    person_id     text COLLATE "C" NOT NULL,
    expected      boolean NOT NULL,
    doc           bytea NOT NULL,
    PRIMARY KEY (occurrence_id, person_id)
);
ALTER TABLE occurrences ADD COLUMN expected text[];

-- Split the docs written before: every person named in Expected or in a
-- map gets a row holding their entries, values copied as stored (the
-- same JSON strings, so instants keep their nanoseconds and offsets).
INSERT INTO occurrence_people (occurrence_id, person_id, expected, doc)
SELECT o.id, p.person,
       jsonb_typeof(o.j -> 'Expected') = 'array' AND (o.j -> 'Expected') ? p.person,
       convert_to(jsonb_strip_nulls(jsonb_build_object(
           'excused', o.j -> 'Excused' -> p.person,
           'prompt_at', o.j -> 'PromptAt' -> p.person,
           'close_at', o.j -> 'CloseAt' -> p.person,
           'prompted', o.j -> 'Prompted' -> p.person,
           'reminded', o.j -> 'Reminded' -> p.person))::text, 'UTF8')
FROM (SELECT id, convert_from(doc, 'UTF8')::jsonb AS j FROM occurrences) o
CROSS JOIN LATERAL (
    SELECT jsonb_array_elements_text(o.j -> 'Expected') WHERE jsonb_typeof(o.j -> 'Expected') = 'array'
    UNION
    SELECT jsonb_object_keys(o.j -> m)
    FROM unnest(ARRAY['Excused', 'PromptAt', 'CloseAt', 'Prompted', 'Reminded']) AS m
    WHERE jsonb_typeof(o.j -> m) = 'object'
) AS p(person);

UPDATE occurrences o SET
    expected = CASE WHEN jsonb_typeof(s.j -> 'Expected') = 'array' THEN ARRAY(
        SELECT e FROM jsonb_array_elements_text(s.j -> 'Expected') WITH ORDINALITY AS x(e, n) ORDER BY n) END,
    doc = convert_to((s.j || jsonb_build_object('Expected', NULL,
        'Excused', CASE WHEN jsonb_typeof(s.j -> 'Excused') = 'object' THEN '{}'::jsonb END,
        'PromptAt', CASE WHEN jsonb_typeof(s.j -> 'PromptAt') = 'object' THEN '{}'::jsonb END,
        'CloseAt', CASE WHEN jsonb_typeof(s.j -> 'CloseAt') = 'object' THEN '{}'::jsonb END,
        'Prompted', CASE WHEN jsonb_typeof(s.j -> 'Prompted') = 'object' THEN '{}'::jsonb END,
        'Reminded', CASE WHEN jsonb_typeof(s.j -> 'Reminded') = 'object' THEN '{}'::jsonb END))::text, 'UTF8')
FROM (SELECT id, convert_from(doc, 'UTF8')::jsonb AS j FROM occurrences) s
WHERE s.id = o.id;
