package dashboard_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/dashboard"
)

var (
	svgRe    = regexp.MustCompile(`(?s)<svg class="trend (\w+)" viewBox="0 0 (\d+) \d+".*?</svg>`)
	xlabelRe = regexp.MustCompile(`<text class="xlabel" text-anchor="(\w+)" x="([\d.]+)" y="\d+">([^<]+)</text>`)
)

// charts returns each layout's SVG by class ("wide", "narrow").
func charts(t *testing.T, page string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range svgRe.FindAllStringSubmatch(page, -1) {
		out[m[1]] = m[0]
	}
	require.Len(t, out, 2, "a wide and a narrow chart")
	return out
}

func TestTrendMarksThePartialWeekAndTheThreshold(t *testing.T) {
	h := newHandler(t, smallFixture(), dashboard.Options{Threshold: 70})
	// fixtureNow is Wednesday 4 March: week 10 has 3 of its 7 days.
	for layout, svg := range charts(t, getOK(t, h, "/")) {
		assert.Equal(t, 1, strings.Count(svg, `class="point partial"`), layout)
		assert.Equal(t, 11, strings.Count(svg, `class="point"`), layout)
		assert.Contains(t, svg, "2026-W10: score", layout)
		assert.Contains(t, svg, "partial week: 3 of 7 days", layout)
		assert.Contains(t, svg, ` so far</text>`, layout)
		assert.Contains(t, svg, `<line class="line partial"`, layout, "the step into the partial week is dashed")
		assert.Equal(t, 1, strings.Count(svg, `<line class="target"`), layout)
		assert.Regexp(t, `<text class="target-label"[^>]*>[a-z ]*threshold 70</text>`, svg, layout)
	}
	// Full weeks only (to a Sunday already past): nothing is partial.
	for layout, svg := range charts(t, getOK(t, h, "/?from=2026-01-05&to=2026-03-01")) {
		assert.NotContains(t, svg, "partial", layout)
		assert.NotContains(t, svg, "so far", layout)
	}
	// A range starting mid-week cuts its first week.
	for layout, svg := range charts(t, getOK(t, h, "/?from=2026-01-07&to=2026-03-01")) {
		assert.Contains(t, svg, "2026-W02: score", layout)
		assert.Contains(t, svg, "partial week: 5 of 7 days", layout)
	}
	// No threshold configured: no line.
	page := getOK(t, newHandler(t, smallFixture(), dashboard.Options{}), "/")
	assert.NotContains(t, page, `class="target"`)
}

// Over a year the x labels must not collide (they did at 53 weeks: the
// last week was always labelled, next to the one before it).
func TestTrendLabelsDoNotCollideOverAYear(t *testing.T) {
	h := newHandler(t, newFixture(fixtureSpec{people: 6, rituals: 2, weeks: 60, seed: 2}), dashboard.Options{})
	for _, q := range []string{"/?weeks=52", "/?weeks=53", "/?weeks=13", "/?weeks=1", "/?from=2023-03-06&to=2026-03-04"} {
		for layout, svg := range charts(t, getOK(t, h, q)) {
			width, _ := strconv.ParseFloat(svgRe.FindStringSubmatch(svg)[2], 64)
			labels := xlabelRe.FindAllStringSubmatch(svg, -1)
			require.NotEmpty(t, labels, "%s %s", q, layout)
			assert.Equal(t, "W10", labels[len(labels)-1][3], "%s %s: the current week is labelled", q, layout)
			// Extents as the page draws them, 0.62 em per character at 12 px.
			type span struct{ lo, hi float64 }
			var spans []span
			for _, l := range labels {
				x, _ := strconv.ParseFloat(l[2], 64)
				w := 0.62 * 12 * float64(len(l[3]))
				s := span{x - w/2, x + w/2}
				switch l[1] {
				case "end":
					s = span{x - w, x}
				case "start":
					s = span{x, x + w}
				}
				assert.GreaterOrEqual(t, s.lo, 0.0, "%s %s: %q leaves the frame", q, layout, l[3])
				assert.LessOrEqual(t, s.hi, width, "%s %s: %q leaves the frame", q, layout, l[3])
				spans = append(spans, s)
			}
			for i := 1; i < len(spans); i++ {
				assert.Greater(t, spans[i].lo-spans[i-1].hi, 4.0, "%s %s: %q and %q collide", q, layout, labels[i-1][3], labels[i][3])
			}
		}
	}
}

func TestPeriodPresets(t *testing.T) {
	h := newHandler(t, smallFixture(), dashboard.Options{})
	for _, tc := range []struct {
		q, period string
	}{
		{"/?weeks=4", "9 Feb 2026 – 4 Mar 2026"},
		{"/?weeks=13", "8 Dec 2025 – 4 Mar 2026"},
		{"/?weeks=52&to=2026-03-01", "3 Mar 2025 – 1 Mar 2026"},
	} {
		page := getOK(t, h, tc.q)
		assert.True(t, strings.Contains(page, "· "+tc.period+" (UTC dates)"), "%s: want the period %s", tc.q, tc.period)
	}
	page := getOK(t, h, "/people?cap=ci-cd&weeks=13")
	assert.Contains(t, page, `<a href="?cap=ci-cd&amp;weeks=13" aria-current="true">Quarter</a>`, "the preset keeps the other filters and shows which is on")
	assert.Contains(t, page, `<a href="?cap=ci-cd&amp;weeks=52">Year</a>`)
	assert.Contains(t, page, `href="./?cap=ci-cd&amp;weeks=13"`, "navigation keeps the preset")
	assert.Contains(t, page, `href="api/people.csv?cap=ci-cd&amp;weeks=13"`, "downloads hold what the page shows")

	for q, msg := range map[string]string{
		"/?weeks=0":                 `query parameter &#34;weeks&#34;: &#34;0&#34; is not a number of weeks from 1 to 156`,
		"/?weeks=year":              `&#34;year&#34; is not a number of weeks`,
		"/?weeks=4&from=2026-01-05": `give either weeks or from, not both`,
		"/api/team.csv?weeks=157":   `"157" is not a number of weeks from 1 to 156`,
	} {
		rec := get(t, h, q)
		assert.Equal(t, http.StatusBadRequest, rec.Code, q)
		assert.Contains(t, rec.Body.String(), msg, q)
	}
}
