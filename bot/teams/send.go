package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
)

// journalEntry records what was delivered for one outbox message, part by
// part, so a retried Send continues where it stopped and Update knows
// every activity of a split message.
type journalEntry struct {
	ServiceURL   string `json:"serviceUrl"`
	Conversation string `json:"conversation"`
	ReplyTo      string `json:"replyTo,omitempty"`
	// Recipient is the user of a 1:1 chat, the recipient of each part.
	Recipient string `json:"recipient,omitempty"`
	// Parts are the activity IDs, in order; "" for a part Teams accepted
	// (202) without saying its id, which cannot be updated in place.
	Parts []string `json:"parts"`
	Total int      `json:"total"` // parts the message was rendered into
	// Limit is the part size after Teams refused a larger one (413), in
	// UTF-16 bytes; 0 for the default.
	Limit int `json:"limit,omitempty"`
}

// limit is the size the message's parts are rendered at.
func (j *journalEntry) limit(def int) int {
	if j.Limit > 0 && j.Limit < def {
		return j.Limit
	}
	return def
}

// cardOptions are the options of a card as first sent: the roster for
// the Reassign buttons of follow-up notices.
func (a *Adapter) cardOptions() cardOptions {
	return cardOptions{people: rosterChoices(a.svc.Roster()), ids: a.teamsID, ooo: a.oooFormOf}
}

// teamsID is a person's Teams user id from the roster, for mentions.
func (a *Adapter) teamsID(personID string) (string, bool) {
	if p := a.svc.Roster().Person(personID); p != nil && p.Handles.TeamsID != "" {
		return p.Handles.TeamsID, true
	}
	return "", false
}

func (j *journalEntry) complete() bool { return j.Total > 0 && len(j.Parts) >= j.Total }

func (j *journalEntry) ref() cadence.Ref { return cadence.Ref{Channel: j.Conversation, ID: j.Parts[0]} }

// destination is where a message goes: a conversation and, in a 1:1
// chat, the user it goes to.
type destination struct {
	serviceURL string
	conv       string
	user       string
}

func recipientOf(d destination) *ChannelAccount {
	if d.user == "" {
		return nil
	}
	return &ChannelAccount{ID: d.user}
}

func (j *journalEntry) recipient() *ChannelAccount {
	if j.Recipient == "" {
		return nil
	}
	return &ChannelAccount{ID: j.Recipient}
}

// Send implements cadence.Chat: it renders m as one or more Adaptive Card
// activities and posts them, as replies when thread is set.
func (a *Adapter) Send(ctx context.Context, m *cadence.Message, thread cadence.Ref) (cadence.Ref, error) {
	j, err := a.journal(ctx, m.Key)
	if err != nil {
		return cadence.Ref{}, &cadence.SendError{Retryable: true, Code: "store", Err: err}
	}
	if j != nil && j.complete() {
		return j.ref(), nil // delivered before a crash or a lost reply
	}
	if j == nil {
		d, err := a.destination(ctx, m.To)
		if err != nil {
			return cadence.Ref{}, err
		}
		j = &journalEntry{ServiceURL: d.serviceURL, Conversation: d.conv, Recipient: d.user}
		if !thread.IsZero() && (thread.Channel == "" || thread.Channel == d.conv) {
			j.ReplyTo = thread.ID
		}
	}
	// After a 413 re-split, parts posted before it may hold the old
	// split: redraw them rather than continue after them.
	if err := a.deliver(ctx, m, j, j.Limit > 0); err != nil {
		if isGone(err) && m.To.Person != "" {
			err = a.notInstalled(ctx, m.To.Person, err)
		} else if isGone(err) {
			err = &cadence.SendError{Code: "app_not_installed", Err: fmt.Errorf("cannot post to the Teams channel %q (%v): %s", m.To.Channel, wordsOf(err), fixInstallTeam)}
		}
		return cadence.Ref{}, err
	}
	return j.ref(), nil
}

// Update implements cadence.Chat: it replaces the delivered activities of
// m in place, posting parts a longer revision needs and deleting parts a
// shorter one no longer has.
func (a *Adapter) Update(ctx context.Context, ref cadence.Ref, m *cadence.Message) error {
	j, err := a.journal(ctx, m.Key)
	if err != nil {
		return &cadence.SendError{Retryable: true, Code: "store", Err: err}
	}
	// A ref without an id is a first part Teams accepted without one
	// (202): the journal knows what became of it since.
	if j == nil || len(j.Parts) == 0 || (ref.ID != "" && j.Parts[0] != ref.ID) {
		d, err := a.destination(ctx, m.To)
		if err != nil {
			return err
		}
		j = &journalEntry{ServiceURL: d.serviceURL, Conversation: ref.Channel, Recipient: d.user, Parts: []string{ref.ID}, Total: 1}
	}
	return a.deliver(ctx, m, j, true)
}

// deliver renders m at the journal's size limit and brings Teams in line
// with it: missing parts are posted; parts already delivered are updated
// in place when revise is set (a resumed Send skips them: they were
// rendered the same way), and surplus ones deleted. A 413 (too large:
// Teams measured more than we did) re-renders in smaller parts and
// revises what was already posted, down to minActivityBytes a part.
func (a *Adapter) deliver(ctx context.Context, m *cadence.Message, j *journalEntry, revise bool) error {
	log := a.log.With().Str("key", m.Key).Str("ritual", m.RitualID).Str("occurrence", m.OccurrenceID).Logger()
	for {
		limit := j.limit(a.maxBytes)
		acts, err := render(m, a.cardOptions(), limit, a.addressOf(j))
		if err != nil {
			return permanent("message_too_large", err)
		}
		err = a.sync(ctx, m.Key, j, acts, revise, log)
		if httpStatus(err) != http.StatusRequestEntityTooLarge {
			if err == nil {
				log.Debug().Str("conversation", j.Conversation).Int("parts", len(j.Parts)).Msg("teams: delivered")
			}
			return err
		}
		if limit <= minActivityBytes {
			return &cadence.SendError{Code: "message_too_large", Err: fmt.Errorf("the Teams connector refused the %s as too large even when split into parts of %d KB (%v)", m.Kind, limit/1024, wordsOf(err))}
		}
		j.Limit = max(minActivityBytes, limit*2/3)
		log.Warn().Int("limit", limit).Int("next_limit", j.Limit).Msg("teams: Teams found the message too large; splitting it in smaller parts")
		if err := a.saveJournal(ctx, m.Key, j); err != nil {
			return &cadence.SendError{Retryable: true, Code: "store", Err: err}
		}
		revise = true
	}
}

// sync makes the parts in Teams match acts (see deliver).
func (a *Adapter) sync(ctx context.Context, key string, j *journalEntry, acts []*Activity, revise bool, log zerolog.Logger) error {
	j.Total = max(len(acts), len(j.Parts))
	for i, act := range acts {
		if i < len(j.Parts) && !revise {
			continue
		}
		if i < len(j.Parts) && j.Parts[i] != "" {
			if err := a.put(ctx, j.ServiceURL, j.Conversation, j.Parts[i], j.recipient(), act); err != nil {
				return err
			}
			continue
		}
		// A new part, or one Teams accepted without an id (202): post
		// this revision, and update that one from now on.
		id, err := a.post(ctx, j.ServiceURL, j.Conversation, j.ReplyTo, j.recipient(), act)
		if err != nil {
			return err
		}
		if i < len(j.Parts) {
			j.Parts[i] = id
		} else {
			j.Parts = append(j.Parts, id)
		}
		if err := a.saveJournal(ctx, key, j); err != nil {
			if revise {
				return &cadence.SendError{Retryable: true, Code: "store", Err: err}
			}
			// Delivered: report success so the dispatcher records the Ref;
			// only the crash-safety net of Lookup is missing for this one.
			log.Error().Err(err).Msg("teams: could not journal a delivered activity")
		}
	}
	if !revise {
		return nil
	}
	for len(j.Parts) > len(acts) {
		if last := j.Parts[len(j.Parts)-1]; last != "" {
			if err := a.remove(ctx, j.ServiceURL, j.Conversation, last); err != nil && !isGone(err) {
				return err
			}
		}
		j.Parts = j.Parts[:len(j.Parts)-1]
	}
	j.Total = len(acts)
	if err := a.saveJournal(ctx, key, j); err != nil {
		return &cadence.SendError{Retryable: true, Code: "store", Err: err}
	}
	return nil
}

// addressOf is the envelope of j's activities.
func (a *Adapter) addressOf(j *journalEntry) address {
	return address{from: a.bot(), to: j.recipient(), conv: j.Conversation, replyTo: j.ReplyTo}
}

// Lookup implements cadence.Reconciler: a message whose every part was
// journaled is delivered. A crash between the connector's reply and the
// journal write is the one window left where a message may go out twice.
func (a *Adapter) Lookup(ctx context.Context, m *cadence.Message, _ cadence.Ref) (cadence.Ref, bool, error) {
	j, err := a.journal(ctx, m.Key)
	if err != nil || j == nil || !j.complete() {
		return cadence.Ref{}, false, err
	}
	return j.ref(), true, nil
}

func (a *Adapter) journal(ctx context.Context, key string) (*journalEntry, error) {
	var j *journalEntry
	err := a.st.View(ctx, func(tx cadence.Tx) error {
		b, err := tx.Get(nsJournal, key)
		if errors.Is(err, cadence.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		j = &journalEntry{}
		if err := json.Unmarshal(b, j); err != nil {
			return fmt.Errorf("teams: journal entry %s is corrupt: %w", key, err)
		}
		return nil
	})
	return j, err
}

func (a *Adapter) saveJournal(ctx context.Context, key string, j *journalEntry) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	// A journal write must land even when the caller's context is being
	// cancelled: the activity is already in Teams.
	return a.st.Update(context.WithoutCancel(ctx), func(tx cadence.Tx) error { return tx.Put(nsJournal, key, b) })
}

// post, put and remove pace each call per conversation and turn
// throttling into backoff for that conversation. post and put address the
// activity as the Bot Connector documents for replies and proactive
// messages: from the bot, in the conversation, to the user of a 1:1 chat
// (to may be nil in a channel), replying to replyTo.
func (a *Adapter) post(ctx context.Context, serviceURL, conv, replyTo string, to *ChannelAccount, act *Activity) (string, error) {
	if err := a.pace(ctx, conv); err != nil {
		return "", err
	}
	a.address(act, conv, replyTo, to)
	id, err := a.conn.send(ctx, serviceURL, conv, replyTo, act)
	return id, a.settle(conv, err)
}

func (a *Adapter) put(ctx context.Context, serviceURL, conv, id string, to *ChannelAccount, act *Activity) error {
	if err := a.pace(ctx, conv); err != nil {
		return err
	}
	a.address(act, conv, "", to)
	return a.settle(conv, a.conn.update(ctx, serviceURL, conv, id, act))
}

func (a *Adapter) address(act *Activity, conv, replyTo string, to *ChannelAccount) {
	address{from: a.bot(), to: to, conv: conv, replyTo: replyTo}.apply(act)
}

func (a *Adapter) remove(ctx context.Context, serviceURL, conv, id string) error {
	if err := a.pace(ctx, conv); err != nil {
		return err
	}
	return a.settle(conv, a.conn.remove(ctx, serviceURL, conv, id))
}

// pace waits for a token of conv's bucket, in process when the wait is
// short, otherwise by handing the message back to the dispatcher.
func (a *Adapter) pace(ctx context.Context, conv string) error {
	for {
		wait := a.pacer.reserve(conv)
		if wait == 0 {
			return nil
		}
		if wait > a.maxWait {
			return &cadence.SendError{Retryable: true, RetryAfter: wait, Code: "paced", NotSent: true,
				Err: fmt.Errorf("conversation %s is paced or backing off for %s", conv, wait)}
		}
		if err := a.sleep(ctx, wait); err != nil {
			return &cadence.SendError{Retryable: true, Code: "cancelled", Err: err}
		}
	}
}

// settle feeds the outcome of a call into the pacer: throttling puts the
// conversation under backoff and the error carries how long.
func (a *Adapter) settle(conv string, err error) error {
	if err == nil {
		a.pacer.succeeded(conv)
		return nil
	}
	var se *cadence.SendError
	if errors.As(err, &se) && se.Retryable && throttling(httpStatus(err)) {
		se.RetryAfter = a.pacer.throttled(conv, se.RetryAfter)
		a.log.Warn().Str("conversation", conv).Str("code", se.Code).Dur("retry_after", se.RetryAfter).Msg("teams: throttled")
	}
	return err
}

// throttling statuses put a conversation under backoff: Teams answers 429
// when throttled and 412/502/503/504 when its backend is overloaded.
func throttling(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusPreconditionFailed, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// isGone reports a conversation the bot can no longer post to (403: the
// app was removed or blocked; 404: no such conversation).
func isGone(err error) bool {
	var se *cadence.SendError
	st := httpStatus(err)
	return errors.As(err, &se) && !se.Retryable && (st == http.StatusForbidden || st == http.StatusNotFound)
}

// wordsOf is an error's text without the SendError code in front.
func wordsOf(err error) error {
	var se *cadence.SendError
	if errors.As(err, &se) && se.Err != nil {
		return se.Err
	}
	return err
}

func permanent(code string, err error) *cadence.SendError {
	var se *cadence.SendError
	if errors.As(err, &se) {
		return se
	}
	return &cadence.SendError{Code: code, Err: err}
}
