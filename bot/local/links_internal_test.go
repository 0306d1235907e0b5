package local

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/cadence"
)

// URLs in answers become links in the local chat; only http and https,
// escaped, opened without a handle back to the page.
func TestRichLinksAnswers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"see https://grafana.example.com/d/x?a=1&b=2.", `see <a href="https://grafana.example.com/d/x?a=1&amp;b=2" rel="noopener noreferrer" target="_blank">https://grafana.example.com/d/x?a=1&amp;b=2</a>.`},
		{"(http://wiki/x) done", `(<a href="http://wiki/x" rel="noopener noreferrer" target="_blank">http://wiki/x</a>) done`},
		{"javascript:alert(1) and data:text/html,x", "javascript:alert(1) and data:text/html,x"},
		{`<script>alert(1)</script> https://x.example/"onmouseover=alert(1)`, `&lt;script&gt;alert(1)&lt;/script&gt; <a href="https://x.example/" rel="noopener noreferrer" target="_blank">https://x.example/</a>&#34;onmouseover=alert(1)`},
		{"Issue: " + cadence.LinkText("https://linear.app/acme/issue/ENG-7/drift", "ENG-7"), `Issue: <a href="https://linear.app/acme/issue/ENG-7/drift" rel="noopener noreferrer" target="_blank">ENG-7</a>`},
		{cadence.LinkText("javascript:alert(1)", "<b>x</b>"), "&lt;b&gt;x&lt;/b&gt;"},
		{"no links", "no links"},
	} {
		assert.Equal(t, tc.want, string(rich(tc.in)), tc.in)
	}
}
