package slack

import (
	"context"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// eventTTL is how long handled event IDs are remembered. Slack retries a
// delivery within minutes (three times over about an hour at most).
const eventTTL = 24 * time.Hour

// pruneEvery is how many handled events pass between two prunes.
const pruneEvery = 500

// claimEvent reports whether eventID should be handled now: not handled
// before (store) and not being handled (memory). Slack redelivers events
// that were not acked in time, and HTTP-mode retries come while the first
// delivery may still run.
func (a *Adapter) claimEvent(ctx context.Context, eventID string) (bool, error) {
	if eventID == "" {
		return true, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inflight[eventID] {
		return false, nil
	}
	if _, seen, err := a.getKV(ctx, nsEvents, eventID); err != nil || seen {
		return false, err
	}
	a.inflight[eventID] = true
	return true, nil
}

// doneEvent releases a claim; a handled event is recorded so later
// redeliveries are dropped. A failed one may be tried again.
func (a *Adapter) doneEvent(ctx context.Context, eventID string, handled bool) {
	if eventID == "" {
		return
	}
	if handled {
		if err := a.putKV(ctx, nsEvents, eventID, []byte(a.clock.Now().UTC().Format(time.RFC3339))); err != nil {
			a.log.Warn().Err(err).Str("event_id", eventID).Msg("recording a handled event failed")
		}
	}
	a.mu.Lock()
	delete(a.inflight, eventID)
	a.handled++
	prune := handled && a.handled%pruneEvery == 0
	a.mu.Unlock()
	if prune {
		a.pruneEvents(ctx)
	}
}

// pruneEvents forgets event IDs older than eventTTL.
func (a *Adapter) pruneEvents(ctx context.Context) {
	cutoff := a.clock.Now().Add(-eventTTL)
	err := a.st.Update(ctx, func(tx cadence.Tx) error {
		keys, err := tx.Keys(nsEvents, "")
		if err != nil {
			return err
		}
		for _, k := range keys {
			v, err := tx.Get(nsEvents, k)
			if err != nil {
				continue
			}
			if t, perr := time.Parse(time.RFC3339, string(v)); perr != nil || t.Before(cutoff) {
				if err := tx.Delete(nsEvents, k); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		a.log.Warn().Err(err).Msg("pruning handled event ids failed")
	}
}
