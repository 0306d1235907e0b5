package slack

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/cadence"
)

// The engine's links are <url|label> in mrkdwn, with &, < and > escaped
// and a label that cannot end the link; anything but http(s) stays text.
func TestMrkdwnLinks(t *testing.T) {
	r := mrkdwn{}
	for _, tc := range []struct{ in, want string }{
		{"Issue: " + cadence.LinkText("https://github.com/acme/churn/issues/42", "acme/churn#42"), "Issue: <https://github.com/acme/churn/issues/42|acme/churn#42>"},
		{cadence.LinkText("https://jira.example.com/browse/ML-1?a=1&b=2", "ML-1 | <b>"), "<https://jira.example.com/browse/ML-1?a=1&amp;b=2|ML-1 / b>"},
		{cadence.LinkText("javascript:alert(1)", "x<y"), "x&lt;y"},
	} {
		assert.Equal(t, tc.want, r.text(tc.in))
	}
}
