package teams

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cadencebot/cadencebot/cadence"
)

// Teams limits a bot message to 100 KB of its payload encoded as UTF-16,
// base64 images not counted, and recommends staying within 80 KB
// ("Format your bot messages"); above it the connector answers 413
// MessageSizeTooBig. So sizes here are UTF-16 bytes, two per ASCII
// character: an activity of plain JSON holds about 40 K characters.
const (
	maxActivityBytes = 80 * 1024
	// minActivityBytes is as small as a 413 makes the parts of a message.
	minActivityBytes = 8 * 1024
	// maxRequestBytes bounds the request as sent (UTF-8, an inline chart
	// included), far under the connector's request size limit.
	maxRequestBytes = 200 * 1024
)

var errTooLarge = errors.New("message too large")

// address is the envelope of the activities of one message (see
// Adapter.post): measured with the card, because it counts towards the
// size Teams limits.
type address struct {
	from, to      *ChannelAccount
	conv, replyTo string
}

func (ad address) apply(act *Activity) {
	if ad.from == nil {
		return // a card alone (golden files)
	}
	act.From, act.Conversation, act.Recipient, act.ReplyToID = ad.from, &Conversation{ID: ad.conv}, ad.to, ad.replyTo
}

// render turns a message into one or more card activities, each at most
// max bytes of JSON. A picture is shown after the content only when the
// whole card fits in one activity with it; otherwise a line with its alt
// text takes its place (a chart is tens of KB in base64, and a chart cut
// off from the figures it illustrates helps nobody). A long summary is
// split between its content lines: the first part carries the header,
// later parts a "(2/3)" title, and the last the inputs, footer and
// buttons. A single line longer than a whole activity is cut with "…".
func render(m *cadence.Message, o cardOptions, limit int, ad address) ([]*Activity, error) {
	// Mention entities travel in each part's msteams section, outside
	// the body the split measures: a part they push over the limit is
	// split again with that much less room (a 413 is the last resort).
	room := limit
	for tries := 0; ; tries++ {
		acts, err := renderAt(m, o, room, ad)
		if err != nil {
			return nil, err
		}
		over := 0
		for _, act := range acts {
			n, err := jsonSize(act)
			if err != nil {
				return nil, err
			}
			over = max(over, n-limit)
		}
		if over <= 0 || tries >= 4 {
			return acts, nil
		}
		room = max(minActivityBytes/2, room-over)
	}
}

// renderAt is render without the check of the mentions' size.
func renderAt(m *cadence.Message, o cardOptions, max int, ad address) ([]*Activity, error) {
	p := buildParts(m, o)
	summary := cadence.PlainText(m.Body.Text)
	if summary == "" {
		summary = cadence.PlainText(m.Body.Title)
	}
	fallback := fallbackText(m)
	mentions := o.ids.mentionEntities(m.Body)
	// sizeOf is what elements add to a part: their JSON and the mention
	// entities of the people they name.
	sizeOf := func(es []any) (int, error) {
		n, err := elemsSize(es)
		if err != nil || len(mentions) == 0 {
			return n, err
		}
		raw, err := marshal(es)
		if err != nil {
			return 0, err
		}
		for _, e := range mentions {
			if strings.Contains(string(raw), e.Text) {
				en, err := elemsSize([]any{e})
				if err != nil {
					return 0, err
				}
				n += en
			}
		}
		return n, nil
	}
	activity := func(body, actions []any) *Activity {
		act := cardActivity(newCard(body, actions, fallback), summary)
		attachMentions(act, mentions)
		ad.apply(act)
		return act
	}
	single := func(content []any) (*Activity, bool, error) {
		body := append(append(append([]any{}, p.header...), content...), p.trailer...)
		whole := activity(body, p.actions)
		b, err := marshal(whole)
		return whole, teamsSize(b) <= max && len(b) <= maxRequestBytes, err
	}
	if p.image != nil {
		whole, fits, err := single(append(append([]any{}, p.content...), p.image))
		if err != nil {
			return nil, err
		} else if fits {
			return []*Activity{whole}, nil
		}
		p.content = append(p.content, p.imageAlt)
	}
	if whole, fits, err := single(p.content); err != nil {
		return nil, err
	} else if fits {
		return []*Activity{whole}, nil
	}

	base, err := jsonSize(activity(nil, nil))
	if err != nil {
		return nil, err
	}
	headerSize, err := sizeOf(p.header)
	if err != nil {
		return nil, err
	}
	contHeader := func(i, n int) any {
		return textBlock{Type: "TextBlock", Text: continued(cadence.PlainText(m.Body.Title), i, n), Wrap: true, Weight: "Bolder"}
	}
	contSize, err := elemsSize([]any{contHeader(999, 999)})
	if err != nil {
		return nil, err
	}
	tailSize, err := sizeOf(append(append([]any{}, p.trailer...), p.actions...))
	if err != nil {
		return nil, err
	}
	if base+headerSize+tailSize > max {
		return nil, &cadence.SendError{Code: "message_too_large", Err: fmt.Errorf("%w: %s %s: header, inputs and buttons alone are %d bytes, the limit is %d",
			errTooLarge, m.Kind, m.Key, base+headerSize+tailSize, max)}
	}

	var parts [][]any
	cur, used := []any{}, base+headerSize
	for _, e := range p.content {
		n, err := sizeOf([]any{e})
		if err != nil {
			return nil, err
		}
		if used+n > max && len(cur) > 0 {
			parts, cur, used = append(parts, cur), []any{}, base+contSize
		}
		if used+n > max {
			if e, n, err = shrink(e, max-used); err != nil {
				return nil, fmt.Errorf("%s %s: %w", m.Kind, m.Key, err)
			}
		}
		cur, used = append(cur, e), used+n
	}
	if used+tailSize > max {
		parts, cur = append(parts, cur), []any{}
	}
	parts = append(parts, cur)

	out := make([]*Activity, len(parts))
	for i, content := range parts {
		var body []any
		if i == 0 {
			body = append(body, p.header...)
		} else {
			body = append(body, contHeader(i+1, len(parts)))
		}
		body = append(body, content...)
		var actions []any
		if i == len(parts)-1 {
			body = append(body, p.trailer...)
			actions = p.actions
		}
		out[i] = activity(body, actions)
	}
	return out, nil
}

// shrink cuts a text block until it fits in room (UTF-16 bytes).
func shrink(e any, room int) (any, int, error) {
	tb, ok := e.(textBlock)
	if !ok {
		return nil, 0, fmt.Errorf("%w: an element of %T does not fit", errTooLarge, e)
	}
	for len(tb.Text) > 0 {
		n, err := elemsSize([]any{tb})
		if err != nil {
			return nil, 0, err
		}
		if n <= room {
			return tb, n, nil
		}
		cut := len(tb.Text) - max(n-room, 16) - len("…")
		for cut > 0 && !utf8.RuneStart(tb.Text[cut]) {
			cut--
		}
		if cut <= 0 {
			break
		}
		tb.Text = tb.Text[:cut] + "…"
	}
	return nil, 0, fmt.Errorf("%w: no room for even one line", errTooLarge)
}

// jsonSize is the size of v's JSON as Teams counts it.
func jsonSize(v any) (int, error) {
	b, err := marshal(v)
	return teamsSize(b), err
}

// elemsSize is the size elements add to a JSON array: each element and a
// comma.
func elemsSize(es []any) (int, error) {
	n := 0
	for _, e := range es {
		b, err := marshal(e)
		if err != nil {
			return 0, err
		}
		n += teamsSize(b) + 2
	}
	return n, nil
}

// teamsSize is the size of a JSON payload encoded as UTF-16, the base64
// data of inline images left out, as Teams measures a bot message.
func teamsSize(b []byte) int {
	n := 0
	for len(b) > 0 {
		if b[0] == 'd' && bytes.HasPrefix(b, dataURLPrefix) {
			// Skip the base64 up to the closing quote of the string.
			end := bytes.IndexByte(b, '"')
			if end < 0 {
				end = len(b)
			}
			n += 2 * len(dataURLPrefix)
			b = b[end:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		n += 2 * utf16.RuneLen(r)
		b = b[size:]
	}
	return n
}

var dataURLPrefix = []byte("data:image/")
