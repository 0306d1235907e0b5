package dashboard_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
)

// The people table marks exactly the people the digest lists under its
// threshold, and shows each person's score as the report does.
func TestPeopleTableMarksWhomTheDigestLists(t *testing.T) {
	svc := smallFixture()
	h := newHandler(t, svc, dashboard.Options{Threshold: 70})
	recs := getCSV(t, h, "/api/people.csv")
	col := func(key string) int {
		for i, k := range recs[0] {
			if k == key {
				return i
			}
		}
		t.Fatalf("no column %s in %v", key, recs[0])
		return -1
	}
	below, name, score := col("below_threshold"), col("name"), col("score")

	rep, err := svc.Report(t.Context(), cadence.ReportQuery{ // the page's default: 12 weeks to today
		From: time.Date(2025, 12, 15, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	var listed []string
	for _, sec := range dashboard.DigestBody(rep, nil, 70).Sections {
		if strings.HasPrefix(sec.Heading, "Below 70%") {
			for _, l := range sec.Lines {
				if n, _, ok := strings.Cut(l, ":"); ok {
					listed = append(listed, n)
				}
			}
		}
	}
	var marked []string
	for _, r := range recs[1:] {
		assert.NotEmpty(t, r[score], "%s has a score", r[name])
		if r[below] == "true" {
			marked = append(marked, r[name])
		}
	}
	require.NotEmpty(t, listed, "the fixture has people below 70%%")
	assert.ElementsMatch(t, listed, marked)

	page := getOK(t, h, "/people")
	assert.Equal(t, len(marked), strings.Count(page, `class="num below" data-label="On time %"`), "their on-time share is marked on the page")
	assert.Contains(t, page, "fewer than 70% of prompts answered on time, the people the weekly digest lists")

	// No threshold: no column, no marks.
	recs = getCSV(t, newHandler(t, svc, dashboard.Options{}), "/api/people.csv")
	assert.NotContains(t, recs[0], "below_threshold")
}

func TestIncidentLinkIsShort(t *testing.T) {
	page := getOK(t, newOpsFixture(t).handler(), "/s/incidents"+opsWeek)
	assert.Contains(t, page, `<a href="https://chat.example.com/m/1" rel="noopener noreferrer">chat.example.com/…</a>`)
}
