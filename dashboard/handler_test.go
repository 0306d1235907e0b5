package dashboard_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
)

func TestOverviewShowsTrendHeatmapAndTables(t *testing.T) {
	h := newHandler(t, smallFixture(), dashboard.Options{})
	page := getOK(t, h, "/")

	assert.Contains(t, page, `<svg class="trend wide"`)
	assert.Contains(t, page, `<svg class="trend narrow"`, "a chart drawn for phones, not the wide one scrolled")
	assert.Equal(t, 2*12, strings.Count(page, `<circle class="point`), "one point per week of the default 12-week range, in each chart")
	assert.Equal(t, 12, strings.Count(page, `<tr><th scope="row"><span class="year">20`), "one heatmap row per ISO week")
	assert.Contains(t, page, `<th scope="row"><span class="year">2025-</span>W51</th>`, "the range starts on the Monday 11 weeks before this week")
	assert.Contains(t, page, `<th scope="row"><span class="year">2026-</span>W10</th>`)
	assert.Contains(t, page, `class="h-missed h-late"`, "the triage missed during downtime is marked")
	assert.Contains(t, page, `class="h-skip"`, "the skipped planning is marked")
	for _, id := range []string{"rituals", "weeks"} {
		assert.NotEmpty(t, pageTable(t, page, id)[1:], id)
	}
	assert.Contains(t, page, `href="api/heatmap.csv"`)
	assert.Contains(t, page, `href="people"`)
	assert.NotContains(t, page, "http://", "no external resources")
}

// A tiny history whose figures are worked out by hand.
func handFixture() *fakeService {
	mon := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return &fakeService{
		roster: cadence.NewRoster([]*cadence.Person{
			{ID: "ana", Name: "Ana", Capabilities: []string{"release"}},
			{ID: "bo", Name: "Bo", Capabilities: []string{"ci-cd"}},
			{ID: "cy", Name: "Cy, \"the\" <lead>", Capabilities: []string{"ci-cd"}},
		}),
		rituals: []*cadence.Ritual{{ID: "triage", Title: "Triage"}},
		now:     fixtureNow,
		occs: []fakeOcc{
			{ritual: "triage", scheduled: mon.AddDate(0, 0, -7), status: cadence.StatusClosed, prompts: []fakePrompt{
				{person: "ana", answered: true, onTime: true, latency: 10 * time.Minute},
				{person: "bo", answered: true, latency: 5 * time.Hour},
				{person: "cy", excused: true},
			}},
			{ritual: "triage", scheduled: mon, status: cadence.StatusClosed, late: true, prompts: []fakePrompt{
				{person: "ana", answered: true, onTime: true, latency: 30 * time.Minute},
				{person: "bo"},
				{person: "cy", excused: true},
			}},
		},
	}
}

func TestPeopleFiguresMatchHandComputation(t *testing.T) {
	h := newHandler(t, handFixture(), dashboard.Options{})
	got := getCSV(t, h, "/api/people.csv")
	want := [][]string{
		{"person", "name", "expected", "excused", "answered", "answered_pct", "on_time", "on_time_pct", "streak", "median_latency_s", "score"},
		{"ana", "Ana", "2", "0", "2", "100", "2", "100", "2", "1200", "80"}, // median of 10m and 30m
		{"bo", "Bo", "2", "0", "1", "50", "0", "0", "0", "18000", "20"},
		{"cy", `Cy, "the" <lead>`, "0", "2", "0", "", "0", "", "0", "", "50"}, // nothing expected: blank, not 0%
	}
	assert.Equal(t, want, got)

	team := getJSON(t, h, "/api/team.json").Rows[0]
	assert.EqualValues(t, 2, team["held"])
	assert.EqualValues(t, 1, team["held_on_time"])
	assert.EqualValues(t, 50, team["held_on_time_pct"])
	assert.EqualValues(t, 4, team["expected"])
	assert.EqualValues(t, 75, team["answered_pct"])
	assert.EqualValues(t, 50, team["on_time_pct"])
	assert.EqualValues(t, 1800, team["median_latency_s"], "median of 10m, 30m, 5h")

	page := getOK(t, h, "/people")
	assert.Contains(t, page, `Cy, &#34;the&#34; &lt;lead&gt;`, "names are escaped")
	assert.Contains(t, page, `<td data-value="1200" class="num" data-label="Median latency">20m</td>`)
	assert.Contains(t, page, `<td data-value="18000" class="num" data-label="Median latency">5h</td>`)
}

func TestFiltersChangeTheNumbers(t *testing.T) {
	f := smallFixture()
	h := newHandler(t, f, dashboard.Options{})
	all := getJSON(t, h, "/api/team.json").Rows[0]

	t.Run("capability", func(t *testing.T) {
		var want []string
		for _, p := range f.roster.People() {
			if p.HasCapability("release") {
				want = append(want, p.ID)
			}
		}
		require.NotEmpty(t, want)
		people := getJSON(t, h, "/api/people.json?cap=release")
		var got []string
		expected := 0.0
		for _, r := range people.Rows {
			got = append(got, r["person"].(string))
			expected += r["expected"].(float64)
		}
		assert.Equal(t, want, got, "only the people with the capability")
		team := getJSON(t, h, "/api/team.json?cap=release").Rows[0]
		assert.Equal(t, expected, team["expected"], "team figures cover the same people")
		assert.Less(t, team["expected"].(float64), all["expected"].(float64))
	})

	t.Run("ritual", func(t *testing.T) {
		var triage map[string]any
		for _, r := range getJSON(t, h, "/api/rituals.json").Rows {
			if r["ritual"] == "triage" {
				triage = r
			}
		}
		require.NotNil(t, triage)
		rituals := getJSON(t, h, "/api/rituals.json?ritual=triage")
		require.Len(t, rituals.Rows, 1)
		team := getJSON(t, h, "/api/team.json?ritual=triage").Rows[0]
		for _, k := range []string{"occurrences", "missed", "expected", "answered", "on_time", "score"} {
			assert.Equal(t, triage[k], team[k], k)
		}
		assert.NotEqual(t, all["occurrences"], team["occurrences"])
	})

	t.Run("date range", func(t *testing.T) {
		var w07 map[string]any
		for _, r := range getJSON(t, h, "/api/weeks.json").Rows {
			if r["week"] == "2026-W07" {
				w07 = r
			}
		}
		require.NotNil(t, w07)
		weeks := getJSON(t, h, "/api/weeks.json?from=2026-02-09&to=2026-02-15")
		require.Len(t, weeks.Rows, 1)
		assert.Equal(t, w07, weeks.Rows[0])
		team := getJSON(t, h, "/api/team.json?from=2026-02-09&to=2026-02-15").Rows[0]
		assert.Equal(t, w07["on_time"], team["on_time"])
		assert.Equal(t, "2026-02-09", team["from"])
		assert.Equal(t, "2026-02-15", team["to"])
	})

	t.Run("the page shows the filtered figures", func(t *testing.T) {
		page := getOK(t, h, "/people?cap=release")
		rows := pageTable(t, page, "people")[1:]
		assert.Len(t, rows, len(getJSON(t, h, "/api/people.json?cap=release").Rows))
		assert.Contains(t, page, `<option value="release" selected>`)
		assert.Contains(t, page, `href="api/people.csv?cap=release"`, "downloads keep the filters")
	})
}

func TestCSVMatchesTheTableOnThePage(t *testing.T) {
	h := newHandler(t, smallFixture(), dashboard.Options{})
	for _, q := range []string{"", "?cap=ci-cd&ritual=standup", "?from=2026-01-05&to=2026-02-01&sort=median_latency_s&dir=desc"} {
		page := getOK(t, h, "/people"+q)
		assert.Equal(t, getCSV(t, h, "/api/people.csv"+q), pageTable(t, page, "people"), "people%s", q)
		overview := getOK(t, h, "/"+strings.Replace(q, "&sort=median_latency_s&dir=desc", "", 1))
		for _, id := range []string{"rituals", "weeks"} {
			csv := getCSV(t, h, "/api/"+id+".csv"+strings.Replace(q, "&sort=median_latency_s&dir=desc", "", 1))
			shown, dropped := onlyColumns(csv, pageTable(t, overview, id)[0])
			assert.Equal(t, shown, pageTable(t, overview, id), "%s%s", id, q)
			if id == "rituals" {
				assert.Equal(t, []string{"ritual"}, dropped, "the ID repeats the title on screen; the download keeps it")
			} else {
				assert.Empty(t, dropped, id)
			}
		}
	}
	rec := get(t, h, "/api/people.csv?from=2026-01-05&to=2026-02-01")
	assert.Equal(t, "text/csv; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, `attachment; filename="cadence-people-2026-01-05_2026-02-01.csv"`, rec.Header().Get("Content-Disposition"))
}

func TestJSONShape(t *testing.T) {
	h := newHandler(t, handFixture(), dashboard.Options{})
	rec := get(t, h, "/api/people.json")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	body := rec.Body.String()
	assert.True(t, strings.HasPrefix(body, `{"id":"people","title":"Participation per person","columns":[{"key":"person","label":"ID","type":"string"},`), body)
	assert.Contains(t, body, `{"person":"ana","name":"Ana","expected":2,"excused":0,"answered":2,"answered_pct":100,"on_time":2,"on_time_pct":100,"streak":2,"median_latency_s":1200,"score":80}`, "row keys in column order")
	assert.Contains(t, body, `"answered_pct":null`, "no value is null, not 0")

	var doc struct {
		From, To string
		Filter   struct {
			Rituals    []string `json:"rituals"`
			Capability string   `json:"capability"`
			People     []string `json:"people"`
		} `json:"filter"`
		Tables map[string]tableJSON `json:"tables"`
	}
	require.NoError(t, json.Unmarshal([]byte(getOK(t, h, "/api/report.json?cap=ci-cd&ritual=triage")), &doc))
	assert.Equal(t, "2025-12-15", doc.From)
	assert.Equal(t, "2026-03-04", doc.To)
	assert.Equal(t, []string{"triage"}, doc.Filter.Rituals)
	assert.Equal(t, []string{"bo", "cy"}, doc.Filter.People)
	assert.ElementsMatch(t, []string{"team", "weeks", "rituals", "heatmap", "people"}, keys(doc.Tables))
	for name, tb := range doc.Tables {
		assert.Equal(t, name, tb.ID)
		for _, c := range tb.Columns {
			assert.Contains(t, []string{"string", "number"}, c.Type, "%s.%s", name, c.Key)
		}
	}
	assert.Len(t, doc.Tables["heatmap"].Rows, 2, "two weeks with a triage")
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSortOrder(t *testing.T) {
	h := newHandler(t, handFixture(), dashboard.Options{})
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"ana", "bo", "cy"}}, // report (roster) order
		{"?sort=name&dir=desc", []string{"cy", "bo", "ana"}},
		{"?sort=on_time_pct&dir=desc", []string{"ana", "bo", "cy"}}, // blank last
		{"?sort=on_time_pct", []string{"bo", "ana", "cy"}},          // blank last either way
		{"?sort=median_latency_s&dir=desc", []string{"bo", "ana", "cy"}},
		{"?sort=excused&dir=desc", []string{"cy", "ana", "bo"}}, // ties keep report order
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			page := getOK(t, h, "/people"+tt.query)
			rows := pageTable(t, page, "people")[1:]
			var got []string
			for _, r := range rows {
				got = append(got, r[0])
			}
			assert.Equal(t, tt.want, got)
			csv := getCSV(t, h, "/api/people.csv"+tt.query)
			assert.Equal(t, pageTable(t, page, "people"), csv, "the download keeps the order")
		})
	}

	page := getOK(t, h, "/people?sort=streak&dir=desc")
	assert.Contains(t, page, `aria-sort="descending"><a href="?sort=streak">Streak</a>`, "clicking again reverses")
	assert.Contains(t, page, `<a href="?dir=desc&amp;sort=answered">Answered</a>`, "numbers sort highest first on first click")
	assert.Contains(t, page, `<a href="?sort=name">Name</a>`)
	assert.Contains(t, page, `href="api/people.csv?dir=desc&amp;sort=streak"`)
}

func TestBadQueryIsA400NamingTheParameter(t *testing.T) {
	h := newHandler(t, smallFixture(), dashboard.Options{})
	tests := []struct{ query, want string }{
		{"from=2026-13-01", `query parameter "from": "2026-13-01" is not a date in YYYY-MM-DD form`},
		{"to=yesterday", `query parameter "to": "yesterday" is not a date in YYYY-MM-DD form`},
		{"from=2026-03-01&to=2026-02-01", `query parameter "from": 2026-03-01 is after to (2026-02-01)`},
		{"from=2020-01-01", `query parameter "from": the range is longer than 3 years`},
		{"ritual=nope", `query parameter "ritual": no ritual with id "nope"`},
		{"cap=juggling", `query parameter "cap": nobody in the roster has capability "juggling"`},
		{"sort=shoe_size", `query parameter "sort": unknown column "shoe_size" (want one of person, name, expected,`},
		{"dir=up", `query parameter "dir": "up" is not asc or desc`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			api := get(t, h, "/api/people.csv?"+tt.query)
			assert.Equal(t, http.StatusBadRequest, api.Code)
			assert.Contains(t, api.Body.String(), tt.want)
			page := get(t, h, "/people?"+tt.query)
			assert.Equal(t, http.StatusBadRequest, page.Code)
			assert.Contains(t, page.Body.String(), `<p class="error" role="alert">`)
			assert.Contains(t, page.Body.String(), `<form class="filters"`, "the form stays usable")
		})
	}
	assert.Equal(t, http.StatusNotFound, get(t, h, "/api/secrets.csv").Code)
	assert.Equal(t, http.StatusNotFound, get(t, h, "/api/people.xml").Code)
}

func TestReadOnlyAndHeaders(t *testing.T) {
	h := newHandler(t, smallFixture(), dashboard.Options{})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		rec := httptestDo(h, m, "/api/people.csv")
		assert.Equal(t, http.StatusMethodNotAllowed, rec.Code, m)
	}
	rec := get(t, h, "/")
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "default-src 'none'")
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	css := get(t, h, "/assets/style.css")
	assert.Equal(t, http.StatusOK, css.Code)
	assert.Contains(t, css.Header().Get("Content-Type"), "text/css")
	assert.Equal(t, http.StatusOK, get(t, h, "/assets/app.js").Code)
}

func TestTrendPNGEndpoint(t *testing.T) {
	h := newHandler(t, smallFixture(), dashboard.Options{})
	rec := get(t, h, "/api/trend.png?ritual=standup")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "image/png", rec.Header().Get("Content-Type"))
	assert.True(t, strings.HasPrefix(rec.Body.String(), "\x89PNG"))
}

func TestServiceErrorIsA500WithoutDetails(t *testing.T) {
	svc := &failingService{fakeService: smallFixture()}
	h := newHandler(t, svc, dashboard.Options{})
	for _, path := range []string{"/", "/people", "/api/people.json"} {
		rec := get(t, h, path)
		assert.Equal(t, http.StatusInternalServerError, rec.Code, path)
		assert.NotContains(t, rec.Body.String(), "bolt", path)
	}
}

func TestNoDataRendersEmptyStates(t *testing.T) {
	f := smallFixture()
	f.occs = nil
	h := newHandler(t, f, dashboard.Options{})
	page := getOK(t, h, "/")
	assert.Contains(t, page, "No ritual was held in this period")
	assert.Contains(t, getOK(t, h, "/people"), "Nothing for these filters.")
	assert.Equal(t, http.StatusInternalServerError, get(t, h, "/api/trend.png").Code)
}

func TestScoreCardShowsTheEngineScore(t *testing.T) {
	f := handFixture()
	h := newHandler(t, f, dashboard.Options{})
	rep, _ := f.Report(t.Context(), cadence.ReportQuery{From: time.Date(2025, 12, 15, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)})
	page := getOK(t, h, "/")
	want := `<h2>Team score</h2><p class="big">` + strconv.FormatFloat(rep.Team.Score, 'f', 0, 64) + `</p>`
	assert.Contains(t, page, want)
}

func TestHeatmapCellsAddUpToTheRituals(t *testing.T) {
	h := newHandler(t, smallFixture(), dashboard.Options{})
	for _, q := range []string{"", "?cap=observability", "?from=2026-01-01&to=2026-02-10"} {
		sums := map[string]map[string]float64{}
		for _, r := range getJSON(t, h, "/api/heatmap.json"+q).Rows {
			id := r["ritual"].(string)
			if sums[id] == nil {
				sums[id] = map[string]float64{}
			}
			for _, k := range []string{"occurrences", "held_on_time", "missed", "skipped", "expected", "on_time"} {
				sums[id][k] += r[k].(float64)
			}
		}
		rituals := getJSON(t, h, "/api/rituals.json"+q).Rows
		require.Len(t, sums, len(rituals), q)
		for _, r := range rituals {
			for k, v := range sums[r["ritual"].(string)] {
				assert.Equal(t, r[k], v, "%s %s %s", q, r["ritual"], k)
			}
		}
	}
}
