-- What earlier compactions kept of direct messages about an occurrence no
-- longer open (prompts, reminders, snoozes, receipts) goes: nothing reads
-- it again (cadence.Outlived), and CompactOutbox, which now deletes such
-- messages, never revisits those it compacted before.
DELETE FROM outbox o USING occurrences c
WHERE o.state IN ('sent', 'failed', 'dropped')
  AND convert_from(o.doc, 'UTF8')::jsonb ->> 'Compacted' = 'true'
  AND convert_from(o.doc, 'UTF8')::jsonb ->> 'Kind' IN ('prompt', 'reminder', 'receipt')
  AND coalesce(convert_from(o.doc, 'UTF8')::jsonb -> 'To' ->> 'Person', '') <> ''
  AND c.id = convert_from(o.doc, 'UTF8')::jsonb ->> 'OccurrenceID'
  AND c.status <> 'open';
