// Package cadence is the domain of cadencebot: rituals, the roster,
// schedules, occurrences, answers, the outbox of semantic messages,
// adherence math and the engine that drives them on an injected clock.
//
// It knows no chat platform and no database. Adapters live at the edge:
// store/ implements Store on bbolt, bot/slack, bot/teams and bot/local
// implement Chat, and cmd/cadencebot wires them together. The operations
// desk (incidents, follow-ups, on-call, releases, audited control) is
// cadence/ops, beside the engine: it imports cadence, never the reverse.
package cadence
