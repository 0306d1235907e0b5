-- A compacted message (its content dropped after the retention) is not
-- listed (Messages) and leaves the creation index, as in the bbolt store
-- since its schema 11: nothing of it is left to show, and its index entry
-- was a large part of what the outbox kept of it. A revision written
-- after compaction brings its body back, and the message is listed again.
-- CompactOutbox scans the same index: what it compacted, it never visits
-- again.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS compacted boolean NOT NULL DEFAULT false;
UPDATE outbox SET compacted = true
WHERE convert_from(doc, 'UTF8')::jsonb ->> 'Compacted' = 'true'
  AND convert_from(doc, 'UTF8')::jsonb -> 'Body' = '{"Title": "", "Text": "", "Sections": null, "Questions": null, "Prefill": null, "Actions": null, "Footer": ""}'::jsonb
  AND coalesce(convert_from(doc, 'UTF8')::jsonb -> 'LateBody', 'null'::jsonb) = 'null'::jsonb;
DROP INDEX IF EXISTS outbox_created;
CREATE INDEX IF NOT EXISTS outbox_listed ON outbox (created_ns, key) WHERE NOT compacted;
