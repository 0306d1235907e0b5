package main

import (
	"context"
	"time"
)

// writeProbeEvery is how often, while the store's writes fail, the bot
// tries a small one, so that readiness comes back soon after the disk
// has room again instead of at the bot's next real write.
const writeProbeEvery = 10 * time.Second

// After a write failed for want of the server (a PostgreSQL restart,
// App.connectionLost), the small write is tried sooner: from
// writeProbeFirst, doubling up to writeProbeLostMax. The server is
// usually back within seconds, and a follower, which writes rarely,
// would otherwise stay "not ready" up to writeProbeEvery after it. Each
// try is one connection attempt, refused at once while the server is
// down.
const (
	writeProbeFirst   = 250 * time.Millisecond
	writeProbeLostMax = 2 * time.Second
)

// writeProbeTimeout bounds one small write: a server that does not
// answer (a partition) must not hold the probe loop for a TCP timeout.
// A write that times out leaves the store's error as it was.
const writeProbeTimeout = 5 * time.Second

// writeWatch is the tick loop's view of the store's writes.
type writeWatch struct {
	failing   bool
	lastProbe time.Time
	wait      time.Duration // until the next small write, from lastProbe
}

// probeWait is how long after a failed write, or a failed small write
// that waited prev, the next small write is tried.
func (a *App) probeWait(err error, prev time.Duration) time.Duration {
	if a.connectionLost == nil || !a.connectionLost(err) {
		return writeProbeEvery
	}
	if prev <= 0 {
		return writeProbeFirst
	}
	return min(2*prev, writeProbeLostMax)
}

// checkWrites probes a failing store and logs when writes start and stop
// failing. Called from the probe loop only.
func (a *App) checkWrites(ctx context.Context) {
	err := a.db.WriteError()
	now := a.opts.Clock.Now()
	if err != nil && a.writes.failing && now.Sub(a.writes.lastProbe) >= a.writes.wait {
		a.writes.lastProbe = now
		pctx, cancel := context.WithTimeout(ctx, writeProbeTimeout)
		_ = a.db.ProbeWrite(pctx)
		cancel()
		if err = a.db.WriteError(); err != nil {
			a.writes.wait = a.probeWait(err, a.writes.wait)
		}
	}
	switch {
	case err != nil && !a.writes.failing:
		a.writes.lastProbe = now // the first probe one wait after the failure
		a.writes.wait = a.probeWait(err, 0)
		a.log.Error().Err(err).Msg("database writes are failing (full disk? server down?): /readyz says not ready until one succeeds")
	case err == nil && a.writes.failing:
		a.log.Info().Msg("database writes work again")
	}
	a.writes.failing = err != nil
}
