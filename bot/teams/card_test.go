package teams

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/cards")

const occ = "standup@20261130T083000Z"

func sampleMessages() map[string]struct {
	m *cadence.Message
	o cardOptions
} {
	questions := cadence.DefaultQuestions(cadence.KindStandup)
	prompt := func() *cadence.Message {
		return &cadence.Message{Key: "p", Kind: cadence.KindPrompt, OccurrenceID: occ, To: cadence.Recipient{Person: "ana"},
			Body: cadence.Body{Title: "Daily standup", Text: "Your answers, please, before 13:30 CET.", Questions: questions,
				Actions: []cadence.Action{
					{ID: cadence.ActionAnswer, Label: "Answer", Value: occ, Style: "primary"},
					{ID: cadence.ActionDecline, Label: "Skip this one", Value: occ},
					{ID: cadence.ActionOOO, Label: "I'm out of office", Value: occ, Style: "danger"}}}}
	}
	editing := prompt()
	editing.Body.Prefill = map[string]string{"yesterday": "Backfilled the feature store", "today": "Drift monitor <v2> & alerts"}
	type tc = struct {
		m *cadence.Message
		o cardOptions
	}
	return map[string]tc{
		"agenda": {m: &cadence.Message{Kind: cadence.KindAgenda, OccurrenceID: occ, To: cadence.Recipient{Channel: "19:x@thread.tacv2"},
			Body: cadence.Body{Title: "Daily standup: Mon 30 Nov", Text: "Facilitator: Ana. Answer in your chat with cadencebot by 12:30 UTC.",
				Sections: []cadence.Section{{Heading: "Agenda", Lines: []string{"Open incidents: 2", "Releases this week: fraud-model v14"}}},
				Actions:  []cadence.Action{{ID: cadence.ActionAnswer, Label: "Answer", Value: occ, Style: "primary"}},
				Footer:   "standup@20261130T083000Z"}}},
		"prompt":         {m: prompt()},
		"prompt_typed":   {m: typedPrompt()},
		"prompt_editing": {m: editing},
		"prompt_errors": {m: prompt(), o: cardOptions{
			errors: cadence.FieldErrors{"yesterday": "this question needs an answer", "mood": "unknown question"},
			values: map[string]string{"yesterday": "", "today": "typed before the error"}}},
		"prompt_saved": {m: editing, o: cardOptions{values: editing.Body.Prefill, note: "✓ Saved at 09:30. You can edit your answers until the ritual closes."}},
		"reminder": {m: &cadence.Message{Kind: cadence.KindReminder, OccurrenceID: occ, Body: cadence.Body{Title: "Reminder: Daily standup",
			Text: "The standup closes in 1 hour and we have not heard from you.", Questions: questions,
			Actions: []cadence.Action{{ID: cadence.ActionAnswer, Label: "Answer", Value: occ, Style: "primary"}, {ID: cadence.ActionDecline, Label: "Skip this one", Value: occ}}}}},
		"digest":            {m: digestMessage(tinyPNG(), "Team adherence score per ISO week (0 to 100): 2026-W48 78, 2026-W49 82.")},
		"followup_reminder": {m: followUpReminder(), o: cardOptions{people: samplePeople}},
		"followup_snoozed": {m: followUpReminder(), o: cardOptions{people: samplePeople,
			note: "✓ No reminders about FU-7 until Thu 3 Dec 09:00. — Ana"}},
		"followup_done": {m: followUpReminder(), o: cardOptions{people: samplePeople, closed: true,
			note: "✓ FU-7 is done. Thank you! — Ana"}},
		"release_request": {m: &cadence.Message{Key: "rel/REL-2/ask/lea", Kind: cadence.KindNotice, To: cadence.Recipient{Person: "lea"},
			Body: cadence.Body{Title: "Proposed: REL-2 churn-model v14", Text: "Ben proposes churn-model v14 (model, high risk); it needs 2 approvals.",
				Sections: []cadence.Section{{Lines: []string{"Change: model · risk high", "Evaluation: AUC 0.91 → 0.93", "Data contract: passed"}}},
				Actions: []cadence.Action{
					{ID: ops.ActionReleaseApprove, Label: "Approve", Value: "REL-2", Style: "primary"},
					{ID: ops.ActionReleaseReject, Label: "Reject", Value: "REL-2", Style: "danger"}},
				Footer: "/cadence release approve REL-2 · release reject REL-2 REASON"}}, o: cardOptions{people: samplePeople}},
		// As the engine composes it: Ana has a Teams id (a mention), Cem
		// has none (his name); the close time is shown in each reader's zone.
		"summary_people": {m: &cadence.Message{Kind: cadence.KindSummary, OccurrenceID: occ, Body: cadence.Body{Title: "Daily standup · summary",
			Text: "1 of 2 answered", Sections: []cadence.Section{
				{Heading: cadence.MentionText("ana", "Ana Pop"), Entries: []cadence.Entry{{Label: "What did you finish?", Text: "the backfill"}}},
				{Heading: "Not answered yet", Lines: []string{cadence.MentionText("cem", "Cem") + ", " + cadence.MentionText("ana", "Ana Pop")}}},
			Footer: "Answers close " + cadence.TimeText(time.Date(2026, 11, 30, 12, 30, 0, 0, time.UTC), time.UTC, "15:04 MST")}},
			o: cardOptions{ids: sampleIDs}},
		"summary": {m: &cadence.Message{Kind: cadence.KindSummary, OccurrenceID: occ, Body: cadence.Body{Title: "Daily standup: summary",
			Text: "2 of 3 answered", Sections: []cadence.Section{
				{Heading: "Ana", Lines: []string{"Yesterday: backfill", "Today: drift monitor"}},
				{Heading: "Blockers", Lines: []string{"Ben: waiting on the *data contract*"}},
				{Heading: "No answer", Lines: []string{"Cem"}}}, Footer: "Updated 10:02 UTC"}}},
	}
}

// sampleIDs knows Ana's Teams id and nobody else's.
func sampleIDs(personID string) (string, bool) {
	if personID == "ana" {
		return "29:1ana-aad-id", true
	}
	return "", false
}

var samplePeople = []choice{{Title: "Ana", Value: "ana"}, {Title: "Ben", Value: "ben"}, {Title: "Lea", Value: "lea"}}

func followUpReminder() *cadence.Message {
	return &cadence.Message{Key: "fu/FU-7/remind/ana/2026-12-01", Kind: cadence.KindNotice, To: cadence.Recipient{Person: "ana"},
		Body: cadence.Body{Title: "Overdue: FU-7 Tighten the drift alert",
			Text: "FU-7 was due Mon 30 Nov (1 day ago). It is a follow-up of INC-3: Churn model drift.",
			Actions: []cadence.Action{
				{ID: ops.ActionFollowUpDone, Label: "Done", Value: "FU-7", Style: "primary"},
				{ID: ops.ActionFollowUpSnooze, Label: "Snooze", Value: "FU-7"},
				{ID: ops.ActionFollowUpReassign, Label: "Reassign", Value: "FU-7"}},
			Footer: "Snooze silences reminders for 2 days. /cadence followup done FU-7"}}
}

// digestMessage is a weekly digest shaped like dashboard.DigestBody's,
// with a chart.
func digestMessage(png []byte, alt string, extra ...cadence.Section) *cadence.Message {
	return &cadence.Message{Key: "digest/20261207T080000Z/#19:mgmt@thread.tacv2", Kind: cadence.KindDigest,
		To: cadence.Recipient{Channel: "19:mgmt@thread.tacv2"},
		Body: cadence.Body{Title: "Cadence digest · 2026-W49", Text: "Team score 82, up 4 from 78 in 2026-W48.",
			Sections: append([]cadence.Section{
				{Heading: "Team", Lines: []string{"Score 82 of 100, up 4 from 78 in 2026-W48.", "Trend: 2026-W48 78 → 2026-W49 82."}},
				{Heading: "Rituals", Lines: []string{"Daily standup: 5 of 5 held, 23 of 25 answers (92%)."}},
			}, extra...),
			Footer: "2026-11-30 – 2026-12-06 (UTC) · generated 2026-12-07 08:00 UTC",
			Image:  &cadence.Image{Name: "adherence-2026-W49.png", Alt: alt, PNG: png}}}
}

// tinyPNG is a 1×1 PNG: the golden file shows the data: URL whole.
func tinyPNG() []byte {
	b, err := base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
	if err != nil {
		panic(err)
	}
	return b
}

// TestCardGolden pins the Adaptive Card JSON of each kind; run with
// -update after an intended change and review the diff.
func TestCardGolden(t *testing.T) {
	for name, tc := range sampleMessages() {
		t.Run(name, func(t *testing.T) {
			acts, err := render(tc.m, tc.o, maxActivityBytes, address{})
			require.NoError(t, err)
			require.Len(t, acts, 1)
			got, err := marshalIndent(acts[0])
			require.NoError(t, err)
			path := filepath.Join("testdata", "cards", name+".json")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "missing golden file; run go test ./bot/teams -run TestCardGolden -update")
			assert.Equal(t, string(want), string(got))
		})
	}
}

func marshalIndent(v any) ([]byte, error) {
	b, err := marshal(v)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func TestPromptCardShape(t *testing.T) {
	m := sampleMessages()["prompt_errors"]
	acts, err := render(m.m, m.o, maxActivityBytes, address{})
	require.NoError(t, err)
	c := acts[0].Attachments[0].Content.(*adaptiveCard)
	assert.Equal(t, "1.3", c.Version, "labels, isRequired and associatedInputs are 1.3")

	var inputs []inputText
	var errs []string
	for _, el := range c.Body {
		switch x := el.(type) {
		case inputText:
			inputs = append(inputs, x)
		case textBlock:
			if x.Color == "Attention" {
				errs = append(errs, x.Text)
			}
		}
	}
	require.Len(t, inputs, 3, "one input per question")
	for _, in := range inputs {
		assert.True(t, in.IsMultiline)
		assert.Equal(t, cadence.MaxAnswerLen, in.MaxLength)
	}
	assert.Equal(t, "q_yesterday", inputs[0].ID)
	assert.True(t, inputs[0].IsRequired)
	assert.False(t, inputs[2].IsRequired, "blockers are optional")
	assert.Equal(t, "typed before the error", inputs[1].Value)
	assert.Equal(t, []string{"⚠ this question needs an answer", "⚠ mood: unknown question"}, errs)

	require.Len(t, c.Actions, 3, "submit, skip, out of office (the Answer button is the submit)")
	submit := c.Actions[0].(actionSubmit)
	assert.Equal(t, submitData{Action: cadence.ActionAnswer, Occurrence: occ}, submit.Data)
	assert.Empty(t, submit.AssociatedInputs, "submit sends the inputs")
	skip := c.Actions[1].(actionSubmit)
	assert.Equal(t, "none", skip.AssociatedInputs, "skipping must not require answers")
	assert.Equal(t, "destructive", c.Actions[2].(actionSubmit).Style)
}

// TestCardDeclaresLowestVersion: each card declares the lowest schema
// version its elements need, and says in fallbackText what it is about.
func TestCardDeclaresLowestVersion(t *testing.T) {
	want := map[string]string{
		"agenda":            "1.2", // accent container, bleed, button style
		"summary":           "1.2",
		"summary_people":    "1.2", // mentions are msteams entities, not a schema element
		"digest":            "1.2",
		"followup_done":     "1.2", // closed: no Reassign picker left
		"prompt":            "1.3", // input labels, isRequired, associatedInputs
		"prompt_editing":    "1.3",
		"prompt_errors":     "1.3",
		"prompt_saved":      "1.3",
		"prompt_typed":      "1.3", // Input.ChoiceSet and Input.Number with labels
		"reminder":          "1.3",
		"release_request":   "1.3", // the reason box under Reject
		"followup_reminder": "1.5", // the filtered roster picker under Reassign
		"followup_snoozed":  "1.5",
	}
	samples := sampleMessages()
	require.Len(t, want, len(samples), "every sample has an expected version")
	for name, tc := range samples {
		t.Run(name, func(t *testing.T) {
			acts, err := render(tc.m, tc.o, maxActivityBytes, address{})
			require.NoError(t, err)
			c := acts[0].Attachments[0].Content.(*adaptiveCard)
			assert.Equal(t, want[name], c.Version)
			assert.True(t, strings.HasPrefix(c.FallbackText, tc.m.Body.Title), "fallbackText starts with the title: %q", c.FallbackText)
			if tc.m.Body.Text != "" {
				assert.Contains(t, c.FallbackText, tc.m.Body.Text)
			}
		})
	}
}

func TestSplitCutsOverlongLine(t *testing.T) {
	m := &cadence.Message{Kind: cadence.KindSummary, Body: cadence.Body{Title: "S", Sections: []cadence.Section{{Lines: []string{
		"short", strings.Repeat("é", 3000), "tail"}}}}}
	acts, err := render(m, cardOptions{}, 2048, address{})
	require.NoError(t, err)
	require.Len(t, acts, 3)
	for _, a := range acts {
		n, err := jsonSize(a)
		require.NoError(t, err)
		assert.LessOrEqual(t, n, 2048)
	}
	b, _ := marshal(acts[1])
	assert.Contains(t, string(b), "é…", "cut on a rune boundary, marked")

	_, err = render(&cadence.Message{Kind: cadence.KindPrompt, Body: cadence.Body{Title: "P",
		Questions: []cadence.Question{{ID: "q", Text: strings.Repeat("long question ", 400)}}}}, cardOptions{}, 2048, address{})
	var se *cadence.SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "message_too_large", se.Code)
	assert.False(t, se.Retryable)
}

// TestImageSizeGuard checks how a chart counts: Teams leaves base64 images
// out of its 100 KB UTF-16 limit, so the chart counts only against the
// size of the request as sent. It is shown when the whole card fits with
// it, otherwise replaced by its alt text, on any kind of message.
func TestImageSizeGuard(t *testing.T) {
	lines := func(kb int) cadence.Section {
		var s cadence.Section
		for i := range kb * 1024 / 100 {
			s.Lines = append(s.Lines, fmt.Sprintf("%03d %s", i, strings.Repeat("x", 90)))
		}
		return cadence.Section{Heading: "Overdue follow-ups", Lines: s.Lines}
	}
	const alt = "Team adherence score per ISO week (0 to 100): 2026-W48 78, 2026-W49 82."
	notice := &cadence.Message{Kind: cadence.KindNotice, Body: cadence.Body{Title: "Chart", Text: "A notice with a picture",
		Image: &cadence.Image{Name: "n.png", PNG: make([]byte, 2048)}}}
	for _, tc := range []struct {
		name      string
		m         *cadence.Message
		parts     int
		withImage bool
		altLine   string
	}{
		{name: "8-week chart (25 KB) fits", m: digestMessage(make([]byte, 25<<10), alt), parts: 1, withImage: true},
		{name: "52-week chart (38 KB) fits", m: digestMessage(make([]byte, 38<<10), alt), parts: 1, withImage: true},
		{name: "text fits, the chart does not count against the UTF-16 limit", m: digestMessage(make([]byte, 38<<10), alt, lines(20)),
			parts: 1, withImage: true},
		{name: "text and chart too large a request: chart dropped, alt kept", m: digestMessage(make([]byte, 130<<10), alt, lines(20)),
			parts: 1, altLine: alt},
		{name: "text alone too large: split, alt in the last part", m: digestMessage(make([]byte, 38<<10), alt, lines(35)),
			parts: 2, altLine: alt},
		{name: "any kind may carry a picture; the name stands in for a missing alt", m: notice, parts: 1, withImage: true},
		{name: "an empty picture is no picture", m: digestMessage(nil, alt), parts: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acts, err := render(tc.m, cardOptions{}, maxActivityBytes, address{})
			require.NoError(t, err)
			require.Len(t, acts, tc.parts)
			var images []imageBlock
			var altLines []string
			for _, a := range acts {
				n, err := jsonSize(a)
				require.NoError(t, err)
				assert.LessOrEqual(t, n, maxActivityBytes)
				b, err := marshal(a)
				require.NoError(t, err)
				assert.LessOrEqual(t, len(b), maxRequestBytes)
				for _, el := range a.Attachments[0].Content.(*adaptiveCard).Body {
					switch x := el.(type) {
					case imageBlock:
						images = append(images, x)
					case textBlock:
						if strings.HasPrefix(x.Text, "Chart not shown") {
							altLines = append(altLines, x.Text)
						}
					}
				}
			}
			img := tc.m.Body.Image
			if tc.withImage {
				require.Len(t, images, 1)
				assert.Equal(t, "data:image/png;base64,"+base64.StdEncoding.EncodeToString(img.PNG), images[0].URL)
				assert.Equal(t, cmp.Or(img.Alt, img.Name), images[0].AltText)
			} else {
				assert.Empty(t, images)
			}
			if tc.altLine != "" {
				assert.Equal(t, []string{"Chart not shown (too large for one Teams message): " + tc.altLine}, altLines)
				last := acts[len(acts)-1].Attachments[0].Content.(*adaptiveCard).Body
				assert.Contains(t, last, imageAltLine(img), "the alt line closes the content")
			} else {
				assert.Empty(t, altLines)
			}
		})
	}
}

// Each part of a split summary carries the mention entities of the names
// in that part only: Teams refuses a mention entity without its <at> text.
func TestSplitPartsCarryTheirOwnMentions(t *testing.T) {
	long := strings.Repeat("word ", 2000)
	m := &cadence.Message{Kind: cadence.KindSummary, Body: cadence.Body{Title: "Standup · summary", Text: "2 of 2 answered",
		Sections: []cadence.Section{
			{Heading: cadence.MentionText("ana", "Ana Pop"), Entries: []cadence.Entry{{Label: "Q", Text: long}}},
			{Heading: cadence.MentionText("bo", "Bo"), Entries: []cadence.Entry{{Label: "Q", Text: long}}}}}}
	ids := teamsIDs(func(p string) (string, bool) { return "29:" + p, true })
	acts, err := render(m, cardOptions{ids: ids}, 16*1024, address{})
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(acts), 2)
	seen := map[string]bool{}
	for i, a := range acts {
		c := a.Attachments[0].Content.(*adaptiveCard)
		raw, err := marshal(c.Body)
		require.NoError(t, err)
		var ents []string
		if c.MSTeams != nil {
			for _, e := range c.MSTeams.Entities {
				ents = append(ents, e.Text)
				seen[e.Mentioned.ID] = true
			}
		}
		var want []string
		for _, name := range []string{"<at>Ana Pop</at>", "<at>Bo</at>"} {
			if strings.Contains(string(raw), name) {
				want = append(want, name)
			}
		}
		assert.Equal(t, want, ents, "part %d", i+1)
	}
	assert.Equal(t, map[string]bool{"29:ana": true, "29:bo": true}, seen)
	for _, a := range acts {
		raw, err := marshal(a)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), "\uE000", "no reference left undecoded")
	}
}

// TestMentionsCountTowardsTheLimit: mention entities sit outside the body
// the split measures; a summary naming many people still fits each part
// under the limit, entities included.
func TestMentionsCountTowardsTheLimit(t *testing.T) {
	var lines []string
	for i := range 200 {
		p := fmt.Sprintf("person-%03d", i)
		lines = append(lines, cadence.MentionText(p, "Person "+p)+": "+strings.Repeat("x", 40))
	}
	m := &cadence.Message{Kind: cadence.KindSummary, Body: cadence.Body{Title: "Standup · summary",
		Sections: []cadence.Section{{Heading: "Answered", Lines: lines}}}}
	// Long ids, as Teams' 29: ids are.
	ids := teamsIDs(func(p string) (string, bool) { return "29:" + strings.Repeat("Zq8", 40) + p, true })
	const limit = 24 * 1024
	acts, err := render(m, cardOptions{ids: ids}, limit, address{})
	require.NoError(t, err)
	require.Greater(t, len(acts), 1)
	for i, a := range acts {
		n, err := jsonSize(a)
		require.NoError(t, err)
		assert.LessOrEqual(t, n, limit, "part %d, entities included", i+1)
	}
}

// typedPrompt asks one question of every type, a follow-up among them,
// with stored answers to pre-fill.
func typedPrompt() *cadence.Message {
	lo, hi := 0.0, 100.0
	qs := []cadence.Question{
		{ID: "blocked", Text: "Blocked?", Type: cadence.QuestionYesNo, Required: true},
		{ID: "what", Text: "What blocks you?", FollowUpOf: "blocked", When: []string{"yes"}, Required: true},
		{ID: "focus", Text: "Focus?", Type: cadence.QuestionChoice, Options: []string{"Training", "Serving"}},
		{ID: "areas", Text: "Areas?", Type: cadence.QuestionMulti, Options: []string{"Drift, data", "Latency", "Cost"}},
		{ID: "mood", Text: "Mood?", Type: cadence.QuestionScale},
		{ID: "gpus", Text: "GPU hours?", Type: cadence.QuestionNumber, Min: &lo, Max: &hi},
	}
	return &cadence.Message{Key: "p", Kind: cadence.KindPrompt, OccurrenceID: occ, To: cadence.Recipient{Person: "ana"},
		Body: cadence.Body{Title: "Pulse", Text: "Your answers, please.", Questions: qs,
			Prefill: map[string]string{"blocked": "yes", "what": "quota", "areas": "Drift, data\nCost", "mood": "4", "gpus": "2.5"},
			Actions: []cadence.Action{{ID: cadence.ActionAnswer, Label: "Answer", Value: occ, Style: "primary"}}}}
}

// Each question type is drawn as its Adaptive Card input.
func TestTypedPromptInputs(t *testing.T) {
	acts, err := render(typedPrompt(), cardOptions{}, maxActivityBytes, address{})
	require.NoError(t, err)
	c := acts[0].Attachments[0].Content.(*adaptiveCard)
	kinds := map[string]string{}
	var hints []string
	for _, el := range c.Body {
		switch x := el.(type) {
		case inputText:
			kinds[x.ID] = "text"
			if x.ID == "q_what" {
				assert.False(t, x.IsRequired, "a follow-up is never required by the card")
			}
		case inputChoiceSet:
			kinds[x.ID] = x.Style + fmt.Sprint(x.IsMultiSelect) + "=" + x.Value
		case inputNumber:
			kinds[x.ID] = fmt.Sprintf("number %v..%v=%v", *x.Min, *x.Max, *x.Value)
		case textBlock:
			if x.IsSubtle {
				hints = append(hints, x.Text)
			}
		}
	}
	assert.Equal(t, map[string]string{"q_blocked": "expandedfalse=yes", "q_what": "text", "q_focus": "compactfalse=",
		"q_areas": "expandedtrue=0,2", "q_mood": "expandedfalse=4", "q_gpus": "number 0..100=2.5"}, kinds)
	assert.Contains(t, hints, `Only if you answered yes to "Blocked?"`)
}
