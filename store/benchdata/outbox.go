package benchdata

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// The outbox is written as the engine and the dispatcher leave it, its
// messages copied from what they stored for one real occurrence of each
// ritual (shapes): the agenda and the summary with their revisions, a
// prompt to everyone expected, a reminder to those who had not answered
// an hour before their close, a receipt per submission and per edit, all
// delivered to Slack. The summary is drawn by the engine
// (Engine.RenderSummary) from each occurrence's own answers, at half time
// and at the close. Then the compaction `cadencebot run` does every hour
// (CompactOutbox, [bot] outbox_retention_days) runs after each occurrence
// over what is older than the retention, so a history ends with the
// last Retention of messages whole and the rest compacted.

// Retention is the outbox retention the histories are compacted with:
// the default of `[bot] outbox_retention_days`.
const Retention = 30 * 24 * time.Hour

// outboxCompacter is what a store needs for the compaction
// (store.DB and postgres.DB have it).
type outboxCompacter interface {
	CompactOutbox(ctx context.Context, before time.Time, limit int) (compacted int, more bool, err error)
}

// shape is what the engine and the dispatcher stored for one occurrence
// of a ritual, by role: its ID and fire time are replaced in each copy.
type shape struct {
	occID                   string
	agendaOpen, summaryOpen *cadence.Message // as enqueued when it opened
	agenda                  *cadence.Message // redrawn at the close
	summary                 *cadence.Message
	prompt, reminder        map[string]*cadence.Message // by person
	receipt, edit           map[string]*cadence.Message // receipts of the first submission and of an edit
}

// shapes runs the real engine and dispatcher for the data set's rituals
// on a scratch in-memory store: each ritual's first two occurrences after
// From, everyone reminded, then answering and editing before their close
// (the second occurrence's prompts carry the plans of the first, as the
// engine's do). The second is the shape.
func (g *generator) shapes(ctx context.Context) (map[string]*shape, error) {
	out := map[string]*shape{}
	for _, r := range g.d.Rituals {
		s, err := g.shapeOf(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("benchdata: shape of %s: %w", r.ID, err)
		}
		out[r.ID] = s
	}
	return out, nil
}

func (g *generator) shapeOf(ctx context.Context, r *cadence.Ritual) (*shape, error) {
	first := r.Schedule.Next(g.d.From.Add(-time.Nanosecond))
	second := r.Schedule.Next(first)
	st := cadencetest.NewStore()
	clock := cadence.NewManualClock(g.openAt(r, first).Add(-time.Hour))
	eng, err := cadence.New(cadence.EngineConfig{
		Rituals: []*cadence.Ritual{r}, Roster: g.roster, Store: st, Clock: clock, Logger: zerolog.Nop(), DefaultPlatform: "slack",
	})
	if err != nil {
		return nil, err
	}
	disp := cadence.NewDispatcher(st, clock, map[string]cadence.Chat{"slack": &slackChat{clock: clock}}, zerolog.Nop(), nil,
		cadence.WithRenderer(eng))
	if err := eng.Tick(ctx); err != nil { // the ritual starts
		return nil, err
	}
	s := &shape{occID: cadence.OccurrenceID(r.ID, second), prompt: map[string]*cadence.Message{}, reminder: map[string]*cadence.Message{},
		receipt: map[string]*cadence.Message{}, edit: map[string]*cadence.Message{}}
	for _, fire := range []time.Time{first, second} {
		clock.Set(g.openAt(r, fire))
		if err := eng.Tick(ctx); err != nil {
			return nil, err
		}
		if _, err := disp.RunOnce(ctx); err != nil {
			return nil, err
		}
		id := cadence.OccurrenceID(r.ID, fire)
		var o *cadence.Occurrence
		err := st.View(ctx, func(tx cadence.Tx) error {
			var err error
			if o, err = tx.Occurrence(id); err != nil {
				return err
			}
			if id == s.occID {
				s.agendaOpen, err = tx.Message(cadence.AgendaKey(id))
				if err == nil {
					s.summaryOpen, err = tx.Message(cadence.SummaryKey(id))
				}
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		// Everyone is prompted at their own time, reminded an hour before
		// their close, answers half an hour before it and edits ten
		// minutes later.
		type event struct {
			at         time.Time
			person     string
			submit     bool
			lastSubmit bool
		}
		var events []event
		last := o.ClosesAt
		for _, p := range o.Expected {
			closeAt := o.PersonCloseAt(p)
			events = append(events, event{at: o.PromptAt[p]}, event{at: closeAt.Add(-time.Hour)},
				event{at: closeAt.Add(-30 * time.Minute), person: p, submit: true},
				event{at: closeAt.Add(-20 * time.Minute), person: p, submit: true, lastSubmit: true})
			if closeAt.After(last) {
				last = closeAt
			}
		}
		events = append(events, event{at: last.Add(time.Second)}, event{at: last.Add(10 * time.Minute)})
		slices.SortStableFunc(events, func(a, b event) int { return a.at.Compare(b.at) })
		rng := newRand(g.seed, id)
		for _, ev := range events {
			if ev.at.After(clock.Now()) {
				clock.Set(ev.at)
			}
			if ev.submit {
				in := cadence.AnswerInput{OccurrenceID: id, PersonID: ev.person, Responses: responses(r, rng), Via: "slack-modal"}
				if _, err := eng.SubmitAnswer(ctx, in); err != nil {
					return nil, fmt.Errorf("answer of %s: %w", ev.person, err)
				}
			} else if err := eng.Tick(ctx); err != nil {
				return nil, err
			}
			if _, err := disp.RunOnce(ctx); err != nil {
				return nil, err
			}
		}
	}
	var all []*cadence.Message
	if err := st.View(ctx, func(tx cadence.Tx) error {
		var err error
		all, err = tx.Messages(cadence.MessageFilter{})
		return err
	}); err != nil {
		return nil, err
	}
	for _, m := range all {
		if m.OccurrenceID != s.occID {
			continue
		}
		if m.State != cadence.StateSent {
			return nil, fmt.Errorf("message %s is %s, not sent", m.Key, m.State)
		}
		p := m.To.Person
		switch {
		case m.Kind == cadence.KindAgenda:
			s.agenda = m
		case m.Kind == cadence.KindSummary:
			s.summary = m
		case m.Kind == cadence.KindPrompt:
			s.prompt[p] = m
		case m.Kind == cadence.KindReminder:
			s.reminder[p] = m
		case m.Key == cadence.ReceiptKey(s.occID, p, 0):
			s.receipt[p] = m
		case m.Key == cadence.ReceiptKey(s.occID, p, 1):
			s.edit[p] = m
		default:
			return nil, fmt.Errorf("unexpected message %s", m.Key)
		}
	}
	if s.agenda == nil || s.summary == nil || s.agendaOpen == nil || s.summaryOpen == nil {
		return nil, fmt.Errorf("no agenda or summary for %s", s.occID)
	}
	for _, p := range r.Participants {
		if s.prompt[p] == nil || s.reminder[p] == nil || s.receipt[p] == nil || s.edit[p] == nil {
			return nil, fmt.Errorf("%s: a prompt, reminder or receipt of %s is missing", s.occID, p)
		}
	}
	return s, nil
}

// openAt is when the engine opens r's occurrence at fire: at the first
// prompt time of a per-person ritual.
func (g *generator) openAt(r *cadence.Ritual, fire time.Time) time.Time {
	at := fire
	if r.PerPersonTime {
		for _, p := range r.Participants {
			if t := r.Schedule.WallIn(fire, g.roster.Person(p).Location); t.Before(at) {
				at = t
			}
		}
	}
	return at
}

// copyOf is m for occurrence o, created at created: the template's
// occurrence ID replaced wherever it is (key, thread, button values),
// its times moved by as much, and the Slack timestamp its delivery got.
func (s *shape) copyOf(m *cadence.Message, o *cadence.Occurrence, created time.Time) *cadence.Message {
	c := *m
	re := func(v string) string { return strings.Replace(v, s.occID, o.ID, 1) }
	c.Key, c.OccurrenceID, c.Thread = re(m.Key), o.ID, re(m.Thread)
	c.Body = m.Body.Clone()
	for i := range c.Body.Actions {
		c.Body.Actions[i].Value = re(c.Body.Actions[i].Value)
	}
	if m.LateBody != nil {
		late := m.LateBody.Clone()
		for i := range late.Actions {
			late.Actions[i].Value = re(late.Actions[i].Value)
		}
		c.LateBody = &late
	}
	shift := created.Sub(m.CreatedAt)
	for _, t := range []*time.Time{&c.CreatedAt, &c.StaleAt, &c.ExpiresAt, &c.NextAttemptAt, &c.FailingSince, &c.SentAt, &c.UpdatedAt} {
		if !t.IsZero() {
			*t = t.Add(shift)
		}
	}
	if !c.Ref.IsZero() {
		c.Ref.ID = slackTS(c.SentAt)
	}
	return &c
}

// pending is m as enqueued, before the dispatcher delivered it.
func pending(m *cadence.Message) *cadence.Message {
	c := *m
	c.State, c.SentRevision, c.Attempts, c.Ref, c.SentAt, c.UpdatedAt = cadence.StatePending, 0, 0, cadence.Ref{}, time.Time{}, time.Time{}
	c.NextAttemptAt = c.CreatedAt
	return &c
}

// receiptFor is a receipt shape showing answer a's own text (the
// receipt lists what was stored).
func receiptFor(r *cadence.Ritual, m *cadence.Message, a *cadence.Answer) *cadence.Message {
	if len(m.Body.Sections) != 1 {
		return m
	}
	var entries []cadence.Entry
	for _, q := range r.Questions {
		if t := cadence.UserText(strings.TrimSpace(a.Text(q.ID))); t != "" {
			entries = append(entries, cadence.Entry{Label: q.Text, Text: q.AnswerDisplay(t)})
		}
	}
	m.Body.Sections[0].Entries = entries
	return m
}

// outboxWriter writes a held occurrence with its outbox in the order the
// engine and the dispatcher write them, then compacts what the retention
// has passed.
type outboxWriter struct {
	db       cadence.Store
	eng      *cadence.Engine
	shapes   map[string]*shape
	rituals  map[string]*cadence.Ritual
	messages int
}

func (w *outboxWriter) write(ctx context.Context, o *cadence.Occurrence, as []*cadence.Answer) error {
	r, s := w.rituals[o.RitualID], w.shapes[o.RitualID]
	sent := func(m *cadence.Message, at time.Time) *cadence.Message {
		return s.copyOf(m, o, at)
	}
	// Opening: the occurrence, its agenda and summary, everyone's prompt.
	var opened []*cadence.Message
	opened = append(opened, sent(s.agendaOpen, o.OpenedAt), sent(s.summaryOpen, o.OpenedAt))
	for _, p := range o.Expected {
		opened = append(opened, sent(s.prompt[p], o.Prompted[p]))
	}
	err := w.db.Update(ctx, func(tx cadence.Tx) error {
		tx = cadence.Unwrap(tx) // facts only: the aggregates are rebuilt at the end
		if err := tx.PutOccurrence(o); err != nil {
			return err
		}
		for _, m := range opened {
			if _, err := tx.Enqueue(pending(m)); err != nil {
				return err
			}
		}
		return tx.PutSummary(cadence.RebuildSummary(r, o, nil))
	})
	if err != nil {
		return err
	}
	// Delivered.
	if err := w.db.Update(ctx, func(tx cadence.Tx) error {
		for _, m := range opened {
			if err := tx.PutMessage(m); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	w.messages += len(opened)
	// The answers with their receipts and the reminders, up to half time
	// and the summary drawn then; the rest, the agenda redrawn and the
	// summary drawn at the close.
	half := o.OpenedAt.Add(o.ClosesAt.Sub(o.OpenedAt) / 2)
	var reminders []*cadence.Message
	for _, p := range o.Expected {
		if o.Reminded[p] > 0 {
			reminders = append(reminders, sent(s.reminder[p], o.PersonCloseAt(p).Add(-reminderGap)))
		}
	}
	for _, last := range []bool{false, true} {
		err := w.db.Update(ctx, func(tx cadence.Tx) error {
			tx = cadence.Unwrap(tx)
			drawAt, n := half, 0
			if last {
				drawAt = o.ClosesAt
			}
			for _, a := range as {
				if a.SubmittedAt.Before(half) == last {
					continue
				}
				if err := tx.PutAnswer(a); err != nil {
					return err
				}
				if err := tx.PutMessage(receiptFor(r, sent(s.receipt[a.PersonID], a.SubmittedAt), a)); err != nil {
					return err
				}
				n++
				if a.Edits > 0 {
					if err := tx.PutMessage(receiptFor(r, sent(s.edit[a.PersonID], a.UpdatedAt), a)); err != nil {
						return err
					}
					n++
				}
				if a.UpdatedAt.After(drawAt) {
					drawAt = a.UpdatedAt
				}
			}
			for _, m := range reminders {
				if m.CreatedAt.Before(half) != last {
					if err := tx.PutMessage(m); err != nil {
						return err
					}
					n++
				}
			}
			if last {
				if err := tx.PutMessage(sent(s.agenda, o.OpenedAt)); err != nil { // its revision at the close
					return err
				}
			}
			w.messages += n
			return w.drawSummary(tx, r, o, drawAt)
		})
		if err != nil {
			return err
		}
	}
	return w.compact(ctx, o.ClosesAt)
}

// drawSummary has the engine draw the summary from the answers stored so
// far, then records its delivery.
func (w *outboxWriter) drawSummary(tx cadence.Tx, r *cadence.Ritual, o *cadence.Occurrence, at time.Time) error {
	st, err := tx.Summary(o.ID)
	if err != nil {
		return err
	}
	st.Revision++ // an answer or the close made it dirty
	if err := tx.PutSummary(st); err != nil {
		return err
	}
	if err := w.eng.RenderSummary(tx, o.ID, nil, at); err != nil {
		return err
	}
	m, err := tx.Message(cadence.SummaryKey(o.ID))
	if err != nil {
		return err
	}
	m.State, m.SentRevision, m.UpdatedAt = cadence.StateSent, m.Revision, at.Add(time.Second)
	return tx.PutMessage(m)
}

// compact runs the hourly compaction as of now: every bounded pass
// until nothing older than the retention is left whole.
func (w *outboxWriter) compact(ctx context.Context, now time.Time) error {
	c, ok := w.db.(outboxCompacter)
	if !ok {
		return nil
	}
	for {
		_, more, err := c.CompactOutbox(ctx, now.Add(-Retention), 500)
		if err != nil || !more {
			return err
		}
	}
}

// slackChat delivers instantly and answers as Slack does: a channel ID
// and a message timestamp.
type slackChat struct{ clock cadence.Clock }

func (c *slackChat) Platform() string { return "slack" }

func (c *slackChat) Send(_ context.Context, m *cadence.Message, _ cadence.Ref) (cadence.Ref, error) {
	ch := "C07QK2M4V9B" // a channel ID's length
	if m.To.Person != "" {
		ch = "D07QK2M4V9B"
	}
	return cadence.Ref{Channel: ch, ID: slackTS(c.clock.Now())}, nil
}

func (c *slackChat) Update(context.Context, cadence.Ref, *cadence.Message) error { return nil }

// slackTS is a Slack message timestamp ("1736755200.000100").
func slackTS(t time.Time) string { return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000) }
