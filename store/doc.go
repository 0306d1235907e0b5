// Package store keeps the cadence domain in one bbolt file.
//
// Layout: one top-level bucket per aggregate, plus secondary indexes so
// every list the engine asks for is a cursor range scan:
//
//	meta            "schema" → decimal schema version
//	ritual_state    ritual ID → JSON
//	occurrences     <scheduled UTC, fixed width>/<occurrence ID> → JSON
//	occurrence_ids  occurrence ID → primary key in occurrences
//	answers         <occurrence ID>/<person ID> → JSON
//	answers_at      <scheduled UTC>/<occurrence ID>/<person ID> → (empty)
//	outbox          message key → JSON
//	outbox_due      <next attempt UTC>/<created UTC>/<key> → (empty), pending and sending only
//	outbox_created  <created UTC>/<key> → (empty)
//	person_state    person ID → JSON
//	kv              one nested bucket per namespace: key → raw bytes
//	incidents       <number, 10 digits> → JSON
//	followups       <number, 10 digits> → JSON
//	releases        <number, 10 digits> → JSON
//	audit           <sequence, 8 bytes big-endian> → JSON (append only, hash-chained)
//
// Values are JSON, not gob or protobuf: `bbolt get` on a live file shows
// something a person can read while debugging, and the schema evolves by
// adding fields (unknown fields are ignored, missing ones decode to zero)
// without a migration. The record types are private to this package, so
// renaming a domain field never silently renames what is on disk.
//
// Times are stored, and come back, in UTC.
package store
