package cadence_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func TestParseCheck(t *testing.T) {
	for _, tc := range []struct {
		in     string
		mark   cadence.CheckMark
		remark string
	}{
		{"", cadence.CheckUnanswered, ""},
		{"   ", cadence.CheckUnanswered, ""},
		{"done", cadence.CheckDone, ""},
		{"Done.", cadence.CheckDone, ""},
		{"yes", cadence.CheckDone, ""},
		{"✓", cadence.CheckDone, ""},
		{"okay", cadence.CheckDone, ""},
		{"done - see PR 42", cadence.CheckDone, "see PR 42"},
		{"Done: all green", cadence.CheckDone, "all green"},
		{"not done", cadence.CheckNotDone, ""},
		{"NOT DONE — waiting for the eval set", cadence.CheckNotDone, "waiting for the eval set"},
		{"no", cadence.CheckNotDone, ""},
		{"no, dashboards were down", cadence.CheckNotDone, "dashboards were down"},
		{"not yet", cadence.CheckNotDone, ""},
		{"none of them had drift", cadence.CheckComment, "none of them had drift"}, // "no" must be a word
		{"nothing to check", cadence.CheckComment, "nothing to check"},
		{"partly, two of five", cadence.CheckComment, "partly, two of five"},
		{"donezo", cadence.CheckComment, "donezo"},
	} {
		mark, remark := cadence.ParseCheck(tc.in)
		assert.Equal(t, tc.mark, mark, "%q", tc.in)
		assert.Equal(t, tc.remark, remark, "%q", tc.in)
	}
}

// checklistTriage is the triage ritual with a two-item checklist.
func checklistTriage(t *testing.T) *cadence.Ritual {
	r := cadencetest.TriageRitual(t)
	r.Checklist = []string{"open incidents have an owner", "noisy alerts tuned"}
	return r
}

func TestChecklistIsAskedAndSummedUp(t *testing.T) {
	ritual := checklistTriage(t)
	h := cadencetest.NewHarness(t, cadencetest.Monday.Add(8*time.Hour), ritual)
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	id := cadence.OccurrenceID("triage", fire)
	h.At(cadencetest.Monday.Add(8 * time.Hour)) // the first tick starts the schedule
	h.At(fire)

	// Each prompt asks the items as optional questions after the ritual's own.
	prompt := delivered(h, cadence.PromptKey(id, "ana")).Message.Body
	require.Len(t, prompt.Questions, 5)
	assert.Equal(t, cadence.Question{ID: "check-1", Text: "Checklist: open incidents have an owner. Done or not done? (a comment is welcome)"}, prompt.Questions[3])
	assert.Equal(t, "check-2", prompt.Questions[4].ID)
	assert.False(t, prompt.Questions[4].Required)
	assert.Len(t, ritual.Questions, 3, "the configured ritual is left as it was")
	assert.Len(t, h.Eng.Ritual("triage").Questions, 5, "the engine's copy asks the checklist")

	// The agenda lists the items once, under Checklist, not among the questions.
	agenda := delivered(h, cadence.AgendaKey(id)).Message.Body
	assert.Equal(t, cadence.Section{Heading: "Questions", Lines: []string{
		cadence.DefaultQuestions(cadence.KindTriage)[0].Text, cadence.DefaultQuestions(cadence.KindTriage)[1].Text, cadence.DefaultQuestions(cadence.KindTriage)[2].Text,
	}}, sectionNamed(t, agenda, "Questions"))
	assert.Equal(t, []string{"open incidents have an owner", "noisy alerts tuned"}, sectionNamed(t, agenda, "Checklist").Lines)

	summary := delivered(h, cadence.SummaryKey(id)).Message.Body
	assert.Equal(t, "0 of 4 answered, checklist 0 of 2 done", summary.Text)
	assert.Equal(t, []string{"– open incidents have an owner — no answer", "– noisy alerts tuned — no answer"}, sectionNamed(t, summary, "Checklist: 0 of 2 done").Lines)

	// Answers: the items are optional, and an unknown item is refused.
	h.Clock.Set(fire.Add(10 * time.Minute))
	_, err := h.Answer(id, "bo", "incidents", "none", "check-3", "done")
	require.Error(t, err)
	_, err = h.Answer(id, "ana", "incidents", "lag on the ranker", "check-1", "done", "check-2", "not done: waiting for the new thresholds")
	require.NoError(t, err)
	_, err = h.Answer(id, "bo", "incidents", "none", "check-1", "yes, INC-4 too", "check-2", "partly")
	require.NoError(t, err)
	_, err = h.Answer(id, "cy", "incidents", "none")
	require.NoError(t, err)
	h.Dispatch()

	summary = delivered(h, cadence.SummaryKey(id)).Message.Body
	assert.Equal(t, "3 of 4 answered, checklist 1 of 2 done", summary.Text)
	assert.Equal(t, []string{
		"✓ open incidents have an owner — done: Ana, Bo (INC-4 too)",
		"✗ noisy alerts tuned — not done: Ana (waiting for the new thresholds); comments: Bo (partly)",
	}, sectionNamed(t, summary, "Checklist: 1 of 2 done").Lines)
	assert.Equal(t, []cadence.Entry{{Label: "Which model or pipeline incidents did you see since the last triage?", Text: "lag on the ranker"}},
		sectionNamed(t, summary, "Ana").Entries, "checklist answers are summed up, not repeated per person")

	// The receipt shows the person what they answered, items included.
	receipt := delivered(h, cadence.ReceiptKey(id, "ana", 0)).Message.Body
	assert.Contains(t, receipt.Sections[0].Entries, cadence.Entry{
		Label: "Checklist: noisy alerts tuned. Done or not done? (a comment is welcome)", Text: "not done: waiting for the new thresholds"})
}

// An item counts as done only when it is: someone said done and nobody
// said not done. Done by some and not by others is partly done, shown as
// such, and never counted done.
func TestChecklistCountsOnlyWhatIsDone(t *testing.T) {
	tests := []struct {
		name      string
		answers   map[string][2]string // person → answers to check-1, check-2
		text      string
		heading   string
		firstLine string
	}{
		{"all done", map[string][2]string{"ana": {"done", "done"}, "bo": {"yes", "ok"}},
			"2 of 4 answered, checklist 2 of 2 done", "Checklist: 2 of 2 done", "✓ open incidents have an owner — done: Ana, Bo"},
		{"one says not done", map[string][2]string{"ana": {"done", "done"}, "bo": {"not done", "done"}},
			"2 of 4 answered, checklist 1 of 2 done, 1 partly", "Checklist: 1 of 2 done, 1 partly", "◐ open incidents have an owner — done: Ana; not done: Bo"},
		{"nobody did it", map[string][2]string{"ana": {"no", "not yet"}, "bo": {"not done", "no"}},
			"2 of 4 answered, checklist 0 of 2 done", "Checklist: 0 of 2 done", "✗ open incidents have an owner — not done: Ana, Bo"},
		{"comments only", map[string][2]string{"ana": {"half of them", ""}},
			"1 of 4 answered, checklist 0 of 2 done", "Checklist: 0 of 2 done", "? open incidents have an owner — comments: Ana (half of them)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := cadencetest.NewHarness(t, cadencetest.Monday.Add(8*time.Hour), checklistTriage(t))
			fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
			id := cadence.OccurrenceID("triage", fire)
			h.At(cadencetest.Monday.Add(8 * time.Hour))
			h.At(fire)
			for _, p := range slices.Sorted(maps.Keys(tc.answers)) {
				a := tc.answers[p]
				_, err := h.Answer(id, p, "incidents", "none", "check-1", a[0], "check-2", a[1])
				require.NoError(t, err)
			}
			h.Dispatch()
			summary := delivered(h, cadence.SummaryKey(id)).Message.Body
			assert.Equal(t, tc.text, summary.Text)
			assert.Equal(t, tc.firstLine, sectionNamed(t, summary, tc.heading).Lines[0])
		})
	}
}

func TestChecklistQuestionIDsAreReserved(t *testing.T) {
	r := checklistTriage(t)
	r.Questions = append(r.Questions, cadence.Question{ID: "check-1", Text: "my own"})
	_, err := cadence.New(cadence.EngineConfig{Rituals: []*cadence.Ritual{r}, Roster: cadencetest.TestRoster(t), Store: cadencetest.NewStore(), Logger: zerolog.Nop()})
	require.EqualError(t, err, `engine: ritual "triage": question id "check-1": ids starting with "check-" are reserved for checklist items`)

	// Rituals taken from one engine configure another unchanged.
	first, err := cadence.New(cadence.EngineConfig{Rituals: []*cadence.Ritual{checklistTriage(t)}, Roster: cadencetest.TestRoster(t), Store: cadencetest.NewStore()})
	require.NoError(t, err)
	second, err := cadence.New(cadence.EngineConfig{Rituals: first.Rituals(), Roster: cadencetest.TestRoster(t), Store: cadencetest.NewStore()})
	require.NoError(t, err)
	assert.Equal(t, first.Ritual("triage").Questions, second.Ritual("triage").Questions)
}

func sectionNamed(t *testing.T, b cadence.Body, heading string) cadence.Section {
	t.Helper()
	for _, s := range b.Sections {
		if s.Heading == heading {
			return s
		}
	}
	t.Fatalf("no section %q in %q", heading, b.Title)
	return cadence.Section{}
}
