package dashboard_test

import (
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
)

func smallFixture() *fakeService {
	return newFixture(fixtureSpec{people: 9, rituals: 3, weeks: 14, seed: 1})
}

func newHandler(t testing.TB, svc cadence.Service, opts dashboard.Options) http.Handler {
	t.Helper()
	if opts.Token == "" && opts.BasicUser == "" {
		opts.Loopback = true
	}
	return dashboard.New(svc, cadence.NewManualClock(fixtureNow), opts).Handler()
}

func get(t testing.TB, h http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func getOK(t testing.TB, h http.Handler, target string) string {
	t.Helper()
	rec := get(t, h, target)
	require.Equal(t, http.StatusOK, rec.Code, "GET %s: %s", target, rec.Body.String())
	return rec.Body.String()
}

// tableJSON mirrors the documented shape of a table download.
type tableJSON struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Columns []struct {
		Key   string `json:"key"`
		Label string `json:"label"`
		Type  string `json:"type"`
	} `json:"columns"`
	Rows []map[string]any `json:"rows"`
}

func getJSON(t testing.TB, h http.Handler, target string, hdr ...string) tableJSON {
	t.Helper()
	rec := get(t, h, target, hdr...)
	require.Equal(t, http.StatusOK, rec.Code, "GET %s: %s", target, rec.Body.String())
	var tj tableJSON
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &tj), target)
	return tj
}

func getCSV(t testing.TB, h http.Handler, target string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(getOK(t, h, target))).ReadAll()
	require.NoError(t, err, target)
	return recs
}

var (
	tableRe = regexp.MustCompile(`(?s)<table class="data[^"]*" data-table="([^"]+)">(.*?)</table>`)
	thRe    = regexp.MustCompile(`<th scope="col" data-key="([^"]+)"`)
	rowRe   = regexp.MustCompile(`(?s)<tr>(<td.*?)</tr>`)
	tdRe    = regexp.MustCompile(`<td data-value="([^"]*)"`)
)

// pageTable extracts a rendered table as CSV would hold it: the column
// keys, then each row's data-value attributes.
func pageTable(t testing.TB, page, id string) [][]string {
	t.Helper()
	for _, m := range tableRe.FindAllStringSubmatch(page, -1) {
		if m[1] != id {
			continue
		}
		var out [][]string
		var head []string
		for _, h := range thRe.FindAllStringSubmatch(m[2], -1) {
			head = append(head, h[1])
		}
		out = append(out, head)
		for _, r := range rowRe.FindAllStringSubmatch(m[2], -1) {
			var row []string
			for _, c := range tdRe.FindAllStringSubmatch(r[1], -1) {
				row = append(row, html.UnescapeString(c[1]))
			}
			out = append(out, row)
		}
		return out
	}
	t.Fatalf("no table %q in page", id)
	return nil
}

// onlyColumns keeps the CSV columns the page shows, in the CSV's order,
// and names the ones it dropped.
func onlyColumns(recs [][]string, keys []string) (shown [][]string, dropped []string) {
	var keep []int
	for i, k := range recs[0] {
		if slices.Contains(keys, k) {
			keep = append(keep, i)
		} else {
			dropped = append(dropped, k)
		}
	}
	for _, r := range recs {
		var row []string
		for _, i := range keep {
			row = append(row, r[i])
		}
		shown = append(shown, row)
	}
	return shown, dropped
}
