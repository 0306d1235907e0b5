package main

import "time"

// afterReadyWait is how long the work that follows the start waits once
// the first tick has made the bot ready: bbolt's page check (a snapshot
// of the whole file written and read back) and the first outbox
// compaction round (a write transaction). Begun at once they took CPU,
// the disk and the writer lock from the ready reply itself (1–45 ms of
// its wall time on a year's file), and from the day's first prompts.
const afterReadyWait = 5 * time.Second

// afterReady holds that work back until wait has passed on the injected
// clock since the first successful tick.
type afterReady struct {
	wait  time.Duration
	ready time.Time // when the first tick succeeded; zero before
}

// due says whether the held-back work may run at now. The first call
// marks readiness: call it after each successful tick.
func (h *afterReady) due(now time.Time) bool {
	if h.ready.IsZero() {
		h.ready = now
	}
	return !now.Before(h.ready.Add(h.wait))
}
