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
// Planning is monotone in time: a step due at t is still due at any later
// instant while the stored state does not change. So a binary search over
// the pure planner finds the instant to the second without restating its
// rules here. The simulator uses it to jump between interesting instants
// instead of ticking every minute; a daemon could sleep on it.
func (e *Engine) NextWake(ctx context.Context, horizon time.Duration) (time.Time, error) {
	now := e.now()
	wake := now.Add(horizon)
	err := e.store.View(ctx, func(tx Tx) error {
		for _, r := range e.live().rituals {
			in, err := e.planInput(tx, r, now)
			if err != nil {
				return err
			}
			due := func(t time.Time) bool {
				in.Now = t
				_, ok := NextStep(in)
				return ok
			}
			if due(now) {
				wake = now
				return nil
			}
			// Invariant: nothing due at now+lo; something due at now+hi
			// (or hi is the current best, beyond which we need not look).
			lo, hi := time.Duration(0), wake.Sub(now)
			if !due(now.Add(hi)) {
				continue
			}
			for hi-lo > time.Second {
				mid := lo + (hi-lo)/2
				if due(now.Add(mid)) {
					hi = mid
				} else {
					lo = mid
				}
			}
			wake = now.Add(hi)
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("next wake: %w", err)
	}
	return wake, nil
}
