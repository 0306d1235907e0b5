package teams

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/cadence"
)

// The engine's links are Markdown links in a card; the label is escaped
// like any text, the URL cannot close the link early, and only http(s)
// becomes a link.
func TestCardTextLinks(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Issue: " + cadence.LinkText("https://acme.atlassian.net/browse/ML-42", "ML-42"), "Issue: [ML-42](https://acme.atlassian.net/browse/ML-42)"},
		{cadence.LinkText("https://example.com/a_(b)", "[x](y)"), `[\[x\](y)](https://example.com/a_%28b%29)`},
		{cadence.LinkText("javascript:alert(1)", "click"), "click"},
	} {
		assert.Equal(t, tc.want, teamsIDs(nil).cardText(tc.in))
	}
}
