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
	return d.editEvery > 0 && !m.Ref.IsZero() && !m.UpdatedAt.IsZero() && now.Before(m.UpdatedAt.Add(d.editEvery))
}
