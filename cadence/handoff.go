package cadence

import (
	"errors"
	"fmt"
	"time"
)

// HandoffNotesKey is the key of the DM that gives the incoming on-call
// the outgoing one's notes; an edit of the notes revises it in place.
func HandoffNotesKey(occurrenceID, incoming string) string {
	return MessageKey("occ", occurrenceID, "handoff-notes", incoming)
}

// handoffNotes sends the incoming on-call the notes the outgoing one just
// gave (or edited) for a hand-off occurrence, in the answer's
// transaction. Answers of anyone else are left to the summary.
func (e *Engine) handoffNotes(tx Tx, ev *events, r *Ritual, o *Occurrence, a *Answer, now time.Time) error {
	if r.Kind != KindHandoff || e.handoff == nil {
		return nil
	}
	h, ok := e.handoff.HandoffAt(tx, r, o.Scheduled)
	if !ok || a.PersonID != h.Outgoing {
		return nil
	}
	out, in := h.Outgoing, h.Incoming
	c := e.live().compose
	w := c.to(in)
	body := Body{
		Title:    w.t("handoff.notes_title", "Name", c.name(out)),
		Text:     w.t("handoff.notes_text", "Rotation", h.Rotation, "At", w.dateTime(h.At, c.loc(in, r)), "Name", c.name(out)),
		Sections: []Section{{Heading: r.Title, Entries: c.answerEntries(w, r, a, false)}},
	}
	key := HandoffNotesKey(o.ID, in)
	m, err := tx.Message(key)
	switch {
	case errors.Is(err, ErrNotFound):
		m = c.base(r, o, KindNotice, key, Recipient{Person: in}, now)
		m.Body = body
		return e.enqueue(tx, ev, m)
	case err != nil:
		return fmt.Errorf("hand-off notes %s: %w", key, err)
	}
	if m.Revise(body, now) {
		ev.enqueued = true
	}
	return tx.PutMessage(m)
}
