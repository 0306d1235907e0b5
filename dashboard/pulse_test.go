package dashboard_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
)

// pulseService adds a mood tally to the fixture's reports.
type pulseService struct {
	*fakeService
	pulse []cadence.PulseWeek
}

func (p pulseService) Report(ctx context.Context, q cadence.ReportQuery) (*cadence.Report, error) {
	rep, err := p.fakeService.Report(ctx, q)
	if err != nil {
		return nil, err
	}
	c := *rep
	c.Pulse = p.pulse
	return &c, nil
}

// The overview shows the mood per week and scale question, shaded.
func TestOverviewShowsMoodPerWeek(t *testing.T) {
	f := smallFixture()
	rid := f.rituals[0].ID
	svc := pulseService{fakeService: f, pulse: []cadence.PulseWeek{
		{Week: "2026-W09", Start: time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC), RitualID: rid, QuestionID: "mood", Question: "Mood?",
			Answers: 3, Mean: 11.0 / 3, Median: 4, Counts: [5]int{0, 1, 0, 1, 1}},
		{Week: "2026-W10", Start: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), RitualID: rid, QuestionID: "mood", Question: "Mood?",
			Answers: 1, Mean: 5, Median: 5, Counts: [5]int{0, 0, 0, 0, 1}},
	}}
	page := getOK(t, newHandler(t, svc, dashboard.Options{}), "/")
	assert.Contains(t, page, `<h2>Mood and pulse per week</h2>`)
	assert.Contains(t, page, `<th scope="col">`+f.rituals[0].Title+`: Mood?</th>`)
	assert.Contains(t, page, `<td class="h7" tabindex="0" title="2026-W09 Mood?: mean 3.7, median 4, 3 answers (1: 0, 2: 1, 3: 0, 4: 1, 5: 1)"`)
	assert.Contains(t, page, `<td class="h10" tabindex="0"`)

	plain := getOK(t, newHandler(t, f, dashboard.Options{}), "/")
	assert.NotContains(t, plain, "Mood and pulse", "no table when no ritual asks a scale")
}
