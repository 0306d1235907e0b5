package local_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// fakeEngine is a small stand-in for cadence.Engine: it opens an
// occurrence (agenda, prompts, summary), takes answers the way the engine
// promises to (validate, store, receipt, summary revision) and delivers
// the outbox through the chat like the dispatcher. Tests of the local chat
// need that much behaviour, not the engine's schedule logic.
type fakeEngine struct {
	t       *testing.T
	roster  *cadence.Roster
	rituals []*cadence.Ritual
	st      *cadencetest.Store
	chat    cadence.Chat
	clock   *cadence.ManualClock

	mu       sync.Mutex
	commands []string // Pause/Resume/Skip/SetOutOfOffice calls, for assertions
}

var _ cadence.Service = (*fakeEngine)(nil)

func (e *fakeEngine) Roster() *cadence.Roster    { return e.roster }
func (e *fakeEngine) Rituals() []*cadence.Ritual { return e.rituals }
func (e *fakeEngine) Ritual(id string) *cadence.Ritual {
	for _, r := range e.rituals {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// open starts an occurrence of ritual at the clock's time.
func (e *fakeEngine) open(ritualID string) *cadence.Occurrence {
	r := e.Ritual(ritualID)
	now := e.clock.Now()
	o := &cadence.Occurrence{
		ID: cadence.OccurrenceID(r.ID, now), RitualID: r.ID, Scheduled: now, Status: cadence.StatusOpen,
		OpenedAt: now, ClosesAt: now.Add(r.Window), Expected: r.Participants, Excused: map[string]string{},
	}
	agenda := cadence.MessageKey("occ", o.ID, "agenda")
	err := e.st.Update(context.Background(), func(tx cadence.Tx) error {
		if err := tx.PutOccurrence(o); err != nil {
			return err
		}
		msgs := []*cadence.Message{
			{Key: agenda, Kind: cadence.KindAgenda, To: cadence.Recipient{Channel: r.Channel},
				Body: cadence.Body{Title: r.Title + " is open", Text: "Answer in your DMs before " + o.ClosesAt.Format("15:04")}},
			e.summary(tx, r, o),
		}
		for _, p := range o.Expected {
			msgs = append(msgs, &cadence.Message{Key: cadence.MessageKey("occ", o.ID, "prompt", p), Kind: cadence.KindPrompt,
				To: cadence.Recipient{Person: p}, Body: cadence.Body{Title: r.Title, Text: "Your turn: " + r.Title, Questions: r.Questions}})
		}
		for _, m := range msgs {
			m.Platform, m.RitualID, m.OccurrenceID, m.CreatedAt, m.State, m.Revision = "local", r.ID, o.ID, now, cadence.StatePending, 1
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(e.t, err)
	e.deliver()
	return o
}

// summary renders the current answers of o as its summary message.
func (e *fakeEngine) summary(tx cadence.Tx, r *cadence.Ritual, o *cadence.Occurrence) *cadence.Message {
	answers, err := tx.Answers(o.ID)
	require.NoError(e.t, err)
	var lines []string
	for _, a := range answers {
		for _, resp := range a.Responses {
			if resp.Text != "" {
				lines = append(lines, a.PersonID+" · "+resp.QuestionID+": "+resp.Text)
			}
		}
	}
	return &cadence.Message{Key: cadence.MessageKey("occ", o.ID, "summary"), Kind: cadence.KindSummary,
		To: cadence.Recipient{Channel: r.Channel}, Thread: cadence.MessageKey("occ", o.ID, "agenda"),
		Body: cadence.Body{Title: "Summary", Text: fmt.Sprintf("%d of %d answered", len(answers), len(o.Expected)),
			Sections: []cadence.Section{{Heading: "Answers", Lines: lines}}}}
}

// deliver is the dispatcher: send what is due, update what changed.
func (e *fakeEngine) deliver() {
	ctx := context.Background()
	err := e.st.Update(ctx, func(tx cadence.Tx) error {
		due, err := tx.Due(e.clock.Now(), 0)
		if err != nil {
			return err
		}
		for _, m := range due {
			if m.Ref.IsZero() {
				var thread cadence.Ref
				if m.Thread != "" {
					parent, err := tx.Message(m.Thread)
					if err != nil {
						return err
					}
					thread = parent.Ref
				}
				if m.Ref, err = e.chat.Send(ctx, m, thread); err != nil {
					return err
				}
				m.SentAt = e.clock.Now()
			} else if err := e.chat.Update(ctx, m.Ref, m); err != nil {
				return err
			}
			m.State, m.SentRevision = cadence.StateSent, m.Revision
			if err := tx.PutMessage(m); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(e.t, err)
}

func (e *fakeEngine) SubmitAnswer(ctx context.Context, in cadence.AnswerInput) (*cadence.Answer, error) {
	r := e.Ritual(strings.Split(in.OccurrenceID, "@")[0])
	now := e.clock.Now()
	var out *cadence.Answer
	err := e.st.Update(ctx, func(tx cadence.Tx) error {
		o, err := tx.Occurrence(in.OccurrenceID)
		if err != nil {
			return fmt.Errorf("occurrence %q: %w", in.OccurrenceID, err)
		}
		if o.Status != cadence.StatusOpen || !now.Before(o.ClosesAt) {
			return cadence.ErrClosed
		}
		if !o.IsExpected(in.PersonID) {
			return cadence.ErrForbidden
		}
		if err := cadence.ValidateResponses(r, in.Responses); err != nil {
			return err
		}
		a, err := tx.Answer(o.ID, in.PersonID)
		if errors.Is(err, cadence.ErrNotFound) {
			a = &cadence.Answer{OccurrenceID: o.ID, RitualID: r.ID, PersonID: in.PersonID, SubmittedAt: now}
		} else if err != nil {
			return err
		} else {
			a.Edits++
		}
		a.Responses, a.UpdatedAt, a.Via = in.Responses, now, in.Via
		if err := tx.PutAnswer(a); err != nil {
			return err
		}
		receipt := &cadence.Message{Key: cadence.MessageKey("occ", o.ID, "receipt", in.PersonID, fmt.Sprint(a.Edits)),
			Kind: cadence.KindReceipt, Platform: "local", To: cadence.Recipient{Person: in.PersonID}, RitualID: r.ID, OccurrenceID: o.ID,
			Body: cadence.Body{Title: "Answers received", Text: "Thanks, your answers to " + r.Title + " are saved."}, CreatedAt: now, State: cadence.StatePending, Revision: 1}
		if _, err := tx.Enqueue(receipt); err != nil {
			return err
		}
		sum, err := tx.Message(cadence.MessageKey("occ", o.ID, "summary"))
		if err != nil {
			return err
		}
		sum.Body = e.summary(tx, r, o).Body
		sum.Revision++
		sum.State = cadence.StatePending
		out = a
		return tx.PutMessage(sum)
	})
	if err != nil {
		return nil, err
	}
	e.deliver()
	return out, nil
}

func (e *fakeEngine) Decline(ctx context.Context, occID, person, reason string) error {
	return e.st.Update(ctx, func(tx cadence.Tx) error {
		o, err := tx.Occurrence(occID)
		if err != nil {
			return err
		}
		if !o.IsExpected(person) {
			return cadence.ErrForbidden
		}
		o.Excused[person] = strings.TrimSuffix("declined: "+reason, ": ") // as the engine words it
		return tx.PutOccurrence(o)
	})
}

func (e *fakeEngine) record(call string) {
	e.mu.Lock()
	e.commands = append(e.commands, call)
	e.mu.Unlock()
}

func (e *fakeEngine) Skip(_ context.Context, actor, ritual, reason string) (*cadence.SkipResult, error) {
	e.record("skip " + ritual + " by " + actor)
	return &cadence.SkipResult{Next: true, Scheduled: e.clock.Now().Add(24 * time.Hour)}, nil
}

func (e *fakeEngine) Pause(_ context.Context, actor, ritual string) error {
	e.record("pause " + ritual + " by " + actor)
	return nil
}

func (e *fakeEngine) Resume(_ context.Context, actor, ritual string) error {
	e.record("resume " + ritual + " by " + actor)
	return nil
}

func (e *fakeEngine) SetOutOfOffice(_ context.Context, person string, r cadence.DateRange) error {
	e.record("ooo " + person + " " + r.From.String() + ".." + r.To.String())
	return nil
}

func (e *fakeEngine) CancelOutOfOffice(_ context.Context, person string, day cadence.Date) (cadence.DateRange, error) {
	e.record("ooo cancel " + person + " " + day.String())
	return cadence.DateRange{}, cadence.ErrNotFound
}

func (e *fakeEngine) Status(ctx context.Context, person string) (*cadence.PersonStatus, error) {
	st := &cadence.PersonStatus{Person: e.roster.Person(person)}
	err := e.st.View(ctx, func(tx cadence.Tx) error {
		occs, err := tx.Occurrences(cadence.OccurrenceFilter{Status: []cadence.Status{cadence.StatusOpen}})
		if err != nil {
			return err
		}
		for _, o := range occs {
			if _, excused := o.Excused[person]; !o.IsExpected(person) || excused {
				continue
			}
			_, err := tx.Answer(o.ID, person)
			st.Pending = append(st.Pending, cadence.PendingPrompt{Occurrence: o, Ritual: e.Ritual(o.RitualID), Answered: err == nil, ClosesAt: o.ClosesAt})
		}
		return nil
	})
	return st, err
}

func (e *fakeEngine) Occurrence(ctx context.Context, id string) (*cadence.Occurrence, []*cadence.Answer, error) {
	var o *cadence.Occurrence
	var as []*cadence.Answer
	err := e.st.View(ctx, func(tx cadence.Tx) error {
		var err error
		if o, err = tx.Occurrence(id); err != nil {
			return err
		}
		as, err = tx.Answers(id)
		return err
	})
	return o, as, err
}

func (e *fakeEngine) Report(context.Context, cadence.ReportQuery) (*cadence.Report, error) {
	return &cadence.Report{Team: cadence.Tally{Score: 75, Expected: 4, Answered: 3}}, nil
}

// answer reads a stored answer, or nil.
func (e *fakeEngine) answer(occID, person string) *cadence.Answer {
	var a *cadence.Answer
	_ = e.st.View(context.Background(), func(tx cadence.Tx) error {
		a, _ = tx.Answer(occID, person)
		return nil
	})
	return a
}
