package cadence

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// SubmitAnswer validates and stores a person's answers, then queues a
// receipt and moves the summary's figures, all in one transaction: the receipt
// is never sent for an answer that is not durable.
//
// Rules: answers may be edited until the person's own close time. A first
// answer after it is accepted for LateAnswerGrace and counted late. People
// excused (out of office, declined) may still answer; they are then
// expected again. Missed and skipped occurrences take no answers. The
// rules are AnswerStateAt's.
func (e *Engine) SubmitAnswer(ctx context.Context, in AnswerInput) (*Answer, error) {
	ritualID, scheduled, err := ParseOccurrenceID(in.OccurrenceID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	r := e.live().byID[ritualID]
	if r == nil {
		return nil, fmt.Errorf("occurrence %s: ritual %q is not configured: %w", in.OccurrenceID, ritualID, ErrNotFound)
	}
	if in.Responses, err = CanonicalResponses(r, in.Responses); err != nil {
		return nil, err
	}
	if e.live().roster.Person(in.PersonID) == nil {
		return nil, fmt.Errorf("%q is not in the roster: %w", in.PersonID, ErrForbidden)
	}
	now := e.now()
	var out *Answer
	var late bool
	err = e.update(ctx, func(tx Tx, ev *events) error {
		p := in.PersonID
		// What the answer reads after the occurrence comes with it, on a
		// store that pays round trips: reminders and snoozes to drop, the
		// first receipt's key, the streak's earlier occurrences.
		readAhead(tx, Reads{
			Messages:    answerMessageKeys(in.OccurrenceID, p, len(e.live().reminders[r.ID])),
			Occurrences: []OccurrenceFilter{streakFilter(r.ID, scheduled, p)},
		})
		// Only p's part of the occurrence: the same work for an
		// occurrence of ten people as for one of a thousand.
		o, err := tx.OccurrenceFor(in.OccurrenceID, p)
		if err != nil {
			return fmt.Errorf("occurrence %s: %w", in.OccurrenceID, err)
		}
		_, excused := o.Excused[p]
		prev, err := tx.Answer(o.ID, p)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("answer of %s: %w", p, err)
		}
		st := AnswerStateAt(o, p, prev != nil, now, e.grace)
		if err := st.refusal(o, p, r.Title, e.live().compose.loc(p, r), e.live().compose.name); err != nil {
			return err
		}
		closeAt := st.ClosesAt
		a := &Answer{
			OccurrenceID: o.ID, RitualID: r.ID, PersonID: p,
			Responses: normalizeResponses(r, in.Responses), SubmittedAt: now, UpdatedAt: now, Via: in.Via,
		}
		if prev != nil {
			a.SubmittedAt, a.Edits = prev.SubmittedAt, prev.Edits+1
		}
		late = a.SubmittedAt.After(closeAt)
		if excused {
			// Answering overrides an excuse: the person took part after
			// all. The whole occurrence is rewritten, so read it whole.
			full, err := tx.Occurrence(o.ID)
			if err != nil {
				return fmt.Errorf("occurrence %s: %w", o.ID, err)
			}
			delete(full.Excused, p)
			full.Expected = e.participantOrder(r, append(full.Expected, p))
			if err := tx.PutOccurrence(full); err != nil {
				return fmt.Errorf("put occurrence %s: %w", o.ID, err)
			}
			o = full.For(p)
		}
		// The summary's figures move by this answer's share (minus the
		// edited one's): bytes independent of how many answered.
		sum, err := summaryState(tx, r, o)
		if err != nil {
			return err
		}
		if prev != nil {
			sum.add(answerShare(r, o, prev), -1)
		}
		sum.add(answerShare(r, o, a), +1)
		if err := tx.PutAnswer(a); err != nil {
			return fmt.Errorf("put answer: %w", err)
		}
		if err := e.dropReminders(tx, r, o.ID, p); err != nil {
			return err
		}
		if err := dropSnoozes(tx, o.ID, p); err != nil {
			return err
		}
		receipt := e.live().compose.receipt(r, o, a, late && prev == nil, now)
		if prev == nil && !late {
			n, capped, err := answerStreak(tx, r, o, p)
			if err != nil {
				return err
			}
			receipt.Body.Text += streakText(n, capped, r.Title)
		}
		if err := e.enqueue(tx, ev, receipt); err != nil {
			return err
		}
		if err := touchSummary(tx, ev, sum); err != nil {
			return err
		}
		if err := e.handoffNotes(tx, ev, r, o, a, now); err != nil {
			return err
		}
		out = a
		ev.on(func() {
			e.obs.AnswerStored(r.ID, late)
			e.log.Info().Str("ritual", r.ID).Str("occurrence", o.ID).Str("person", p).
				Bool("late", late).Int("edits", a.Edits).Str("via", in.Via).Msg("answer stored")
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// answerMessageKeys are the messages an answer reads or enqueues: the
// person's reminders and snoozes (dropped once they answered) and the
// receipt of a first answer (an edit's key depends on the edits stored).
func answerMessageKeys(occID, person string, reminders int) []string {
	keys := make([]string, 0, reminders+maxSnoozes+1)
	for i := range reminders {
		keys = append(keys, ReminderKey(occID, person, i))
	}
	for n := range maxSnoozes {
		keys = append(keys, SnoozeKey(occID, person, n))
	}
	return append(keys, ReceiptKey(occID, person, 0))
}

// Decline excuses a person from one open occurrence: no reminders, not
// counted as missing. Declining twice is a no-op; declining after
// answering is a conflict (the answer stands). With ReasonOutOfOffice
// the person's day (in their zone) is recorded as out of office too.
func (e *Engine) Decline(ctx context.Context, occurrenceID, personID, reason string) error {
	now := e.now()
	return e.update(ctx, func(tx Tx, ev *events) error {
		o, err := tx.Occurrence(occurrenceID)
		if err != nil {
			return fmt.Errorf("occurrence %s: %w", occurrenceID, err)
		}
		r := e.live().byID[o.RitualID]
		if r == nil {
			return fmt.Errorf("occurrence %s: ritual %q is not configured: %w", o.ID, o.RitualID, ErrNotFound)
		}
		if _, ok := o.Excused[personID]; ok {
			return nil
		}
		if !o.IsExpected(personID) {
			return fmt.Errorf("%s is not asked to answer %s: %w", personID, o.ID, ErrForbidden)
		}
		if o.Status != StatusOpen || !now.Before(o.PersonCloseAt(personID)) {
			return fmt.Errorf("%s is closed: %w", r.Title, ErrClosed)
		}
		if _, err := tx.Answer(o.ID, personID); err == nil {
			return fmt.Errorf("you already answered %s; edit your answer instead: %w", r.Title, ErrConflict)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		why := "declined"
		if reason != "" {
			why += ": " + reason
		}
		o.Excuse(personID, why)
		if err := tx.PutOccurrence(o); err != nil {
			return fmt.Errorf("put occurrence %s: %w", o.ID, err)
		}
		receipt := e.live().compose.declined(r, o, personID, now)
		if p := e.live().roster.Person(personID); reason == ReasonOutOfOffice && p != nil {
			today := DateOf(now.In(p.Zone()))
			if err := e.recordOutOfOffice(tx, ev, p, DateRange{From: today, To: today, Note: buttonOOONote}, now); err != nil {
				return err
			}
			receipt.Body.Text = fmt.Sprintf("You are out of office today (%s): excused from %s and from every ritual of the day, no reminders. "+
				"Not so? /cadence ooo cancel %s. Away longer? /cadence ooo %s YYYY-MM-DD", today.In(time.UTC).Format("Mon 2 Jan"), r.Title, today, today)
		}
		if err := e.enqueue(tx, ev, receipt); err != nil {
			return err
		}
		ev.on(func() {
			e.log.Info().Str("ritual", r.ID).Str("occurrence", o.ID).Str("person", personID).Str("reason", reason).Msg("declined")
		})
		return e.refreshSummary(tx, ev, r, o, now)
	})
}

// participantOrder sorts people by their place in the ritual's participant
// list, so agendas and summaries list people the same way every time.
func (e *Engine) participantOrder(r *Ritual, people []string) []string {
	rank := map[string]int{}
	for i, p := range r.Participants {
		rank[p] = i
	}
	out := slices.Clone(people)
	slices.SortStableFunc(out, func(a, b string) int { return rank[a] - rank[b] })
	return slices.Compact(out)
}

// normalizeResponses orders responses as the ritual asks its questions; a
// question answered twice in one submission keeps the last text.
func normalizeResponses(r *Ritual, rs []Response) []Response {
	last := map[string]string{}
	for _, x := range rs {
		last[x.QuestionID] = x.Text
	}
	out := make([]Response, 0, len(last))
	for _, q := range r.Questions {
		if t, ok := last[q.ID]; ok {
			out = append(out, Response{QuestionID: q.ID, Text: t})
		}
	}
	return out
}

// dropReminders settles the reminders to person that are still waiting to
// go out (an outage, a rate limit): "we have no answer from you yet" is no
// longer true once they answered.
func (e *Engine) dropReminders(tx Tx, r *Ritual, occID, person string) error {
	for i := range e.live().reminders[r.ID] {
		m, err := tx.Message(ReminderKey(occID, person, i))
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reminder of %s: %w", person, err)
		}
		if m.State != StatePending || !m.Ref.IsZero() {
			continue
		}
		m.State, m.LastError = StateDropped, "not sent: the person answered first"
		if err := tx.PutMessage(m); err != nil {
			return fmt.Errorf("drop reminder %s: %w", m.Key, err)
		}
	}
	return nil
}
