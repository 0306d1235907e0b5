package cadence

import (
	"errors"
	"fmt"
	"time"
)

// redrawAgenda rewords an occurrence's agenda once it has closed or was
// skipped, so the channel does not keep saying "is open, please answer
// by …" and its button leads to what is still possible (a late answer).
// The dispatcher updates the delivered agenda in place.
func (e *Engine) redrawAgenda(tx Tx, ev *events, r *Ritual, o *Occurrence, now time.Time) error {
	m, err := tx.Message(AgendaKey(o.ID))
	if errors.Is(err, ErrNotFound) {
		return nil // skipped or missed before it opened: there is no agenda
	}
	if err != nil {
		return fmt.Errorf("agenda of %s: %w", o.ID, err)
	}
	if m.Compacted {
		return nil // closed after the outbox retention: no text left to reword
	}
	var body Body
	switch o.Status {
	case StatusClosed:
		body = e.live().compose.closedAgenda(r, o, m.Body)
	case StatusSkipped:
		body = e.live().compose.skippedAgenda(r, o, m.Body)
	default:
		return nil
	}
	m.LateBody, m.StaleAt = nil, time.Time{}
	if m.Revise(body, now) {
		ev.enqueued = true
	}
	return tx.PutMessage(m)
}
