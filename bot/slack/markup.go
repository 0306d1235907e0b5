package slack

import (
	"strings"
)

// plainText turns the text of a Slack message event back into what the
// person typed, as it should read in a summary or a report: Slack sends
// mentions, links and special words as <…> tokens and escapes &, < and >
// (https://api.slack.com/reference/surfaces/formatting). userName names
// a Slack user ("" when unknown).
func plainText(s string, userName func(userID string) string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(unescape(s))
			return b.String()
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(unescape(s))
			return b.String()
		}
		b.WriteString(unescape(s[:i]))
		b.WriteString(unescape(token(s[i+1:i+j], userName)))
		s = s[i+j+1:]
	}
}

// token is the readable form of one <…> token's inside.
func token(t string, userName func(string) string) string {
	target, label, hasLabel := strings.Cut(t, "|")
	switch {
	case strings.HasPrefix(target, "@"): // <@U123> or <@U123|ana>
		if n := userName(target[1:]); n != "" {
			return "@" + n
		}
		if hasLabel {
			return "@" + strings.TrimPrefix(label, "@")
		}
		return target
	case strings.HasPrefix(target, "#"): // <#C123|general>
		if hasLabel {
			return "#" + label
		}
		return target
	case strings.HasPrefix(target, "!subteam^"): // <!subteam^S123|@ml-oncall>
		if hasLabel {
			return label
		}
		return "@group"
	case strings.HasPrefix(target, "!date^"): // <!date^…|fallback>
		return label
	case strings.HasPrefix(target, "!"): // <!here>, <!channel>, <!everyone>
		if hasLabel {
			return label
		}
		return "@" + target[1:]
	case hasLabel && strings.TrimPrefix(target, "mailto:") == label:
		return label
	case hasLabel && label != target: // <https://x|the runbook>
		return label + " (" + target + ")"
	}
	return strings.TrimPrefix(target, "mailto:")
}

func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
