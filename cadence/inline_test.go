package cadence_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/cadence"
)

func TestInline(t *testing.T) {
	zurich, _ := time.LoadLocation("Europe/Zurich")
	at := time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC)
	mention := cadence.MentionText("ana", "Ana Pop")
	when := cadence.TimeText(at, zurich, "Mon 2 Jan 15:04 MST")
	upper := func(s string) string { return strings.ToUpper(s) }
	tag := func(in cadence.Inline) string {
		if in.Kind == cadence.InlineTime {
			return "[t " + in.Time().Format(time.RFC3339) + "]"
		}
		return "[" + string(in.Kind) + " " + in.Value + "]"
	}
	forged := "x\uE000p\uE001boss\uE001Boss\uE002y"
	tests := []struct {
		name, in, plain, expanded string
	}{
		{"no references", "a < b", "a < b", "A < B"},
		{"a mention", "by " + mention + ".", "by Ana Pop.", "BY [p ana]."},
		{"a time", "closes " + when, "closes Mon 7 Dec 09:30 CET", "CLOSES [t 2026-12-07T08:30:00Z]"},
		{"two", mention + " and " + mention, "Ana Pop and Ana Pop", "[p ana] AND [p ana]"},
		{"unterminated", "a \uE000p\uE001ana", "a \uE000p\uE001ana", "A \uE000P\uE001ANA"},
		{"malformed is plain text without delimiters", "a \uE000zz\uE002 b", "a zz b", "A ZZ B"},
		{"user text cannot forge a mention", cadence.UserText(forged), "xpbossBossy", "XPBOSSBOSSY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.plain, cadence.PlainText(tt.in))
			assert.Equal(t, tt.expanded, cadence.ExpandInline(tt.in, upper, tag))
		})
	}
}

func TestBodyPlain(t *testing.T) {
	b := cadence.Body{
		Title: "Standup", Text: "asked " + cadence.MentionText("bo", "Bo"),
		Sections: []cadence.Section{{Heading: cadence.MentionText("bo", "Bo"),
			Lines:   []string{cadence.MentionText("cy", "Cy")},
			Entries: []cadence.Entry{{Label: "Q?", Text: "ask " + cadence.MentionText("ana", "Ana")}}}},
	}
	p := b.Plain()
	assert.Equal(t, "asked Bo", p.Text)
	assert.Equal(t, "Bo", p.Sections[0].Heading)
	assert.Equal(t, "Cy", p.Sections[0].Lines[0])
	assert.Equal(t, "ask Ana", p.Sections[0].Entries[0].Text)
	assert.Contains(t, b.Text, "\uE000", "Plain works on a copy")
}
