package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/cadence"
)

// Block Kit limits (https://api.slack.com/reference/block-kit/blocks).
const (
	maxBlocks         = 50   // per message
	maxSectionText    = 3000 // characters of a section's text
	maxHeaderText     = 150
	maxButtonText     = 75
	maxButtonValue    = 2000
	maxActionElements = 25
	maxContextText    = 3000
	// maxPartText bounds the text of one message: Slack refuses very large
	// block payloads (msg_blocks_too_long) below 50 × 3000 characters.
	maxPartText = 12000
	// maxFallbackText keeps notifications short; Slack truncates at 40k.
	maxFallbackText = 3000
)

// rendered is one Slack message: its notification text and blocks.
type rendered struct {
	Text   string
	Blocks []slack.Block
}

// render lays out a message as one or more Slack messages (parts) for a
// workspace where nobody is known by their Slack id: people are written
// by name. See renderWith.
func render(m *cadence.Message, mention string) []rendered {
	return renderWith(m, mention, nil)
}

// renderWith lays out a message as one or more Slack messages (parts).
// The split is a pure function of the content, so every revision of a
// long summary maps to the same parts and part k keeps its Slack message.
// mention (e.g. "<@U123>") is put before the text of part 1. userOf maps
// a roster person to their Slack user id, so the people a message names
// become clickable mentions; nil, or a person it does not know, leaves
// the name.
func renderWith(m *cadence.Message, mention string, userOf func(personID string) (string, bool)) []rendered {
	b := m.Body
	r := mrkdwn{userOf: userOf}
	var head []slack.Block
	title := cadence.PlainText(b.Title) // header blocks are plain text
	if title != "" {
		head = append(head, slack.NewHeaderBlock(plain(truncate(title, maxHeaderText))))
	}
	var body []slack.Block
	var text string
	if cadence.PlainText(b.Text) != title { // a reply with only a title says it once
		text = r.text(b.Text)
	}
	if mention != "" {
		text = strings.TrimSpace(mention + " " + text)
	}
	body = append(body, sections(text)...)
	if len(b.Questions) > 0 && m.Kind != cadence.KindSummary {
		body = append(body, sections(questionList(b.Questions))...)
	}
	for i, s := range b.Sections {
		if m.Kind == cadence.KindDigest && i == 0 {
			// The headline (score and change) stands apart from the details.
			body = append(body, slack.NewDividerBlock())
		}
		body = append(body, sections(r.section(s))...)
	}
	tail := actions(b.Actions)
	if note := imageNote(b.Image); note != "" {
		tail = append(tail, slack.NewContextBlock("", markdown(truncate(note, maxContextText))))
	}
	if b.Footer != "" {
		tail = append(tail, slack.NewContextBlock("", markdown(truncateMrkdwn(r.text(b.Footer), maxContextText))))
	}
	return split(r.fallback(m, mention), title, head, body, tail)
}

// split packs blocks into parts of at most maxBlocks blocks and
// maxPartText characters. Part 1 carries the header; the actions and the
// footer go with the last part, after the content they refer to.
func split(text, title string, head, body, tail []slack.Block) []rendered {
	var parts [][]slack.Block
	cur := append([]slack.Block(nil), head...)
	size := blocksText(cur)
	// Parts after the first start with a "continued" marker block.
	limit := func() int {
		if len(parts) == 0 {
			return maxBlocks
		}
		return maxBlocks - 1
	}
	next := func() {
		parts = append(parts, cur)
		cur, size = nil, 0
	}
	for _, blk := range body {
		n := blockText(blk)
		if len(cur) >= limit() || (size+n > maxPartText && len(cur) > len(head)) {
			next()
		}
		cur = append(cur, blk)
		size += n
	}
	if len(cur) > 0 && (len(cur)+len(tail) > limit() || size+blocksText(tail) > maxPartText) {
		next()
	}
	cur = append(cur, tail...)
	parts = append(parts, cur)

	out := make([]rendered, len(parts))
	for i, blocks := range parts {
		t := text
		if i > 0 {
			label := fmt.Sprintf("continued (%d/%d)", i+1, len(parts))
			blocks = append([]slack.Block{slack.NewContextBlock("", markdown("_"+escape(truncate(title, 200))+" — "+label+"_"))}, blocks...)
			t = strings.TrimSpace(title + " " + label)
		}
		out[i] = rendered{Text: t, Blocks: blocks}
	}
	return out
}

// fallback is the notification text: what phones and screen readers show.
// A prompt's names its ritual, since a notification shows no header
// ("Weekly triage: Please answer by …").
// It is mrkdwn like the blocks, so it is escaped the same way: text a
// person typed cannot notify a channel.
func (r mrkdwn) fallback(m *cadence.Message, mention string) string {
	title, text := cadence.PlainText(m.Body.Title), cadence.PlainText(m.Body.Text)
	t := r.text(m.Body.Text)
	switch {
	case text == "":
		t = escape(title)
	case m.Kind == cadence.KindPrompt && title != "" && !strings.Contains(text, title):
		t = escape(title) + ": " + t
	}
	if mention != "" {
		t = mention + " " + t
	}
	return truncateMrkdwn(t, maxFallbackText)
}

func questionList(qs []cadence.Question) string {
	var sb strings.Builder
	sb.WriteString("*Questions*")
	for i, q := range qs {
		opt := ""
		if !q.Required {
			opt = " _(optional)_"
		}
		fmt.Fprintf(&sb, "\n%d. %s%s", i+1, escape(q.Text), opt)
	}
	return sb.String()
}

// section writes a section as mrkdwn: its heading in bold, its lines as
// bullets, its entries as a question in italics over the answer, so a
// question and its answer never run together in one line.
func (r mrkdwn) section(s cadence.Section) string {
	var sb strings.Builder
	nl := func() {
		if sb.Len() > 0 {
			sb.WriteString("\n")
		}
	}
	if s.Heading != "" {
		sb.WriteString("*" + r.text(s.Heading) + "*")
	}
	for _, l := range s.Lines {
		nl()
		sb.WriteString("• " + r.text(l))
	}
	for _, e := range s.Entries {
		nl()
		sb.WriteString("_" + r.text(e.Label) + "_\n" + quote(r.text(e.Text)))
	}
	return sb.String()
}

// quote indents an answer under its question with a block quote on
// every line, so a multi-line answer stays one visual block.
func quote(s string) string {
	return "> " + strings.ReplaceAll(s, "\n", "\n> ")
}

// sections turns mrkdwn text into section blocks of at most
// maxSectionText characters each, cutting between lines where possible.
func sections(text string) []slack.Block {
	var out []slack.Block
	for _, chunk := range chunkText(text, maxSectionText) {
		out = append(out, slack.NewSectionBlock(markdown(chunk), nil, nil))
	}
	return out
}

// chunkText splits s into pieces of at most limit characters, at line
// breaks when it can and inside a long line when it must: there at the
// last space, never inside a word or a <…> mention or date.
func chunkText(s string, limit int) []string {
	s = strings.TrimRight(s, "\n")
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
			curLen = 0
		}
	}
	for _, line := range strings.Split(s, "\n") {
		n := utf8.RuneCountInString(line)
		if curLen > 0 && curLen+1+n > limit {
			flush()
		}
		for n > limit { // one line longer than a whole section
			head, rest := cutWords(line, limit)
			out = append(out, head)
			line, n = rest, utf8.RuneCountInString(rest)
		}
		if curLen > 0 {
			cur.WriteString("\n")
			curLen++
		}
		cur.WriteString(line)
		curLen += n
	}
	flush()
	return out
}

func actions(as []cadence.Action) []slack.Block {
	var out []slack.Block
	for i := 0; i < len(as); i += maxActionElements {
		var els []slack.BlockElement
		for _, a := range as[i:min(i+maxActionElements, len(as))] {
			btn := slack.NewButtonBlockElement(a.ID, truncate(a.Value, maxButtonValue), plain(truncate(a.Label, maxButtonText)))
			switch a.Style {
			case "primary":
				btn.Style = slack.StylePrimary
			case "danger":
				btn.Style = slack.StyleDanger
			}
			els = append(els, btn)
		}
		// Block IDs keep action IDs unique per block when there are more
		// than 25 buttons.
		out = append(out, slack.NewActionBlock(fmt.Sprintf("actions_%d", i/maxActionElements), els...))
	}
	return out
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

func markdown(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// escape makes text safe for mrkdwn: Slack only requires &, < and > to be
// escaped; the rest (*bold*, _italics_) is left to the author.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// cutWords cuts s after at most n characters: at the last space outside a
// <…> token, else before the last token that would be cut, else (one
// word longer than n) at n. The space stays at the end of head.
func cutWords(s string, n int) (head, rest string) {
	space, open, lastOpen := -1, false, -1
	i := 0
	for j, r := range s {
		if i == n {
			switch {
			case space > 0:
				return s[:space], s[space:]
			case open && lastOpen > 0:
				return s[:lastOpen], s[lastOpen:]
			}
			return s[:j], s[j:]
		}
		switch {
		case r == '<':
			open, lastOpen = true, j
		case r == '>':
			open = false
		case r == ' ' && !open:
			space = j + 1
		}
		i++
	}
	return s, ""
}

// truncateMrkdwn is truncate for mrkdwn: it never leaves half a <…> token.
func truncateMrkdwn(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	head, _ := cutWords(s, n-1)
	return strings.TrimRight(head, " ") + "…"
}

// truncate cuts s to at most n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	head, _ := cutRunes(s, n-1)
	return head + "…"
}

func cutRunes(s string, n int) (string, string) {
	i := 0
	for j := range s {
		if i == n {
			return s[:j], s[j:]
		}
		i++
	}
	return s, ""
}

func blocksText(bs []slack.Block) int {
	n := 0
	for _, b := range bs {
		n += blockText(b)
	}
	return n
}

func blockText(b slack.Block) int {
	switch b := b.(type) {
	case *slack.SectionBlock:
		if b.Text != nil {
			return utf8.RuneCountInString(b.Text.Text)
		}
	case *slack.HeaderBlock:
		return utf8.RuneCountInString(b.Text.Text)
	}
	return 0
}

// mrkdwn writes message text for Slack: plain runs escaped, people as
// <@U…> mentions where their Slack id is known, instants as <!date^…>,
// which Slack shows in each reader's own zone (the fallback words, in
// the ritual's zone, are what clients without it show).
type mrkdwn struct {
	userOf func(personID string) (string, bool)
}

func (r mrkdwn) text(s string) string {
	return cadence.ExpandInline(s, escape, func(in cadence.Inline) string {
		switch in.Kind {
		case cadence.InlinePerson:
			if r.userOf != nil {
				if u, ok := r.userOf(in.Value); ok && u != "" {
					return "<@" + u + ">"
				}
			}
		case cadence.InlineTime:
			return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", in.Time().Unix(), dateFallback(in.Fallback))
		case cadence.InlineLink:
			if u, ok := cadence.WebURL(in.Value); ok {
				// https://api.slack.com/reference/surfaces/formatting#linking-urls
				return "<" + escape(u) + "|" + escape(strings.NewReplacer("|", "/", ">", "", "<", "").Replace(in.Fallback)) + ">"
			}
		}
		return escape(in.Fallback)
	})
}

// dateFallback keeps a <!date> token's fallback from ending the token.
func dateFallback(s string) string {
	return strings.NewReplacer("|", "/", ">", "", "<", "", "&", "and").Replace(s)
}
