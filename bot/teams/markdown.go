package teams

import "strings"

// mdText escapes text people typed (an incident title, an answer) for an
// Adaptive Card TextBlock, whose CommonMark subset takes a backslash
// before punctuation literally: "[x](https://evil)" shows as typed
// instead of a link labelled x that leads elsewhere, and "<…>" is never
// an autolink. Emphasis and lists stay, as on Slack: people format their
// answers, and a bold word deceives nobody about where a click leads.
func mdText(s string) string { return mdEscaper.Replace(s) }

var mdEscaper = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`)
