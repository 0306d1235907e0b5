package teams

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// Text people typed reaches a card as typed: a Markdown link is not a
// link, an autolink is not one either; emphasis stays.
func TestCardTextEscapesLinks(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"[the runbook](https://evil.example/login)", `\[the runbook\](https://evil.example/login)`},
		{"see <https://evil.example>", `see \<https://evil.example\>`},
		{`a\[b]`, `a\\\[b\]`},
		{"waiting on the *data contract*", "waiting on the *data contract*"},
		{"plain", "plain"},
	} {
		assert.Equal(t, tc.want, teamsIDs(nil).cardText(tc.in), tc.in)
	}
	// In a rendered card: an incident title in a notice and an answer.
	m := &cadence.Message{Key: "n", Kind: cadence.KindNotice, Body: cadence.Body{Title: "[INC-1](https://evil.example)",
		Sections: []cadence.Section{{Lines: []string{"Ana: [click](https://evil.example)"}}}}}
	acts, err := render(m, cardOptions{}, maxActivityBytes, address{})
	require.NoError(t, err)
	b, err := marshal(acts[0])
	require.NoError(t, err)
	// summary and fallbackText are plain text (no Markdown there).
	assert.NotContains(t, string(b), `"text":"[INC-1](`)
	assert.NotContains(t, string(b), `Ana: [click](`)
	assert.Contains(t, string(b), `"text":"\\[INC-1\\](https://evil.example)"`)
	assert.Contains(t, string(b), `\\[click\\](https://evil.example)`)
}

// An error may quote what was typed: escaped like the rest.
func TestCardErrorsEscapeLinks(t *testing.T) {
	m := &cadence.Message{Key: "p", Kind: cadence.KindPrompt, Body: cadence.Body{Title: "Standup",
		Questions: []cadence.Question{{ID: "today", Text: "Today?"}}}}
	acts, err := render(m, cardOptions{errors: map[string]string{"today": `"[x](https://evil.example)" is not a date`, "when": "[y](https://evil.example)"}},
		maxActivityBytes, address{})
	require.NoError(t, err)
	b, err := marshal(acts[0])
	require.NoError(t, err)
	assert.NotContains(t, string(b), "[x](")
	assert.NotContains(t, string(b), "[y](")
}
