package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/cadence"
)

// destination is where a message goes on Slack.
type destination struct {
	channel  string // channel ID, or a user ID for a DM (Slack opens it)
	threadTS string
	mention  string // "<@U…>" when a person is addressed in a channel thread
	dmUser   string // set when posting to a user's DM
}

// partsRecord remembers the continuation messages of a long message, so
// an update edits them in place instead of posting new ones.
type partsRecord struct {
	Channel  string   `json:"channel"`
	ThreadTS string   `json:"thread_ts"`
	Parts    []string `json:"parts"` // ts of parts 2..n
}

// promptRecord maps a prompt's DM message to what it asks, so a threaded
// reply can answer it.
type promptRecord struct {
	Occurrence string `json:"occurrence"`
	Person     string `json:"person"`
}

func (a *Adapter) destination(ctx context.Context, m *cadence.Message, thread cadence.Ref) (destination, error) {
	var d destination
	var user string
	if m.To.Person != "" {
		u, err := a.userFor(ctx, m.To.Person)
		if err != nil {
			return d, err
		}
		user = u
	}
	switch {
	case !thread.IsZero():
		d.channel, d.threadTS = thread.Channel, thread.ID
		if user != "" && !strings.HasPrefix(thread.Channel, "D") {
			d.mention = "<@" + user + ">"
		}
	case user != "":
		d.channel, d.dmUser = user, user
	case m.To.Channel != "":
		id, err := a.channelID(ctx, m.To.Channel)
		if err != nil {
			return d, err
		}
		d.channel = id
	default:
		return d, &cadence.SendError{Code: "no_recipient", Err: fmt.Errorf("message %s has no recipient", m.Key)}
	}
	return d, nil
}

// Send implements cadence.Chat: it posts m (and the continuation parts of
// a long message) and returns the reference of the first part.
func (a *Adapter) Send(ctx context.Context, m *cadence.Message, thread cadence.Ref) (cadence.Ref, error) {
	d, err := a.destination(ctx, m, thread)
	if err != nil {
		return cadence.Ref{}, err
	}
	parts := renderWith(m, d.mention, a.slackID)
	ch, ts, err := a.post(ctx, m, d, parts[0], 1)
	if err != nil {
		return cadence.Ref{}, err
	}
	ref := cadence.Ref{Channel: ch, ID: ts}
	if d.dmUser != "" {
		a.rememberDM(ctx, d.dmUser, ch)
	}
	if m.Kind == cadence.KindPrompt || m.Kind == cadence.KindReminder {
		a.rememberPrompt(ctx, ref, m)
	}
	if len(parts) > 1 || m.Kind == cadence.KindSummary || m.Kind == cadence.KindDigest {
		rec := partsRecord{Channel: ch, ThreadTS: d.threadTS}
		if rec.ThreadTS == "" {
			rec.ThreadTS = ts
		}
		// The first part is delivered: the rest is best effort now and
		// repaired by the next update of the message.
		if err := a.syncParts(ctx, m, &rec, parts); err != nil {
			a.log.Warn().Err(err).Str("key", m.Key).Msg("posting the continuation of a long message failed")
		}
	}
	// A retryable upload failure is returned: the message stays
	// "sending" (it is posted, whatever the error says) and Lookup finds
	// it and retries the image alone.
	if err := a.shareImage(ctx, m, ch); err != nil {
		return cadence.Ref{}, inDoubt(err)
	}
	return ref, nil
}

// post sends one part. When the bot is not in a public channel it joins
// and tries once more; a private channel it cannot join is reported to
// the ritual's lead and fails for good.
func (a *Adapter) post(ctx context.Context, m *cadence.Message, d destination, r rendered, part int) (string, string, error) {
	opts := []slack.MsgOption{
		slack.MsgOptionText(r.Text, false),
		slack.MsgOptionBlocks(r.Blocks...),
		slack.MsgOptionMetadata(metadata(m, part)),
	}
	if d.threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(d.threadTS))
	}
	var ch, ts string
	send := func() error {
		return a.call(ctx, "chat.postMessage", d.channel, func() (err error) {
			ch, ts, err = a.api.PostMessageContext(ctx, d.channel, opts...)
			return err
		})
	}
	err := send()
	switch codeOf(err) {
	case "not_in_channel":
		jerr := a.join(ctx, d.channel)
		if jerr == nil {
			a.log.Info().Str("channel", d.channel).Str("ritual", m.RitualID).Msg("joined the ritual's channel")
			err = send()
			break
		}
		if isRetryable(jerr) {
			return "", "", jerr
		}
		a.tellLead(ctx, m, d.channel, "not_in_channel")
	case "channel_not_found":
		if d.dmUser == "" {
			a.tellLead(ctx, m, d.channel, "channel_not_found")
		}
	}
	if err != nil {
		return "", "", err
	}
	return ch, ts, nil
}

// metadata tags a message with its outbox key (for Lookup) and, for
// prompts, what it asks (for threaded replies).
func metadata(m *cadence.Message, part int) slack.SlackMetadata {
	p := map[string]any{"key": m.Key, "part": part}
	if m.OccurrenceID != "" {
		p["occurrence"] = m.OccurrenceID
	}
	if m.To.Person != "" {
		p["person"] = m.To.Person
	}
	return slack.SlackMetadata{EventType: metadataEventType, EventPayload: p}
}

// Update implements cadence.Chat: it edits the message in place
// (chat.update), and its continuation parts when it has any.
func (a *Adapter) Update(ctx context.Context, ref cadence.Ref, m *cadence.Message) error {
	mention := ""
	if m.To.Person != "" && !strings.HasPrefix(ref.Channel, "D") && m.Thread != "" {
		if u, err := a.userFor(ctx, m.To.Person); err == nil {
			mention = "<@" + u + ">"
		}
	}
	parts := renderWith(m, mention, a.slackID)
	if err := a.update(ctx, ref.Channel, ref.ID, m, parts[0], 1); err != nil {
		return err
	}
	v, ok, err := a.getKV(ctx, nsParts, m.Key)
	if err != nil {
		return err
	}
	rec := partsRecord{Channel: ref.Channel, ThreadTS: ref.ID}
	if ok {
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("slack: parts of %s: %w", m.Key, err)
		}
	}
	if !ok && len(parts) == 1 {
		return nil
	}
	return a.syncParts(ctx, m, &rec, parts)
}

func (a *Adapter) update(ctx context.Context, channel, ts string, m *cadence.Message, r rendered, part int) error {
	return a.call(ctx, "chat.update", "", func() error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts,
			slack.MsgOptionText(r.Text, false),
			slack.MsgOptionBlocks(r.Blocks...),
			slack.MsgOptionMetadata(metadata(m, part)))
		return err
	})
}

// syncParts makes Slack show parts[1:] as the continuation of a message:
// existing continuation messages are edited, missing ones posted in the
// thread, surplus ones deleted. The record is saved after each change so
// a crash never orphans a part.
func (a *Adapter) syncParts(ctx context.Context, m *cadence.Message, rec *partsRecord, parts []rendered) error {
	save := func() error {
		v, _ := json.Marshal(rec)
		return a.putKV(ctx, nsParts, m.Key, v)
	}
	if err := save(); err != nil {
		return err
	}
	for i, r := range parts[1:] {
		part := i + 2
		if i < len(rec.Parts) {
			if err := a.update(ctx, rec.Channel, rec.Parts[i], m, r, part); err != nil {
				return err
			}
			continue
		}
		_, ts, err := a.post(ctx, m, destination{channel: rec.Channel, threadTS: rec.ThreadTS}, r, part)
		if err != nil {
			return err
		}
		rec.Parts = append(rec.Parts, ts)
		if err := save(); err != nil {
			return err
		}
	}
	for len(rec.Parts) > len(parts)-1 {
		last := rec.Parts[len(rec.Parts)-1]
		err := a.call(ctx, "chat.delete", "", func() error {
			_, _, err := a.api.DeleteMessageContext(ctx, rec.Channel, last)
			return err
		})
		if err != nil && codeOf(err) != "message_not_found" {
			return err
		}
		rec.Parts = rec.Parts[:len(rec.Parts)-1]
		if err := save(); err != nil {
			return err
		}
	}
	return nil
}

func (a *Adapter) rememberPrompt(ctx context.Context, ref cadence.Ref, m *cadence.Message) {
	if m.To.Person == "" || m.OccurrenceID == "" {
		return
	}
	v, _ := json.Marshal(promptRecord{Occurrence: m.OccurrenceID, Person: m.To.Person})
	if err := a.putKV(ctx, nsPrompts, ref.Channel+"/"+ref.ID, v); err != nil {
		a.log.Warn().Err(err).Str("key", m.Key).Msg("remembering the prompt for threaded replies failed")
	}
}

// tellLead DMs the ritual's lead, once per channel and problem, what to
// do about a channel the bot cannot post in.
func (a *Adapter) tellLead(ctx context.Context, m *cadence.Message, channel, code string) {
	log := a.log.Error().Str("ritual", m.RitualID).Str("channel", channel).Str("code", code)
	r := a.svc.Ritual(m.RitualID)
	if r == nil || r.Lead == "" {
		log.Msg("cannot post in the ritual's channel and the ritual has no lead to tell")
		return
	}
	key := m.RitualID + "/" + channel + "/" + code
	if _, seen, err := a.getKV(ctx, nsAlerts, key); err != nil || seen {
		return
	}
	user, err := a.userFor(ctx, r.Lead)
	if err != nil {
		log.Err(err).Msg("cannot post in the ritual's channel and cannot reach its lead")
		return
	}
	text := fmt.Sprintf("I can't post *%s* in <#%s>: it is a private channel I am not a member of, or it does not exist. "+
		"Open the channel and type `/invite @cadencebot`, or fix the channel in the config. Until then its agendas and summaries cannot be delivered.",
		escape(r.Title), channel)
	err = a.call(ctx, "chat.postMessage", user, func() error {
		_, _, err := a.api.PostMessageContext(ctx, user, slack.MsgOptionText(text, false))
		return err
	})
	if err != nil {
		log.Err(err).Msg("telling the lead about the channel failed")
		return
	}
	log.Str("lead", r.Lead).Msg("cannot post in the ritual's channel; told the lead")
	_ = a.putKV(ctx, nsAlerts, key, []byte(a.clock.Now().UTC().Format("2006-01-02T15:04:05Z")))
}

func isRetryable(err error) bool {
	ok, _ := cadence.IsRetryable(err)
	return ok
}
