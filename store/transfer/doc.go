// Package transfer copies everything one cadence store holds into another
// (`cadencebot migrate`: bbolt to PostgreSQL and back), through the
// cadence.Tx interfaces only, so it knows neither database.
//
// Each aggregate is a Kind (kinds.go): how to list its records and how to
// write one. A record kind added to cadence.Tx is one more Kind; the
// package's test fails until it is, because it compares a full logical
// dump of both stores and checks that no bucket or table is left empty.
package transfer
