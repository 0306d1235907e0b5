package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/cadencebot/cadencebot/cadence"
)

// journalEntry records what was delivered for one outbox message, part by
// part, so a retried Send continues where it stopped and Update knows
// every activity of a split message.
type journalEntry struct {
	ServiceURL   string   `json:"serviceUrl"`
	Conversation string   `json:"conversation"`
	ReplyTo      string   `json:"replyTo,omitempty"`
	Parts        []string `json:"parts"` // activity IDs, in order
	Total        int      `json:"total"` // parts the message was rendered into
}

// cardOptions are the options of a card as first sent: the roster for
// the Reassign buttons of follow-up notices.
func (a *Adapter) cardOptions() cardOptions {
	return cardOptions{people: rosterChoices(a.svc.Roster())}
}

func (j *journalEntry) complete() bool { return j.Total > 0 && len(j.Parts) >= j.Total }

func (j *journalEntry) ref() cadence.Ref { return cadence.Ref{Channel: j.Conversation, ID: j.Parts[0]} }

// destination is where a message goes.
type destination struct {
	serviceURL string
	conv       string
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
	acts, err := render(m, a.cardOptions(), a.maxBytes)
	if err != nil {
		return cadence.Ref{}, permanent("message_too_large", err)
	}
	if j == nil {
		d, err := a.destination(ctx, m.To)
		if err != nil {
			return cadence.Ref{}, err
		}
		j = &journalEntry{ServiceURL: d.serviceURL, Conversation: d.conv}
		if !thread.IsZero() && (thread.Channel == "" || thread.Channel == d.conv) {
			j.ReplyTo = thread.ID
		}
	}
	j.Total = max(len(acts), len(j.Parts))
	log := a.log.With().Str("key", m.Key).Str("ritual", m.RitualID).Str("occurrence", m.OccurrenceID).Logger()
	for i := len(j.Parts); i < len(acts); i++ {
		id, err := a.post(ctx, j.ServiceURL, j.Conversation, j.ReplyTo, acts[i])
		if err != nil {
			if isGone(err) && m.To.Person != "" {
				err = a.notInstalled(ctx, m.To.Person, err)
			} else if isGone(err) {
				err = &cadence.SendError{Code: "app_not_installed", Err: fmt.Errorf("cannot post to Teams channel %q (%v): %s", m.To.Channel, err, fixInstallTeam)}
			}
			return cadence.Ref{}, err
		}
		j.Parts = append(j.Parts, id)
		if err := a.saveJournal(ctx, m.Key, j); err != nil {
			// Delivered: report success so the dispatcher records the Ref;
			// only the crash-safety net of Lookup is missing for this one.
			log.Error().Err(err).Msg("teams: could not journal a delivered activity")
		}
	}
	log.Debug().Str("conversation", j.Conversation).Int("parts", len(j.Parts)).Msg("teams: delivered")
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
	if j == nil || len(j.Parts) == 0 || j.Parts[0] != ref.ID {
		d, err := a.destination(ctx, m.To)
		if err != nil {
			return err
		}
		j = &journalEntry{ServiceURL: d.serviceURL, Conversation: ref.Channel, Parts: []string{ref.ID}, Total: 1}
	}
	acts, err := render(m, a.cardOptions(), a.maxBytes)
	if err != nil {
		return permanent("message_too_large", err)
	}
	for i, act := range acts {
		if i < len(j.Parts) {
			if err := a.put(ctx, j.ServiceURL, j.Conversation, j.Parts[i], act); err != nil {
				return err
			}
			continue
		}
		id, err := a.post(ctx, j.ServiceURL, j.Conversation, j.ReplyTo, act)
		if err != nil {
			return err
		}
		j.Parts = append(j.Parts, id)
		if err := a.saveJournal(ctx, m.Key, j); err != nil {
			return &cadence.SendError{Retryable: true, Code: "store", Err: err}
		}
	}
	for len(j.Parts) > len(acts) {
		last := j.Parts[len(j.Parts)-1]
		if err := a.remove(ctx, j.ServiceURL, j.Conversation, last); err != nil && !isGone(err) {
			return err
		}
		j.Parts = j.Parts[:len(j.Parts)-1]
	}
	j.Total = len(acts)
	if err := a.saveJournal(ctx, m.Key, j); err != nil {
		return &cadence.SendError{Retryable: true, Code: "store", Err: err}
	}
	return nil
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
// throttling into backoff for that conversation.
func (a *Adapter) post(ctx context.Context, serviceURL, conv, replyTo string, act *Activity) (string, error) {
	if err := a.pace(ctx, conv); err != nil {
		return "", err
	}
	id, err := a.conn.send(ctx, serviceURL, conv, replyTo, act)
	return id, a.settle(conv, err)
}

func (a *Adapter) put(ctx context.Context, serviceURL, conv, id string, act *Activity) error {
	if err := a.pace(ctx, conv); err != nil {
		return err
	}
	return a.settle(conv, a.conn.update(ctx, serviceURL, conv, id, act))
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
			return &cadence.SendError{Retryable: true, RetryAfter: wait, Code: "paced",
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

func permanent(code string, err error) *cadence.SendError {
	var se *cadence.SendError
	if errors.As(err, &se) {
		return se
	}
	return &cadence.SendError{Code: code, Err: err}
}
