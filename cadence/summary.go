package cadence

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SummaryState is the figures of an occurrence's summary, kept by each
// answer, decline and close in its own transaction. Its size does not
// grow with the number of people, so an answer writes the same bytes
// whether it is the 3rd or the 1,000th. The summary's message body, which
// does grow, is drawn from the answers only when the dispatcher is about
// to send it (RenderSummary): a burst of answers costs one drawing.
type SummaryState struct {
	OccurrenceID string
	Answered     int // answers stored
	Late         int // of them, first submitted after the person's close
	Blockers     int // blocker questions answered with something other than "none"
	// Checklist counts the marks per checklist item, in the ritual's order.
	Checklist []CheckCount
	// Revision counts changes; Drawn is the revision the summary message
	// was last drawn at. Revision > Drawn: the message is out of date.
	Revision int
	Drawn    int
}

// CheckCount is how many people marked one checklist item which way.
type CheckCount struct{ Done, NotDone, Comment int }

// Dirty reports whether the summary message lags the state.
func (s *SummaryState) Dirty() bool { return s.Revision > s.Drawn }

// SummaryTx stores summary states. A dirty state (Dirty) is listed by
// DirtySummaries until PutSummary stores it drawn.
type SummaryTx interface {
	// Summary returns an occurrence's summary state, or ErrNotFound.
	Summary(occurrenceID string) (*SummaryState, error)
	PutSummary(*SummaryState) error
	// DirtySummaries lists the occurrence IDs of dirty states, sorted,
	// at most limit (0: all).
	DirtySummaries(limit int) ([]string, error)
}

// share is what one answer adds to a summary state.
type share struct {
	late, blockers int
	checks         []CheckMark
}

func answerShare(r *Ritual, o *Occurrence, a *Answer) share {
	var s share
	if a.SubmittedAt.After(o.PersonCloseAt(a.PersonID)) {
		s.late = 1
	}
	for _, q := range r.Questions {
		if t := UserText(strings.TrimSpace(a.Text(q.ID))); q.Blocker && t != "" && !isNone(t) {
			s.blockers++
		}
	}
	for i := range r.Checklist {
		mark, _ := ParseCheck(a.Text(ChecklistQuestionID(i)))
		s.checks = append(s.checks, mark)
	}
	return s
}

// add counts an answer's share in (sign +1) or out (sign -1).
func (s *SummaryState) add(x share, sign int) {
	s.Answered += sign
	s.Late += sign * x.late
	s.Blockers += sign * x.blockers
	for len(s.Checklist) < len(x.checks) {
		s.Checklist = append(s.Checklist, CheckCount{})
	}
	for i, m := range x.checks {
		switch m {
		case CheckDone:
			s.Checklist[i].Done += sign
		case CheckNotDone:
			s.Checklist[i].NotDone += sign
		case CheckComment:
			s.Checklist[i].Comment += sign
		}
	}
}

// RebuildSummary computes an occurrence's summary figures from its
// answers; the incremental state must always equal it.
func RebuildSummary(r *Ritual, o *Occurrence, answers []*Answer) *SummaryState {
	s := &SummaryState{OccurrenceID: o.ID, Checklist: make([]CheckCount, len(r.Checklist))}
	for _, a := range answers {
		s.add(answerShare(r, o, a), +1)
	}
	return s
}

// summaryState reads an occurrence's state; an occurrence opened before
// states were kept gets one rebuilt from its answers (once).
func summaryState(tx Tx, r *Ritual, o *Occurrence) (*SummaryState, error) {
	s, err := tx.Summary(o.ID)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("summary of %s: %w", o.ID, err)
	}
	// o may be one person's part of the occurrence (OccurrenceFor): the
	// rebuild needs everyone's close times.
	full, err := tx.Occurrence(o.ID)
	if err != nil {
		return nil, fmt.Errorf("occurrence %s: %w", o.ID, err)
	}
	answers, err := tx.Answers(o.ID)
	if err != nil {
		return nil, fmt.Errorf("answers of %s: %w", o.ID, err)
	}
	return RebuildSummary(r, full, answers), nil
}

// touchSummary stores s one revision further, so the dispatcher redraws
// the message, and wakes the dispatcher.
func touchSummary(tx Tx, ev *events, s *SummaryState) error {
	s.Revision++
	if err := tx.PutSummary(s); err != nil {
		return fmt.Errorf("put summary of %s: %w", s.OccurrenceID, err)
	}
	ev.enqueued = true
	return nil
}

// refreshSummary marks an occurrence's summary out of date (a close, a
// skip, a decline): the dispatcher redraws it before sending.
func (e *Engine) refreshSummary(tx Tx, ev *events, r *Ritual, o *Occurrence, _ time.Time) error {
	s, err := summaryState(tx, r, o)
	if err != nil {
		return err
	}
	return touchSummary(tx, ev, s)
}

// Renderer draws messages whose body is kept as state until they are
// sent (summaries). The engine is one; the dispatcher calls it.
type Renderer interface {
	// RenderSummary draws the summary of a dirty occurrence into its
	// message, a new revision, unless tooSoon says the platform got the
	// previous one too recently; the state then stays dirty.
	RenderSummary(tx Tx, occurrenceID string, tooSoon func(*Message) bool, now time.Time) error
}

// WithRenderer has the dispatcher draw dirty summaries just before it
// sends (Engine is a Renderer). Without it, summaries keep the body they
// were enqueued with.
func WithRenderer(r Renderer) DispatcherOption {
	return func(d *Dispatcher) { d.render = r }
}

var _ Renderer = (*Engine)(nil)

// RenderSummary implements Renderer: one read of the answers and one
// write of the message per drawing, however many answers it covers.
func (e *Engine) RenderSummary(tx Tx, occurrenceID string, tooSoon func(*Message) bool, now time.Time) error {
	s, err := tx.Summary(occurrenceID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil || !s.Dirty() {
		return err
	}
	settle := func() error {
		s.Drawn = s.Revision
		return tx.PutSummary(s)
	}
	m, err := tx.Message(SummaryKey(occurrenceID))
	if errors.Is(err, ErrNotFound) {
		return settle() // skipped or missed before opening: there is no summary
	}
	if err != nil {
		return fmt.Errorf("summary of %s: %w", occurrenceID, err)
	}
	if tooSoon != nil && tooSoon(m) {
		return nil
	}
	o, err := tx.Occurrence(occurrenceID)
	if err != nil {
		return fmt.Errorf("summary of %s: %w", occurrenceID, err)
	}
	r := e.live().byID[o.RitualID]
	if r == nil {
		return settle() // the ritual left the config: keep the last drawing
	}
	answers, err := tx.Answers(o.ID)
	if err != nil {
		return fmt.Errorf("answers of %s: %w", o.ID, err)
	}
	// A message in StateSending stays there: the dispatcher is (or was)
	// delivering it and will see the newer revision when it records the Ref.
	m.Revise(e.live().compose.summaryBody(r, o, answers), now)
	if err := tx.PutMessage(m); err != nil {
		return fmt.Errorf("summary of %s: %w", occurrenceID, err)
	}
	return settle()
}

// renderDirty draws the dirty summaries before a pass lists what is due,
// each in its own transaction; an edit too soon after the last one waits
// for a later pass, so a burst of answers is one edit.
func (d *Dispatcher) renderDirty(ctx context.Context, now time.Time) error {
	if d.render == nil {
		return nil
	}
	var ids []string
	if err := d.store.View(ctx, func(tx Tx) error {
		var err error
		ids, err = tx.DirtySummaries(d.batch)
		return err
	}); err != nil {
		return fmt.Errorf("dispatch: list dirty summaries: %w", err)
	}
	for _, id := range ids {
		// A summary held back stays too soon until the instant it was
		// held for (only a delivery moves that later): until then, pass
		// it without reading its message, whose body lists every answer.
		if at, ok := d.heldSummary[id]; ok && now.Before(at) {
			d.hold(at)
			continue
		}
		delete(d.heldSummary, id)
		tooSoon := func(m *Message) bool {
			if !d.editTooSoon(m, now) {
				return false
			}
			if d.heldSummary == nil {
				d.heldSummary = map[string]time.Time{}
			}
			d.heldSummary[id] = m.UpdatedAt.Add(d.editEvery)
			return true
		}
		if err := d.store.Update(ctx, func(tx Tx) error { return d.render.RenderSummary(tx, id, tooSoon, now) }); err != nil {
			return fmt.Errorf("dispatch: draw summary of %s: %w", id, err)
		}
	}
	return nil
}

// Clone returns a deep copy of s.
func (s *SummaryState) Clone() *SummaryState {
	c := *s
	c.Checklist = append([]CheckCount(nil), s.Checklist...)
	return &c
}
