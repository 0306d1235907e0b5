// Package postgres is the PostgreSQL implementation of cadence.Store, for
// operators who keep the cadence in a database they already run and back
// up. It meets the same contract suites as the bbolt store (cadencetest).
//
// Values are the JSON of the domain types, next to the columns queries
// filter and sort on; primary keys make duplicates impossible (one
// occurrence per id, one answer per person per occurrence, one outbox row
// per key). Update takes a transaction-scoped advisory lock, so writers are
// serialized exactly as bbolt serializes them, across every process that
// shares the database; View reads one consistent snapshot.
package postgres
