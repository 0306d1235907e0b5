package cadence

import "time"

// WithEditInterval spaces the edits of a delivered message (a summary
// redrawn on every answer) by at least d: a burst of revisions becomes
// one edit when d has passed since the last one, carrying the revision
// current then, so the last edit always shows the final state. Slack's
// chat.update is Tier 3 (50 a minute for the workspace). Zero, the
// default, edits at once.
func WithEditInterval(d time.Duration) DispatcherOption {
	return func(disp *Dispatcher) { disp.editEvery = d }
}

// editTooSoon: m is an edit in place and the platform got the previous
// version less than editEvery ago. The message stays due; a later pass
// (the dispatcher polls every second) sends the newest revision.
func (d *Dispatcher) editTooSoon(m *Message, now time.Time) bool {
	if d.editEvery <= 0 || m.Ref.IsZero() || m.UpdatedAt.IsZero() {
		return false
	}
	at := m.UpdatedAt.Add(d.editEvery)
	if !now.Before(at) {
		return false
	}
	d.hold(at)
	return true
}

// hold notes an edit held back until at, for HeldUntil.
func (d *Dispatcher) hold(at time.Time) {
	d.heldMu.Lock()
	if d.held.IsZero() || at.Before(d.held) {
		d.held = at
	}
	d.heldMu.Unlock()
}

// HeldUntil is when the earliest edit the last RunOnce held back may go
// out; zero when it held none. A loop that does not poll (simulate jumps
// from one instant to the next) wakes then, so the last edit of a burst
// goes out when the interval has passed, not at the next unrelated event.
func (d *Dispatcher) HeldUntil() time.Time {
	d.heldMu.Lock()
	defer d.heldMu.Unlock()
	return d.held
}
