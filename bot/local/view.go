package local

import (
	"fmt"
	"slices"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// history is how far back pages look for delivered messages; they show
// them pageSize at a time (paging.go).
const history = 30 * 24 * time.Hour

// messageView is one delivered message as a page shows it.
type messageView struct {
	Anchor   string
	Kind     string
	Title    string
	Text     string
	Sections []cadence.Section
	Footer   string
	Image    *imageView
	When     string
	Revision int
	// AnswerHref links a prompt to its form while the prompt is pending
	// or takes a late answer; AnswerLabel words the link.
	AnswerHref  string
	AnswerLabel string
	// Actions are the MLOps buttons (ops.go), ready once attachActions ran.
	Actions []actionView
	Replies []messageView
}

// newMessageView shows m; base is the chat's mount prefix, for links.
func newMessageView(m *cadence.Message, loc *time.Location, base string) messageView {
	b := readable(m.Body, loc)
	v := messageView{
		Anchor: "m-" + m.Key, Kind: string(m.Kind),
		Title: b.Title, Text: b.Text, Sections: b.Sections, Footer: b.Footer,
		When: formatTime(m.CreatedAt, loc), Revision: m.Revision, Actions: opsActionViews(m.Body.Actions),
	}
	if img := m.Body.Image; img != nil && len(img.PNG) > 0 {
		v.Image = &imageView{Src: imagePath(base, m.Key), Alt: img.Alt}
	}
	if v.Title == "" {
		v.Title = string(m.Kind)
	}
	if v.Text == v.Title {
		v.Text = ""
	}
	return v
}

// readable writes the people and instants a body names for the reader of
// the page: names, and times in the reader's own zone.
func readable(b cadence.Body, loc *time.Location) cadence.Body {
	b = b.Clone()
	text := func(s string) string {
		return cadence.ExpandInline(s, func(t string) string { return t }, func(in cadence.Inline) string {
			switch in.Kind {
			case cadence.InlineTime:
				return formatTime(in.Time(), loc)
			case cadence.InlineLink:
				return cadence.LinkText(in.Value, in.Fallback) // the page writes it as a link (rich)
			}
			return in.Fallback
		})
	}
	b.Title, b.Text, b.Footer = text(b.Title), text(b.Text), text(b.Footer)
	for i := range b.Sections {
		s := &b.Sections[i]
		s.Heading = text(s.Heading)
		for j := range s.Lines {
			s.Lines[j] = text(s.Lines[j])
		}
		for j := range s.Entries {
			s.Entries[j] = cadence.Entry{Label: text(s.Entries[j].Label), Text: text(s.Entries[j].Text)}
		}
	}
	return b
}

// delivered keeps the messages the chat has been given (they have a Ref),
// newest first.
func delivered(ms []*cadence.Message) []*cadence.Message {
	out := ms[:0:0]
	for _, m := range ms {
		if !m.Ref.IsZero() {
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, newestFirst)
	return out
}

// threadViews shows threads: each top message with its replies.
func threadViews(ts []thread, loc *time.Location, base string) []messageView {
	out := make([]messageView, 0, len(ts))
	for _, t := range ts {
		v := newMessageView(t.top, loc, base)
		for _, r := range t.replies {
			v.Replies = append(v.Replies, newMessageView(r, loc, base))
		}
		out = append(out, v)
	}
	return out
}

// formatTime shows an instant in the reader's zone.
func formatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("Mon 2 Jan 15:04 MST")
}

// relative is "in 3h20m" or "5m ago".
func relative(t, now time.Time) string {
	d := t.Sub(now).Round(time.Minute)
	switch {
	case d >= time.Minute:
		return "in " + shortDuration(d)
	case d <= -time.Minute:
		return shortDuration(-d) + " ago"
	}
	return "now"
}

func shortDuration(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	h, m := d/time.Hour, (d%time.Hour)/time.Minute
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}

func locOf(p *cadence.Person) *time.Location {
	if p == nil || p.Location == nil {
		return time.UTC
	}
	return p.Location
}
