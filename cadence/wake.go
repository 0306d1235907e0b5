package cadence

import (
	"context"
	"fmt"
	"time"
)

// NextWake returns the earliest instant in (now, now+horizon] at which Tick
// would have something to do, or now+horizon when nothing falls due before
// it; now itself when something is due already. Nothing is written.
//
// The planner says it (NextDue), from the same rules it plans by: planning
// is not monotone in time (a reminder is due only until its person's
// close), so searching the planner's answers between now and the horizon
// could step over a window. The simulator uses it to jump between
// interesting instants instead of ticking every minute; a daemon could
// sleep on it.
func (e *Engine) NextWake(ctx context.Context, horizon time.Duration) (time.Time, error) {
	now := e.now()
	wake := now.Add(horizon)
	err := e.store.View(ctx, func(tx Tx) error {
		for _, r := range e.live().rituals {
			in, err := e.planInput(tx, r, now)
			if err != nil {
				return err
			}
			if at, ok := NextDue(in, wake); ok {
				wake = at
			}
			if !wake.After(now) {
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("next wake: %w", err)
	}
	return wake, nil
}
