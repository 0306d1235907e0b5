package slack

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlainText(t *testing.T) {
	names := func(id string) string {
		if id == "U0ANA0001" {
			return "Ana Pop"
		}
		return ""
	}
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"<!channel> the ranker is down", "@channel the ranker is down"},
		{"<!here|here> and <!everyone>", "here and @everyone"},
		{"ask <@U0ANA0001> or <@U0ZED0001> or <@W0BO|bo>", "ask @Ana Pop or @U0ZED0001 or @bo"},
		{"in <#C0OPS0001|ml-ops> and <#C0X>", "in #ml-ops and #C0X"},
		{"see <https://runbooks.example/ranker|the runbook>", "see the runbook (https://runbooks.example/ranker)"},
		{"see <https://runbooks.example/ranker>", "see https://runbooks.example/ranker"},
		{"mail <mailto:ana@example.com|ana@example.com>", "mail ana@example.com"},
		{"team <!subteam^S0ML|@ml-oncall>", "team @ml-oncall"},
		{"at <!date^1796041800^{time}|13:30 CET>", "at 13:30 CET"},
		{"p99 &lt; 200ms &amp; error rate &gt; 1%", "p99 < 200ms & error rate > 1%"},
		{"unterminated <https://x", "unterminated <https://x"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, plainText(tt.in, names), tt.in)
	}
}
