package slack

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var occ = "standup@20261130T083000Z"

func goldenMessages() map[string]*cadence.Message {
	acts := []cadence.Action{
		{ID: cadence.ActionAnswer, Label: "Answer", Value: occ, Style: "primary"},
		{ID: cadence.ActionDecline, Label: "Skip this one", Value: occ},
		{ID: cadence.ActionOOO, Label: "I'm out of office", Value: occ, Style: "danger"},
	}
	return map[string]*cadence.Message{
		"agenda": {Kind: cadence.KindAgenda, Body: cadence.Body{Title: "Weekly triage — Mon 30 Nov", Text: "Triage is open until 13:30 Zurich. Facilitator: Ana.",
			Sections: []cadence.Section{{Heading: "Open incidents", Lines: []string{"ranker drift > 0.3 (since Fri)", "feature store lag <5 min> & rising"}},
				{Heading: "Checklist", Lines: []string{"Review alerts", "Assign owners"}}},
			Footer: "cadencebot · answer by 13:30"}},
		"prompt": {Kind: cadence.KindPrompt, Body: cadence.Body{Title: "Daily standup", Text: "Good morning! Three questions, closes 13:30.",
			Questions: cadence.DefaultQuestions(cadence.KindStandup), Actions: acts}},
		"reminder": {Kind: cadence.KindReminder, Body: cadence.Body{Text: "One hour left to answer the standup.", Actions: acts[:1]}},
		"summary": {Kind: cadence.KindSummary, Body: cadence.Body{Title: "Standup summary", Text: "2 of 3 answered · 1 blocker",
			Questions: cadence.DefaultQuestions(cadence.KindStandup),
			Sections: []cadence.Section{{Heading: "Ana Pop", Lines: []string{"Yesterday: retrained ranker", "Blockers: waiting on GPU quota"}},
				{Heading: "Not answered", Lines: []string{"Cy"}}}}},
		// A summary as the engine composes it: people as references (Ana
		// known to Slack, Cy not), the close time as an instant, answers as
		// question and answer, one with Slack markup typed into it.
		"summary-people": {Kind: cadence.KindSummary, Body: cadence.Body{Title: "Daily standup · summary", Text: "1 of 2 answered",
			Sections: []cadence.Section{
				{Heading: cadence.MentionText("ana", "Ana Pop"), Entries: []cadence.Entry{
					{Label: "What did you finish?", Text: "retrained the ranker\nand <!channel> pinged"},
					{Label: "Anything blocking you?", Text: "none"}}},
				{Heading: "Not answered yet", Lines: []string{cadence.MentionText("cy", "Cy <Ops>")}}},
			Footer: "Answers close " + cadence.TimeText(time.Date(2026, 11, 30, 12, 30, 0, 0, time.UTC), zurich, "Mon 2 Jan 15:04 MST")}},
		"receipt": {Kind: cadence.KindReceipt, Body: cadence.Body{Text: "Thanks, your standup answer is saved. You can edit it until 13:30."}},
		"notice":  {Kind: cadence.KindNotice, Body: cadence.Body{Title: "Triage skipped", Text: "Lea skipped this week's triage: team offsite."}},
		// The digest as dashboard.DigestBody composes it (its golden
		// digest_up), with the chart attached.
		"digest": {Kind: cadence.KindDigest, Body: cadence.Body{Title: "Cadence digest · 2026-W09", Text: "Team score 82, up 4 from 78 in 2026-W08.",
			Sections: []cadence.Section{
				{Heading: "Team", Lines: []string{
					"Score 82 of 100, up 4 from 78 in 2026-W08.",
					"Trend: 2026-W05 71 → 2026-W07 75 → 2026-W08 78 → 2026-W09 82.",
					"Held on time: 7 of 8 occurrences (1 opened late, 1 skipped).",
					"Answers: 46 of 50 expected (92.0%), 41 on time (82.0%); median time to answer 42m."}},
				{Heading: "Rituals", Lines: []string{
					"Daily standup: held on time 4 of 5 · participation 33 of 35 (94.3%) · on time 30 of 35 (85.7%).",
					"Deployment planning: skipped (1 of 1)."}},
				{Heading: "Below 80% of prompts answered on time", Lines: []string{"Nino Beridze: 3 of 6 on time (50.0%)."}},
				{Heading: "Overdue follow-ups", Lines: []string{"Rotate the feature-store key <prod> (Milan, due 2026-02-27)."}},
			},
			Footer: "2026-02-23 – 2026-03-01 (UTC) · generated 2026-03-02 08:00 UTC · the score formula is in the README",
			Image:  &cadence.Image{Name: "adherence-2026-W09.png", Alt: "Team adherence score per ISO week, 2026-W02 to 2026-W09", PNG: []byte("\x89PNG")}}},
	}
}

// TestRenderGolden pins the Block Kit of every message kind. Run with
// -update after an intended change and review the diff.
func TestRenderGolden(t *testing.T) {
	for name, m := range goldenMessages() {
		t.Run(name, func(t *testing.T) {
			mention := ""
			if name == "reminder" {
				mention = "<@U0BO00002>"
			}
			got, err := json.MarshalIndent(wire(renderWith(m, mention, knownUsers)), "", "  ")
			require.NoError(t, err)
			path := filepath.Join("testdata", "golden", name+".json")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./bot/slack -run TestRenderGolden -update")
			assert.Equal(t, string(want), string(got)+"\n")
		})
	}
}

var zurich, _ = time.LoadLocation("Europe/Zurich")

// knownUsers is a workspace where Ana's Slack id is known and nobody else's.
func knownUsers(personID string) (string, bool) {
	if personID == "ana" {
		return "U0ANA0001", true
	}
	return "", false
}

func TestCutWords(t *testing.T) {
	tests := []struct {
		name, in   string
		n          int
		head, rest string
	}{
		{"at the last space", "alpha beta gamma", 12, "alpha beta ", "gamma"},
		{"one long word", "abcdefghij", 4, "abcd", "efghij"},
		{"not inside a mention", "see <@U0ANA0001> now", 8, "see ", "<@U0ANA0001> now"},
		{"not inside a date with spaces", "closes <!date^1^{date} at {time}|Mon 30> ok", 30, "closes ", "<!date^1^{date} at {time}|Mon 30> ok"},
		{"a token at the start is cut only when it must be", "<@U0ANA0001>xyz", 5, "<@U0A", "NA0001>xyz"},
		{"short", "ab", 5, "ab", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head, rest := cutWords(tt.in, tt.n)
			assert.Equal(t, tt.head, head)
			assert.Equal(t, tt.rest, rest)
			assert.Equal(t, tt.in, head+rest, "nothing lost")
		})
	}
}

func TestLongAnswerSplitsBetweenWords(t *testing.T) {
	words := strings.Repeat("retrained ", 700) // 7,000 characters, one line
	parts := render(&cadence.Message{Kind: cadence.KindSummary, Body: cadence.Body{Title: "t", Text: words}}, "")
	var texts []string
	for _, b := range parts[0].Blocks {
		if sb, ok := b.(*slack.SectionBlock); ok {
			texts = append(texts, sb.Text.Text)
		}
	}
	require.Greater(t, len(texts), 2)
	for _, x := range texts {
		assert.True(t, strings.HasPrefix(x, "retrained"), "a section starts with a whole word: %.20q", x)
		assert.LessOrEqual(t, utf8.RuneCountInString(x), maxSectionText)
	}
	assert.Equal(t, words, strings.Join(texts, ""), "nothing lost")
}

func TestReplyWithOnlyATitleSaysItOnce(t *testing.T) {
	parts := render(&cadence.Message{Kind: cadence.KindNotice, Body: cadence.Body{Title: "Your cadence", Text: "Your cadence",
		Sections: []cadence.Section{{Heading: "Waiting for your answer", Lines: []string{"Nothing is waiting for you."}}}}}, "")
	require.Len(t, parts[0].Blocks, 2, "the header and the section, no repeated title")
	assert.Equal(t, "Your cadence", parts[0].Blocks[0].(*slack.HeaderBlock).Text.Text)
	assert.Equal(t, "*Waiting for your answer*\n• Nothing is waiting for you.", parts[0].Blocks[1].(*slack.SectionBlock).Text.Text)
}

func wire(parts []rendered) []map[string]any {
	var out []map[string]any
	for _, p := range parts {
		out = append(out, map[string]any{"text": p.Text, "blocks": slack.Blocks{BlockSet: p.Blocks}})
	}
	return out
}

func TestRenderRespectsBlockKitLimits(t *testing.T) {
	huge := strings.Repeat("é", 7000) // one line longer than two sections
	tests := []struct {
		name  string
		body  cadence.Body
		parts int
	}{
		{"short", cadence.Body{Title: "t", Text: "x"}, 1},
		{"one huge line", cadence.Body{Title: "t", Text: huge}, 1},
		{"60 sections", cadence.Body{Title: "t", Sections: sectionsN(60, 10)}, 2},
		{"many big sections", cadence.Body{Title: "t", Sections: sectionsN(30, 2500)}, 8},
		{"30 buttons", cadence.Body{Title: "t", Actions: buttonsN(30)}, 1},
		{"long title and labels", cadence.Body{Title: strings.Repeat("T", 400), Actions: []cadence.Action{{ID: "a", Label: strings.Repeat("L", 100), Value: "v"}}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &cadence.Message{Kind: cadence.KindSummary, Body: tt.body}
			parts := render(m, "")
			assert.Len(t, parts, tt.parts)
			for _, p := range parts {
				assert.LessOrEqual(t, len(p.Blocks), maxBlocks)
				assert.LessOrEqual(t, blocksText(p.Blocks), maxPartText+maxHeaderText)
				for _, b := range p.Blocks {
					switch b := b.(type) {
					case *slack.SectionBlock:
						assert.LessOrEqual(t, utf8.RuneCountInString(b.Text.Text), maxSectionText)
					case *slack.HeaderBlock:
						assert.LessOrEqual(t, utf8.RuneCountInString(b.Text.Text), maxHeaderText)
					case *slack.ActionBlock:
						assert.LessOrEqual(t, len(b.Elements.ElementSet), maxActionElements)
						for _, el := range b.Elements.ElementSet {
							assert.LessOrEqual(t, utf8.RuneCountInString(el.(*slack.ButtonBlockElement).Text.Text), maxButtonText)
						}
					}
				}
			}
			// Nothing is lost: every character of the input is rendered.
			assert.Equal(t, strings.Count(tt.body.Text, "é"), countRune(parts, 'é'))
			// The split is a pure function of the content.
			assert.Equal(t, wire(parts), wire(render(m, "")))
		})
	}
}

func countRune(parts []rendered, r rune) int {
	n := 0
	for _, p := range parts {
		for _, b := range p.Blocks {
			if s, ok := b.(*slack.SectionBlock); ok {
				n += strings.Count(s.Text.Text, string(r))
			}
		}
	}
	return n
}

func sectionsN(n, lineLen int) []cadence.Section {
	var out []cadence.Section
	for i := 0; i < n; i++ {
		out = append(out, cadence.Section{Heading: "P", Lines: []string{strings.Repeat("x", lineLen)}})
	}
	return out
}

func buttonsN(n int) []cadence.Action {
	var out []cadence.Action
	for i := 0; i < n; i++ {
		out = append(out, cadence.Action{ID: "b" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Label: "B", Value: "v"})
	}
	return out
}

func TestAnswerModal(t *testing.T) {
	r := &cadence.Ritual{ID: "standup", Title: "Daily standup of the platform team", Questions: cadence.DefaultQuestions(cadence.KindStandup)}
	o := &cadence.Occurrence{ID: occ, RitualID: "standup", ClosesAt: time.Date(2026, 11, 30, 12, 30, 0, 0, time.UTC)}
	prev := &cadence.Answer{Responses: []cadence.Response{{QuestionID: "today", Text: strings.Repeat("z", 3500)}}}
	v := answerModal(r, o, cadence.AnswerState{Mode: cadence.AnswerEdit, ClosesAt: o.ClosesAt}, prev, time.UTC)
	assert.Equal(t, "Daily standup of the pl…", v.Title.Text, "modal titles are cut at 24 characters")
	assert.Equal(t, occ, v.PrivateMetadata)
	in := v.Blocks.BlockSet[2].(*slack.InputBlock)
	assert.Equal(t, "q_today", in.BlockID)
	assert.False(t, in.Optional)
	el := in.Element.(*slack.PlainTextInputBlockElement)
	assert.True(t, el.Multiline)
	assert.Equal(t, maxInputLength, el.MaxLength)
	assert.Equal(t, maxInputLength, utf8.RuneCountInString(el.InitialValue), "a prefill longer than Slack's input is cut, not refused")
	assert.True(t, v.Blocks.BlockSet[3].(*slack.InputBlock).Optional, "blockers is optional")

	errs := submissionErrors(r, cadence.FieldErrors{"today": "too long", "ghost": "unknown question"})
	assert.Equal(t, map[string]string{"q_today": "too long", "q_yesterday": "unknown question"}, errs)

	// After the close, the same modal takes a late first answer and says so.
	late := answerModal(r, o, cadence.AnswerState{Mode: cadence.AnswerLate, ClosesAt: o.ClosesAt, LateUntil: o.ClosesAt.Add(7 * 24 * time.Hour)}, nil, time.UTC)
	intro := late.Blocks.BlockSet[0].(*slack.SectionBlock).Text.Text
	assert.Contains(t, intro, "closed <!date^1796041800^{date_short_pretty} at {time}|Mon 30 Nov 12:30 UTC>.")
	assert.Contains(t, intro, "You can still answer late until <!date^1796646600^{date_short_pretty} at {time}|Mon 7 Dec 12:30 UTC>")
	assert.Equal(t, "Send late", late.Submit.Text)
	assert.Empty(t, late.Blocks.BlockSet[2].(*slack.InputBlock).Element.(*slack.PlainTextInputBlockElement).InitialValue)

	// A refusal worded by the engine reaches the modal as it is.
	errs = submissionErrors(r, &cadence.Refusal{Text: "Daily standup closed Mon 30 Nov 12:30 UTC, too long ago for a late answer.", Err: cadence.ErrClosed})
	assert.Equal(t, map[string]string{"q_yesterday": "Daily standup closed Mon 30 Nov 12:30 UTC, too long ago for a late answer."}, errs)
}
