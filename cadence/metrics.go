package cadence

import "time"

// Observer receives what the engine and the dispatcher do, for metrics.
// Calls are made after the change is committed to the store, never from
// inside a transaction, and must not block. cmd/cadencebot implements it
// with Prometheus; embed NopObserver to stay compatible when methods are
// added.
type Observer interface {
	// OccurrenceOpened: an occurrence opened; late when it opened more
	// than the on-time tolerance after it was due (the bot was down).
	OccurrenceOpened(ritual string, late bool)
	// OccurrenceMissed: its whole window passed while the bot was down.
	OccurrenceMissed(ritual string)
	// OccurrenceSkipped: paused, skipped by a lead, or a team holiday.
	OccurrenceSkipped(ritual string, reason string)
	OccurrenceClosed(ritual string)
	// PromptSent: a prompt reached the platform.
	PromptSent(ritual string, platform string)
	// MessageSent: any message reached the platform (first delivery or
	// update in place).
	MessageSent(platform string, kind MessageKind)
	// AnswerStored: an answer (or edit) is durable; late when it came after
	// the person's close time.
	AnswerStored(ritual string, late bool)
	// SendError: a delivery attempt failed; code is the platform's error
	// code, or "error" when it has none.
	SendError(platform, code string)
	// ScheduleLag: how long after it was due an occurrence opened.
	ScheduleLag(ritual string, d time.Duration)
}

// NopObserver ignores everything. It is the default Observer.
type NopObserver struct{}

var _ Observer = NopObserver{}

func (NopObserver) OccurrenceOpened(string, bool)     {}
func (NopObserver) OccurrenceMissed(string)           {}
func (NopObserver) OccurrenceSkipped(string, string)  {}
func (NopObserver) OccurrenceClosed(string)           {}
func (NopObserver) PromptSent(string, string)         {}
func (NopObserver) MessageSent(string, MessageKind)   {}
func (NopObserver) AnswerStored(string, bool)         {}
func (NopObserver) SendError(string, string)          {}
func (NopObserver) ScheduleLag(string, time.Duration) {}
