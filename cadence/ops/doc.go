// Package ops is the operations desk beside the ritual engine: incidents
// and their follow-ups (with daily reminders), on-call rotations and
// their imports from PagerDuty or Opsgenie, hand-overs, the release lane
// (proposals, approvals, webhooks and the model registry), the live
// sections it adds to leads' agendas, and the audited control of the
// engine: pause, resume, skip, snooze and reloading the configuration,
// including the dashboard's config editor.
//
// # Boundary
//
// cadence holds the domain the engine and ops share: the records
// (Incident, FollowUp, Release, Rotation, AuditEntry, Message), the Store
// and its transactions, the outbox, refusals (Refusef, Fieldf,
// ErrorField) and the wording helpers (Words, IssueSections). ops holds
// what people do to those records and what it tells them, and the rules
// of who may do it. It depends on cadence; cadence never imports ops.
//
// Where the engine needs ops it asks through interfaces and functions
// cadence defines and cmd/cadencebot fills in with an *Ops: agenda
// sections (cadence.AgendaContributor), hand-off rituals
// (cadence.HandoffPlanner), excuses for people on call or on an incident
// (EngineConfig.Excuse) and stand-ins after a hand-over
// (EngineConfig.Substitute). Control goes the other way: Service wraps a
// cadence.Service, so adapters hold one value that answers rituals and
// ops commands alike, and every refusal is in the audit log.
//
// Like the engine, ops keeps no state between calls beyond the
// configuration in force: everything is in the Store, and time comes from
// the injected clock.
package ops
