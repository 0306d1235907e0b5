package cadence

import (
	"strconv"
	"strings"
	"time"
)

// Inline references let the engine name a person or an instant inside
// message text without knowing how a platform shows them. Slack turns a
// person into a clickable <@U…> mention and an instant into <!date^…>,
// which every reader sees in their own zone; Teams uses <at> mentions;
// the local chat and plain-text outputs show the fallback words.
//
// A reference is encoded in the text between private-use code points, so
// a Body stays a plain struct of strings (stored and cloned as before).
// User text never carries those code points: UserText strips them, so an
// answer cannot forge a mention.
const (
	inlineOpen  = '\uE000'
	inlineSep   = '\uE001'
	inlineClose = '\uE002'
)

// InlineKind says what an inline reference points at.
type InlineKind byte

const (
	InlinePerson InlineKind = 'p' // Value is a roster person ID
	InlineTime   InlineKind = 't' // Value is Unix seconds
	InlineLink   InlineKind = 'l' // Value is an http(s) URL, Fallback its label
)

// Inline is one decoded reference. Fallback is what a reader sees where
// the platform cannot do better: the person's name, the time in the
// zone the engine chose.
type Inline struct {
	Kind     InlineKind
	Value    string
	Fallback string
}

// Time returns the instant of an InlineTime reference.
func (in Inline) Time() time.Time {
	sec, _ := strconv.ParseInt(in.Value, 10, 64)
	return time.Unix(sec, 0).UTC()
}

// MentionText names a person in message text.
func MentionText(personID, name string) string {
	return encodeInline(InlinePerson, personID, name)
}

// TimeText names an instant in message text, falling back to it written
// with layout in loc.
func TimeText(t time.Time, loc *time.Location, layout string) string {
	return encodeInline(InlineTime, strconv.FormatInt(t.Unix(), 10), t.In(loc).Format(layout))
}

// TimeWords names an instant in message text, falling back to words
// already written for the reader (their language, a zone).
func TimeWords(t time.Time, fallback string) string {
	return encodeInline(InlineTime, strconv.FormatInt(t.Unix(), 10), fallback)
}

// LinkText is a link in message text: Slack shows <url|label>, Teams a
// Markdown link, the local chat an <a>; plain text reads "label (url)".
// Only http(s) URLs checked by CheckIssueURL (or the bot's own) belong here.
func LinkText(url, label string) string {
	return encodeInline(InlineLink, url, label)
}

func encodeInline(k InlineKind, value, fallback string) string {
	var b strings.Builder
	b.WriteRune(inlineOpen)
	b.WriteByte(byte(k))
	b.WriteRune(inlineSep)
	b.WriteString(UserText(value))
	b.WriteRune(inlineSep)
	b.WriteString(UserText(fallback))
	b.WriteRune(inlineClose)
	return b.String()
}

// ExpandInline rewrites s piece by piece: text is what plain runs become
// (an adapter's escaping), ref what each reference becomes. A malformed
// reference is kept as plain text.
func ExpandInline(s string, text func(string) string, ref func(Inline) string) string {
	if !strings.ContainsRune(s, inlineOpen) {
		return text(s)
	}
	var b strings.Builder
	for {
		i := strings.IndexRune(s, inlineOpen)
		if i < 0 {
			b.WriteString(text(s))
			return b.String()
		}
		j := strings.IndexRune(s[i:], inlineClose)
		if j < 0 {
			b.WriteString(text(s))
			return b.String()
		}
		b.WriteString(text(s[:i]))
		in, ok := decodeInline(s[i+len(string(inlineOpen)) : i+j])
		if ok {
			b.WriteString(ref(in))
		} else {
			b.WriteString(text(UserText(s[i : i+j])))
		}
		s = s[i+j+len(string(inlineClose)):]
	}
}

func decodeInline(s string) (Inline, bool) {
	parts := strings.Split(s, string(inlineSep))
	if len(parts) != 3 || len(parts[0]) != 1 {
		return Inline{}, false
	}
	return Inline{Kind: InlineKind(parts[0][0]), Value: parts[1], Fallback: parts[2]}, true
}

// PlainText is s with every reference written as its fallback words: for
// logs, CSV, tests and platforms without mentions.
func PlainText(s string) string {
	return ExpandInline(s, func(t string) string { return t }, func(in Inline) string {
		if in.Kind == InlineLink && in.Fallback != in.Value {
			return in.Fallback + " (" + in.Value + ")"
		}
		return in.Fallback
	})
}

// UserText removes the code points that delimit references from text a
// person typed, so it is always shown as typed and never as a reference.
func UserText(s string) string {
	if !strings.ContainsAny(s, string([]rune{inlineOpen, inlineSep, inlineClose})) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == inlineOpen || r == inlineSep || r == inlineClose {
			return -1
		}
		return r
	}, s)
}

// Plain returns a copy of b with every reference written as its fallback.
func (b Body) Plain() Body {
	c := b.Clone()
	c.Title, c.Text, c.Footer = PlainText(c.Title), PlainText(c.Text), PlainText(c.Footer)
	for i := range c.Sections {
		c.Sections[i].Heading = PlainText(c.Sections[i].Heading)
		for j, l := range c.Sections[i].Lines {
			c.Sections[i].Lines[j] = PlainText(l)
		}
		for j, e := range c.Sections[i].Entries {
			c.Sections[i].Entries[j] = Entry{Label: PlainText(e.Label), Text: PlainText(e.Text)}
		}
	}
	return c
}
