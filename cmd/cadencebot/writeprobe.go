package main

import (
	"context"
	"time"
)

// writeProbeEvery is how often, while the store's writes fail, the bot
// tries a small one, so that readiness comes back soon after the disk
// has room again instead of at the bot's next real write.
const writeProbeEvery = 10 * time.Second

// writeWatch is the tick loop's view of the store's writes.
type writeWatch struct {
	failing   bool
	lastProbe time.Time
}

// checkWrites probes a failing store and logs when writes start and stop
// failing. Called from the tick loop only.
func (a *App) checkWrites(ctx context.Context) {
	err := a.db.WriteError()
	now := a.opts.Clock.Now()
	if err != nil && a.writes.failing && now.Sub(a.writes.lastProbe) >= writeProbeEvery {
		a.writes.lastProbe = now
		_ = a.db.ProbeWrite(ctx)
		err = a.db.WriteError()
	}
	switch {
	case err != nil && !a.writes.failing:
		a.writes.lastProbe = now // the first probe one interval after the failure
		a.log.Error().Err(err).Msg("database writes are failing (full disk?): /readyz says not ready until one succeeds")
	case err == nil && a.writes.failing:
		a.log.Info().Msg("database writes work again")
	}
	a.writes.failing = err != nil
}
