package local

import (
	"html/template"
	"regexp"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// webLink finds http(s) URLs typed in answers and notes.
var webLink = regexp.MustCompile(`https?://[^\s<>"']+`)

// rich writes message text as HTML: plain runs escaped with the URLs in
// them made links, the engine's links (cadence.LinkText) as links with
// their label, anything else as its fallback words. Only http and https
// become links (never javascript:), and every link opens without giving
// the page a handle on this one (rel="noopener noreferrer").
func rich(s string) template.HTML {
	return template.HTML(cadence.ExpandInline(s, autolink, func(in cadence.Inline) string {
		if in.Kind == cadence.InlineLink {
			if u, ok := cadence.WebURL(in.Value); ok {
				return anchor(u, in.Fallback)
			}
		}
		return template.HTMLEscapeString(in.Fallback)
	}))
}

func autolink(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range webLink.FindAllStringIndex(s, -1) {
		start, end := loc[0], loc[1]
		// A sentence's closing punctuation is not part of the link.
		end = start + len(strings.TrimRight(s[start:end], ".,;:!?)]}"))
		u, ok := cadence.WebURL(s[start:end])
		if !ok {
			continue
		}
		b.WriteString(template.HTMLEscapeString(s[last:start]))
		b.WriteString(anchor(u, s[start:end]))
		last = end
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return b.String()
}

func anchor(href, label string) string {
	return `<a href="` + template.HTMLEscapeString(href) + `" rel="noopener noreferrer" target="_blank">` + template.HTMLEscapeString(label) + `</a>`
}
