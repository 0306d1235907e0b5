package bot

import (
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// Reply is the platform-neutral answer to a command. Adapters render it:
// an ephemeral Block Kit message, a card, an HTML panel.
type Reply struct {
	Title    string
	Lines    []string
	Sections []cadence.Section
	// Failed marks a usage error or a refusal, for adapters that style
	// those differently.
	Failed bool
}

// Body converts the reply to the message model adapters already render.
func (r Reply) Body() cadence.Body {
	b := cadence.Body{Title: r.Title, Text: r.Title}
	if len(r.Lines) > 0 {
		b.Text = r.Lines[0]
		b.Sections = append(b.Sections, cadence.Section{Lines: r.Lines})
	}
	b.Sections = append(b.Sections, r.Sections...)
	return b
}

// String renders the reply as plain text, one line per line.
func (r Reply) String() string {
	var b strings.Builder
	b.WriteString(r.Title)
	for _, l := range r.Lines {
		b.WriteString("\n" + l)
	}
	for _, s := range r.Sections {
		b.WriteString("\n")
		if s.Heading != "" {
			b.WriteString("\n" + s.Heading)
		}
		for _, l := range s.Lines {
			b.WriteString("\n• " + l)
		}
	}
	return b.String()
}
