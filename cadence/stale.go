package cadence

import (
	"context"
	"fmt"
	"time"
)

// Freshness is what becomes of a message not yet delivered when its turn
// comes: after an outage the outbox drains long after the moment some
// messages were written for.
type Freshness int

const (
	// Fresh: send the message as queued.
	Fresh Freshness = iota
	// Reworded: its wording is no longer true (a prompt after its close);
	// send LateBody, which still helps (answer late until ...).
	Reworded
	// Stale: its moment passed and nothing is left to say (a reminder
	// after the close, a prompt after late answers end): never send it.
	Stale
)

func (f Freshness) String() string {
	switch f {
	case Reworded:
		return "reworded"
	case Stale:
		return "stale"
	}
	return "fresh"
}

// FreshnessAt decides, from the message alone and now, whether a first
// delivery still says something true. Delivered messages (with a Ref) are
// always Fresh: their updates are the engine's new revisions.
func FreshnessAt(m *Message, now time.Time) Freshness {
	switch {
	case !m.Ref.IsZero():
		return Fresh
	case !m.ExpiresAt.IsZero() && !now.Before(m.ExpiresAt):
		return Stale
	case m.StaleAt.IsZero() || now.Before(m.StaleAt):
		return Fresh
	case m.LateBody != nil:
		return Reworded
	}
	return Stale
}

// freshen applies FreshnessAt to m before its first delivery: a stale
// message is recorded as dropped (done is true), a reworded one gets its
// late body in the store, so every platform and page shows what was sent.
func (d *Dispatcher) freshen(ctx context.Context, m *Message, now time.Time) (done bool, err error) {
	f := FreshnessAt(m, now)
	if f == Fresh {
		return false, nil
	}
	err = d.write(ctx, func(tx Tx) error {
		x, err := tx.Message(m.Key)
		if err != nil {
			return err
		}
		if !x.Ref.IsZero() || (x.State != StatePending && x.State != StateSending) {
			return nil
		}
		switch f = FreshnessAt(x, now); f {
		case Stale:
			x.State = StateDropped
			x.LastError = fmt.Sprintf("not sent: its moment had passed when it could go out (%s)", now.Format(time.RFC3339))
		case Reworded:
			x.Body, x.LateBody, x.StaleAt = *x.LateBody, nil, time.Time{}
		default:
			return nil
		}
		if err := tx.PutMessage(x); err != nil {
			return err
		}
		*m = *x
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("dispatch %s: record it %s: %w", m.Key, f, err)
	}
	d.log.Info().Str("key", m.Key).Str("kind", string(m.Kind)).Str("freshness", f.String()).
		Msg("message written for an earlier moment")
	return f == Stale, nil
}
