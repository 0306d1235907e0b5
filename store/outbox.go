package store

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// outboxFillPercent is how full bbolt fills a page before splitting it in
// the outbox and its creation index, where keys come mostly in order.
const outboxFillPercent = 0.9

type messageRecord struct {
	Key          string     `json:"key"`
	Kind         string     `json:"kind"`
	Platform     string     `json:"platform"`
	ToChannel    string     `json:"to_channel"`
	ToPerson     string     `json:"to_person"`
	RitualID     string     `json:"ritual_id"`
	OccurrenceID string     `json:"occurrence_id"`
	Thread       string     `json:"thread"`
	Body         bodyRecord `json:"body"`
	// What becomes of the message if it goes out late (cadence.FreshnessAt).
	StaleAt       time.Time   `json:"stale_at,omitzero"`
	LateBody      *bodyRecord `json:"late_body,omitempty"`
	ExpiresAt     time.Time   `json:"expires_at,omitzero"`
	CreatedAt     time.Time   `json:"created_at"`
	Revision      int         `json:"revision"`
	SentRevision  int         `json:"sent_revision"`
	State         string      `json:"state"`
	Attempts      int         `json:"attempts"`
	NextAttemptAt time.Time   `json:"next_attempt_at"`
	LastError     string      `json:"last_error"`
	FailingSince  time.Time   `json:"failing_since,omitzero"`
	RefChannel    string      `json:"ref_channel"`
	RefID         string      `json:"ref_id"`
	SentAt        time.Time   `json:"sent_at"`
	UpdatedAt     time.Time   `json:"updated_at,omitzero"`
	// Compacted: the content was dropped after the retention (compact.go).
	Compacted bool `json:"compacted,omitempty"`
}

type bodyRecord struct {
	Title     string            `json:"title"`
	Text      string            `json:"text"`
	Sections  []sectionRecord   `json:"sections"`
	Questions []questionRecord  `json:"questions"`
	Prefill   map[string]string `json:"prefill"`
	Actions   []actionRecord    `json:"actions"`
	Footer    string            `json:"footer"`
	Image     *imageRecord      `json:"image,omitempty"`
}

// imageRecord holds a chart; encoding/json writes the PNG as base64.
type imageRecord struct {
	Name string `json:"name"`
	Alt  string `json:"alt"`
	PNG  []byte `json:"png"`
}

type sectionRecord struct {
	Heading string        `json:"heading"`
	Lines   []string      `json:"lines"`
	Entries []entryRecord `json:"entries,omitempty"`
}

type entryRecord struct {
	Label string `json:"label"`
	Text  string `json:"text"`
}

type questionRecord struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Required bool   `json:"required"`
	Blocker  bool   `json:"blocker"`
	Plan     bool   `json:"plan,omitempty"`
	// Typed questions (cadence/question.go); absent for free text, so
	// records written before them read as before.
	Type       string   `json:"type,omitempty"`
	Options    []string `json:"options,omitempty"`
	Min        *float64 `json:"min,omitempty"`
	Max        *float64 `json:"max,omitempty"`
	FollowUpOf string   `json:"follow_up_of,omitempty"`
	When       []string `json:"when,omitempty"`
	// Lang is the language the text was chosen in (cadence.Question.In);
	// Texts the other languages, when a body carries them.
	Lang  string            `json:"lang,omitempty"`
	Texts map[string]string `json:"texts,omitempty"`
}

type actionRecord struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Value string `json:"value"`
	Style string `json:"style"`
	Late  bool   `json:"late,omitempty"`
}

// outboxIndex is the part of a message its indexes are built from;
// PutMessage decodes only this much of the old value.
type outboxIndex struct {
	Key           string    `json:"key"`
	CreatedAt     time.Time `json:"created_at"`
	State         string    `json:"state"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	// Compacted: its content dropped, it is in neither index.
	Compacted bool `json:"compacted,omitempty"`
}

func toMessageRecord(m *cadence.Message) messageRecord {
	var late *bodyRecord
	if m.LateBody != nil {
		b := toBodyRecord(*m.LateBody)
		late = &b
	}
	return messageRecord{
		StaleAt:       utc(m.StaleAt),
		LateBody:      late,
		ExpiresAt:     utc(m.ExpiresAt),
		Key:           m.Key,
		Kind:          string(m.Kind),
		Platform:      m.Platform,
		ToChannel:     m.To.Channel,
		ToPerson:      m.To.Person,
		RitualID:      m.RitualID,
		OccurrenceID:  m.OccurrenceID,
		Thread:        m.Thread,
		Body:          toBodyRecord(m.Body),
		CreatedAt:     utc(m.CreatedAt),
		Revision:      m.Revision,
		SentRevision:  m.SentRevision,
		State:         string(m.State),
		Attempts:      m.Attempts,
		NextAttemptAt: utc(m.NextAttemptAt),
		LastError:     m.LastError,
		FailingSince:  utc(m.FailingSince),
		RefChannel:    m.Ref.Channel,
		RefID:         m.Ref.ID,
		SentAt:        utc(m.SentAt),
		UpdatedAt:     utc(m.UpdatedAt),
		// A revision written after compaction brings its body back.
		Compacted: m.Compacted && bodyIsZero(m.Body) && m.LateBody == nil,
	}
}

func (r *messageRecord) domain() *cadence.Message {
	var late *cadence.Body
	if r.LateBody != nil {
		b := r.LateBody.domain()
		late = &b
	}
	return &cadence.Message{
		StaleAt:       r.StaleAt,
		LateBody:      late,
		ExpiresAt:     r.ExpiresAt,
		Key:           r.Key,
		Kind:          cadence.MessageKind(r.Kind),
		Platform:      r.Platform,
		To:            cadence.Recipient{Channel: r.ToChannel, Person: r.ToPerson},
		RitualID:      r.RitualID,
		OccurrenceID:  r.OccurrenceID,
		Thread:        r.Thread,
		Body:          r.Body.domain(),
		CreatedAt:     r.CreatedAt,
		Revision:      r.Revision,
		SentRevision:  r.SentRevision,
		State:         cadence.DeliveryState(r.State),
		Attempts:      r.Attempts,
		NextAttemptAt: r.NextAttemptAt,
		LastError:     r.LastError,
		FailingSince:  r.FailingSince,
		Ref:           cadence.Ref{Channel: r.RefChannel, ID: r.RefID},
		SentAt:        r.SentAt,
		UpdatedAt:     r.UpdatedAt,
		Compacted:     r.Compacted,
	}
}

func toBodyRecord(b cadence.Body) bodyRecord {
	r := bodyRecord{Title: b.Title, Text: b.Text, Prefill: b.Prefill, Footer: b.Footer}
	if b.Sections != nil {
		r.Sections = make([]sectionRecord, len(b.Sections))
		for i, s := range b.Sections {
			r.Sections[i] = sectionRecord{Heading: s.Heading, Lines: s.Lines}
			for _, e := range s.Entries {
				r.Sections[i].Entries = append(r.Sections[i].Entries, entryRecord(e))
			}
		}
	}
	if b.Questions != nil {
		r.Questions = make([]questionRecord, len(b.Questions))
		for i, q := range b.Questions {
			r.Questions[i] = questionRecord{ID: q.ID, Text: q.Text, Required: q.Required, Blocker: q.Blocker, Plan: q.Plan,
				Type: string(q.Type), Options: q.Options, Min: q.Min, Max: q.Max, FollowUpOf: q.FollowUpOf, When: q.When, Lang: q.Lang, Texts: q.Texts}
		}
	}
	if b.Actions != nil {
		r.Actions = make([]actionRecord, len(b.Actions))
		for i, a := range b.Actions {
			r.Actions[i] = actionRecord{ID: a.ID, Label: a.Label, Value: a.Value, Style: a.Style, Late: a.Late}
		}
	}
	if b.Image != nil {
		r.Image = &imageRecord{Name: b.Image.Name, Alt: b.Image.Alt, PNG: b.Image.PNG}
	}
	return r
}

func (r bodyRecord) domain() cadence.Body {
	b := cadence.Body{Title: r.Title, Text: r.Text, Prefill: r.Prefill, Footer: r.Footer}
	if r.Sections != nil {
		b.Sections = make([]cadence.Section, len(r.Sections))
		for i, s := range r.Sections {
			b.Sections[i] = cadence.Section{Heading: s.Heading, Lines: s.Lines}
			for _, e := range s.Entries {
				b.Sections[i].Entries = append(b.Sections[i].Entries, cadence.Entry(e))
			}
		}
	}
	if r.Questions != nil {
		b.Questions = make([]cadence.Question, len(r.Questions))
		for i, q := range r.Questions {
			b.Questions[i] = cadence.Question{ID: q.ID, Text: q.Text, Required: q.Required, Blocker: q.Blocker, Plan: q.Plan,
				Type: cadence.QuestionType(q.Type), Options: q.Options, Min: q.Min, Max: q.Max, FollowUpOf: q.FollowUpOf, When: q.When, Lang: q.Lang, Texts: q.Texts}
		}
	}
	if r.Actions != nil {
		b.Actions = make([]cadence.Action, len(r.Actions))
		for i, a := range r.Actions {
			b.Actions[i] = cadence.Action{ID: a.ID, Label: a.Label, Value: a.Value, Style: a.Style, Late: a.Late}
		}
	}
	if r.Image != nil {
		b.Image = &cadence.Image{Name: r.Image.Name, Alt: r.Image.Alt, PNG: r.Image.PNG}
	}
	return b
}

// isActive: the dispatcher still has work to do for the message.
func isActive(state string) bool {
	return state == string(cadence.StatePending) || state == string(cadence.StateSending)
}

// indexKeys returns the message's keys in outbox_created and, while it
// is active, outbox_due ("<next attempt>/<created>/<key>", so the due
// scan stops at now).
func (x outboxIndex) indexKeys() (created, due []byte, err error) {
	ck, err := timeKey("message "+x.Key+" created", x.CreatedAt)
	if err != nil {
		return nil, nil, err
	}
	created = join(ck, x.Key)
	if isActive(x.State) {
		nk, err := timeKey("message "+x.Key+" next attempt", x.NextAttemptAt)
		if err != nil {
			return nil, nil, err
		}
		due = join(nk, ck, x.Key)
	}
	return created, due, nil
}

func (t *tx) Enqueue(m *cadence.Message) (bool, error) {
	if err := t.writable("enqueue"); err != nil {
		return false, err
	}
	if m == nil || m.Key == "" {
		return false, fmt.Errorf("enqueue: empty key: %w", cadence.ErrInvalidInput)
	}
	outbox, err := t.bucket(bucketOutbox)
	if err != nil {
		return false, err
	}
	if outbox.Get([]byte(m.Key)) != nil {
		return false, nil
	}
	if err := t.putMessage(m, false); err != nil {
		return false, err
	}
	return true, nil
}

func (t *tx) Message(key string) (*cadence.Message, error) {
	outbox, err := t.bucket(bucketOutbox)
	if err != nil {
		return nil, err
	}
	var r messageRecord
	found, err := getMessage(outbox, []byte(key), &r)
	if err != nil {
		return nil, fmt.Errorf("message %q: %w", key, err)
	}
	if !found {
		return nil, fmt.Errorf("message %q: %w", key, cadence.ErrNotFound)
	}
	return r.domain(), nil
}

// PutMessage writes the message and moves its index entries: the old
// ones (from the stored value) go, the new ones come, in the same
// transaction, so Due never sees a stale state or time.
func (t *tx) PutMessage(m *cadence.Message) error { return t.putMessage(m, true) }

// putMessage is PutMessage; stored is false when the caller has just
// seen that no message has m's key (Enqueue), so it is not looked up
// again.
func (t *tx) putMessage(m *cadence.Message, stored bool) error {
	if err := t.writable("put message"); err != nil {
		return err
	}
	if m == nil || m.Key == "" {
		return fmt.Errorf("put message: empty key: %w", cadence.ErrInvalidInput)
	}
	rec := toMessageRecord(m)
	created, due, err := outboxIndex{Key: rec.Key, CreatedAt: rec.CreatedAt, State: rec.State, NextAttemptAt: rec.NextAttemptAt}.indexKeys()
	if err != nil {
		return fmt.Errorf("put message: %w", err)
	}
	outbox, err := t.bucket(bucketOutbox)
	if err != nil {
		return err
	}
	byCreated, err := t.bucket(bucketOutboxCreated)
	if err != nil {
		return err
	}
	byDue, err := t.bucket(bucketOutboxDue)
	if err != nil {
		return err
	}
	// Messages are added in key order per ritual and in creation order:
	// pages split full rather than half full.
	outbox.FillPercent, byCreated.FillPercent = outboxFillPercent, outboxFillPercent
	// A message whose content is dropped (`cadencebot migrate` copies
	// compacted ones with PutMessage) is stored as compaction leaves it:
	// unlisted, and in the compact form when that holds all of it.
	value := encodeMessage(&rec)
	if rec.Compacted {
		if v := encodeCompact(rec.compact()); compactHoldsAll(m.Key, v, &rec) {
			value = v
		}
	}
	var old outboxIndex
	var v []byte
	if stored {
		v = outbox.Get([]byte(m.Key))
	}
	if v != nil {
		if err := decodeOutboxIndex([]byte(m.Key), v, &old); err != nil {
			return fmt.Errorf("put message: %w", err)
		}
		oldCreated, oldDue, err := old.indexKeys()
		if err != nil {
			return fmt.Errorf("put message: stored value: %w", err)
		}
		if !bytes.Equal(oldCreated, created) || rec.Compacted {
			if err := byCreated.Delete(oldCreated); err != nil {
				return fmt.Errorf("put message %q: %w", m.Key, err)
			}
		}
		if oldDue != nil && !bytes.Equal(oldDue, due) {
			if err := byDue.Delete(oldDue); err != nil {
				return fmt.Errorf("put message %q: %w", m.Key, err)
			}
		}
	}
	if err := outbox.Put([]byte(m.Key), value); err != nil {
		return fmt.Errorf("put message %q: %w", m.Key, err)
	}
	if !rec.Compacted {
		if err := byCreated.Put(created, []byte{}); err != nil {
			return fmt.Errorf("put message %q: index: %w", m.Key, err)
		}
	}
	if due != nil {
		if err := byDue.Put(due, []byte{}); err != nil {
			return fmt.Errorf("put message %q: index: %w", m.Key, err)
		}
	}
	return nil
}

// Due reads the due index up to now, which holds active messages only,
// so the scan never touches the (much larger) delivered history. The
// index is ordered by next attempt; the contract orders by creation, so
// the due entries' keys are sorted again before the first limit are
// decoded.
func (t *tx) Due(now time.Time, limit int) ([]*cadence.Message, error) {
	byDue, err := t.bucket(bucketOutboxDue)
	if err != nil {
		return nil, err
	}
	outbox, err := t.bucket(bucketOutbox)
	if err != nil {
		return nil, err
	}
	end := []byte(boundKey(now))
	var due []string // "<created>/<key>": fixed-width time, so sorts as (created, key)
	c := byDue.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		next, rest, ok := splitTimeKey(k)
		if !ok {
			return nil, fmt.Errorf("due index: malformed key %q: %w", k, ErrCorrupt)
		}
		if next > string(end) {
			break
		}
		due = append(due, rest)
	}
	slices.Sort(due)
	if limit > 0 && len(due) > limit {
		due = due[:limit]
	}
	var out []*cadence.Message
	for _, ck := range due {
		_, key, ok := splitTimeKey([]byte(ck))
		if !ok {
			return nil, fmt.Errorf("due index: malformed entry %q: %w", ck, ErrCorrupt)
		}
		var r messageRecord
		found, err := getMessage(outbox, []byte(key), &r)
		if err != nil {
			return nil, fmt.Errorf("due messages: %w", err)
		}
		if !found {
			return nil, fmt.Errorf("due index: %q points at no message: %w", key, ErrCorrupt)
		}
		out = append(out, r.domain())
	}
	return out, nil
}

// Messages walks the creation index from Since, so "oldest first" costs
// nothing and Limit stops the scan early. Compacted messages are not in
// the index (compact.go): they have nothing left to show.
func (t *tx) Messages(f cadence.MessageFilter) ([]*cadence.Message, error) {
	byCreated, err := t.bucket(bucketOutboxCreated)
	if err != nil {
		return nil, err
	}
	outbox, err := t.bucket(bucketOutbox)
	if err != nil {
		return nil, err
	}
	var out []*cadence.Message
	err = scanTimeRange(byCreated, f.Since, time.Time{}, func(k, _ []byte) (bool, error) {
		_, key, ok := splitTimeKey(k)
		if !ok {
			return false, fmt.Errorf("outbox index: malformed key %q: %w", k, ErrCorrupt)
		}
		var r messageRecord
		found, err := getMessage(outbox, []byte(key), &r)
		if err != nil {
			return false, fmt.Errorf("list messages: %w", err)
		}
		if !found {
			return false, fmt.Errorf("outbox index: %q points at no message: %w", key, ErrCorrupt)
		}
		switch {
		case f.Platform != "" && r.Platform != f.Platform,
			f.To != nil && (r.ToChannel != f.To.Channel || r.ToPerson != f.To.Person),
			f.Thread != "" && r.Thread != f.Thread,
			len(f.States) > 0 && !slices.Contains(f.States, cadence.DeliveryState(r.State)):
			return true, nil
		}
		out = append(out, r.domain())
		return f.Limit <= 0 || len(out) < f.Limit, nil
	})
	return out, err
}

// reindexOutbox rebuilds both outbox indexes from the primary bucket.
func (t *tx) reindexOutbox() error {
	outbox, err := t.bucket(bucketOutbox)
	if err != nil {
		return err
	}
	byCreated, err := t.bucket(bucketOutboxCreated)
	if err != nil {
		return err
	}
	byDue, err := t.bucket(bucketOutboxDue)
	if err != nil {
		return err
	}
	return outbox.ForEach(func(k, v []byte) error {
		var x outboxIndex
		if err := decodeOutboxIndex(k, v, &x); err != nil {
			return fmt.Errorf("index outbox: %w", err)
		}
		x.Key = string(k)
		created, due, err := x.indexKeys()
		if err != nil {
			return fmt.Errorf("index outbox: %w", err)
		}
		if x.Compacted {
			return nil // compacted: not listed (compact.go), never due
		}
		if err := byCreated.Put(created, []byte{}); err != nil {
			return err
		}
		if due != nil {
			return byDue.Put(due, []byte{})
		}
		return nil
	})
}
