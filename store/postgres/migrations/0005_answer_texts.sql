-- Answer text apart from its metadata: answers.doc keeps who answered
-- what when (all that adherence and reports read), answer_texts.doc the
-- responses (the JSON of []cadence.Response).
CREATE TABLE answer_texts (
    occurrence_id text COLLATE "C" NOT NULL,
    person_id     text COLLATE "C" NOT NULL,
    doc           bytea NOT NULL,
    PRIMARY KEY (occurrence_id, person_id)
);
INSERT INTO answer_texts (occurrence_id, person_id, doc)
    SELECT occurrence_id, person_id,
           convert_to(coalesce(convert_from(doc, 'UTF8')::jsonb -> 'Responses', 'null'::jsonb)::text, 'UTF8')
    FROM answers;
UPDATE answers SET doc = convert_to((convert_from(doc, 'UTF8')::jsonb - 'Responses')::text, 'UTF8');
