package slack

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCommandText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"mention first", "<@U0CADBOT> status", "status"},
		{"mention with a name", "<@U0CADBOT|cadencebot>   pause standup", "pause standup"},
		{"mention last", "status <@U0CADBOT>", "status"},
		{"mention on its own line", "<@U0CADBOT>\nhelp", "help"},
		{"no mention (a DM)", " ooo 2026-12-21 2026-12-24 ", "ooo 2026-12-21 2026-12-24"},
		{"only the mention", "<@U0CADBOT>", ""},
		{"other people stay for the grammar", "<@U0CADBOT> followup reassign FU-7 <@U0BO00002|bo>", "followup reassign FU-7 <@U0BO00002|bo>"},
		{"slack's escapes undone", "<@U0CADBOT> skip triage R&amp;D day &lt;all&gt;", "skip triage R&D day <all>"},
		{"double escape undone once", "incident new a &amp;lt; b", "incident new a &lt; b"},
		{"another bot's mention stays", "<@U0OTHERBOT> status", "<@U0OTHERBOT> status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, commandText(tt.in, "U0CADBOT"))
		})
	}
}
