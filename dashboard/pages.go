package dashboard

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// pageData is what every page template gets.
type pageData struct {
	Title        string
	Page         string // "overview", "people" or a section ID, for the nav
	Base         string // relative path to the dashboard root: "" or "../"
	Filter       Filter
	Rituals      []*cadence.Ritual
	Capabilities []string
	Sections     []Section
	Error        string
	Period       string
	Generated    time.Time

	Threshold float64

	Cards []card
	Trend template.HTML
	Heat  *heatmap
	// Pulse is the mood table (pulse.go); nil when no ritual asks a scale.
	Pulse *pulseTable
	// HeatDownloads links the heatmap's long-form table (week, ritual).
	HeatDownloads *tableView
	Tables        []tableView
	Primary       *tableView
}

type card struct {
	Label, Value, Detail string
}

// tableView is a Table with its download links and, when sortable,
// header links that sort it server-side.
type tableView struct {
	*Table
	CSV, JSON string
	Headers   []headerView
	Sortable  bool
}

// Body renders the rows. Built here rather than in the template: a
// 500-person table has thousands of cells, and html/template's
// reflection per cell made the page several times slower. Every value
// goes through html.EscapeString, which is correct for element text and
// double-quoted attributes, the only two places values land. Each cell
// carries its column's label, which a phone shows beside the value when
// rows become cards.
func (v tableView) Body() template.HTML {
	var b strings.Builder
	b.Grow(len(v.Rows) * len(v.Columns) * 72)
	labels := make([]string, len(v.Columns))
	head := -1
	for i, c := range v.Columns {
		labels[i] = html.EscapeString(c.Label)
		// A figures table's first cell is a number: it keeps its label.
		if c.Heading || head < 0 && !c.PageHidden && !c.Numeric {
			head = i
		}
	}
	for _, row := range v.Rows {
		b.WriteString("<tr>")
		for i, c := range row {
			col := v.Columns[i]
			if col.PageHidden {
				continue
			}
			b.WriteString(`<td data-value="`)
			b.WriteString(html.EscapeString(c.Raw()))
			b.WriteByte('"')
			if class := cellClass(col, c, i == head); class != "" {
				b.WriteString(` class="`)
				b.WriteString(html.EscapeString(class))
				b.WriteByte('"')
			}
			b.WriteString(` data-label="`)
			b.WriteString(labels[i])
			b.WriteString(`">`)
			if href, text, ok := linkOf(c, col); ok {
				b.WriteString(`<a href="`)
				b.WriteString(html.EscapeString(href))
				b.WriteString(`" rel="noopener noreferrer">`)
				b.WriteString(html.EscapeString(text))
				b.WriteString("</a>")
			} else {
				b.WriteString(html.EscapeString(c.Display()))
			}
			b.WriteString("</td>")
		}
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String())
}

// longText is where a text cell starts wrapping: shorter values (IDs,
// dates, names) stay on one line, a sentence-long title wraps instead of
// pushing the table off the screen.
const longText = 32

func cellClass(col Column, c Cell, head bool) string {
	var cls []string
	if col.Numeric {
		cls = append(cls, "num")
	} else if len(c.Display()) > longText {
		cls = append(cls, "long")
	}
	if head {
		cls = append(cls, "head")
	}
	if c.Mark != "" {
		cls = append(cls, c.Mark)
	}
	return strings.Join(cls, " ")
}

// linkOf shows an http(s) URL as its host, the rest in the link's
// target; anything else (a ticket number, javascript:) stays text.
func linkOf(c Cell, col Column) (href, text string, ok bool) {
	s, isString := c.Value.(string)
	if !col.Link || !isString {
		return "", "", false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", false
	}
	text = strings.TrimPrefix(u.Host, "www.")
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		text += "/…"
	}
	return u.String(), text, true
}

type headerView struct {
	Column
	Href     string
	AriaSort string // "ascending", "descending" or ""
}

func (s *Server) basePage(r *http.Request, f Filter, page, title, base string) *pageData {
	return &pageData{
		Title:        title,
		Page:         page,
		Base:         base,
		Filter:       f,
		Rituals:      s.svc.Rituals(),
		Capabilities: capabilities(s.svc.Roster()),
		Sections:     s.opts.Sections,
		Generated:    s.clock.Now().UTC(),
		Period:       f.From.Format("2 Jan 2006") + " – " + f.LastDay().Format("2 Jan 2006"),
	}
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	f, rep, err := s.load(r, false) // no person on the page
	d := s.basePage(r, f, "overview", "Overview", "")
	if err != nil {
		s.failPage(w, r, d, err)
		return
	}
	t := rep.Team
	d.Cards = []card{
		{"Team score", scoreCell(t.Occurrences, t.Score).Display(), "of 100"},
		{"Held on time", pctText(pct(t.HeldOnTime, t.Occurrences-t.Skipped)), countOf(t.HeldOnTime, t.Occurrences-t.Skipped, "occurrences")},
		{"Answered", pctText(pct(t.Answered, t.Expected)), countOf(t.Answered, t.Expected, "expected answers")},
		{"On time", pctText(pct(t.AnsweredOnTime, t.Expected)), countOf(t.AnsweredOnTime, t.Expected, "expected answers")},
		{"Median latency", latencyCell(t.Answered, t.MedianLatency).Display(), "prompt to answer"},
	}
	pts := trendPoints(rep.Weeks, rep.From, rep.To)
	end := rep.To
	if now := s.clock.Now().UTC(); now.Before(end) {
		end = now
	}
	markPartial(pts, rep.From, end)
	d.Trend = trendCharts(pts, s.opts.Threshold)
	d.Threshold = s.opts.Threshold
	d.Heat = buildHeatmap(rep)
	d.Pulse = buildPulse(rep, s.svc.Rituals())
	for _, tb := range []*Table{ritualsTable(rep), weeksTable(rep)} {
		d.Tables = append(d.Tables, s.view(tb, f, "api/", false))
	}
	heat := s.view(d.Heat.table(), f, "api/", false)
	d.HeatDownloads = &heat
	s.render(w, r, http.StatusOK, "overview", d)
}

func (s *Server) people(w http.ResponseWriter, r *http.Request) {
	f, rep, err := s.load(r, true)
	d := s.basePage(r, f, "people", "People", "")
	d.Threshold = s.opts.Threshold
	if err == nil {
		t := peopleTable(rep, s.opts.Threshold)
		if err = sortTable(t, f); err == nil {
			v := s.view(t, f, "api/", true)
			d.Primary = &v
		}
	}
	if err != nil {
		s.failPage(w, r, d, err)
		return
	}
	s.render(w, r, http.StatusOK, "people", d)
}

func (s *Server) sectionPage(w http.ResponseWriter, r *http.Request) {
	sec := s.section(r.PathValue("section"))
	if sec == nil {
		http.NotFound(w, r)
		return
	}
	f, err := ParseFilter(r.URL.Query(), s.clock.Now(), s.svc.Rituals(), s.svc.Roster())
	d := s.basePage(r, f, sec.ID(), sec.Title(), "../")
	if err != nil {
		s.failPage(w, r, d, err)
		return
	}
	tables, err := sec.Tables(r.Context(), f.Query())
	if err != nil {
		s.failPage(w, r, d, err)
		return
	}
	for _, t := range tables {
		d.Tables = append(d.Tables, s.view(t, f, "../api/s/"+sec.ID()+"/", false))
	}
	s.render(w, r, http.StatusOK, "section", d)
}

// failPage shows the filter form with the error, so a bad parameter can
// be corrected in place.
func (s *Server) failPage(w http.ResponseWriter, r *http.Request, d *pageData, err error) {
	code := status(err)
	d.Error = err.Error()
	if code >= 500 {
		s.log.Error().Err(err).Str("path", r.URL.Path).Msg("dashboard page failed")
		d.Error = "The dashboard could not be built; the bot's log has the details."
	}
	s.render(w, r, code, "error", d)
}

func sortTable(t *Table, f Filter) error {
	if f.Sort == "" {
		return nil
	}
	if err := t.SortBy(f.Sort, f.Desc); err != nil {
		return &FilterError{"sort", err.Error()}
	}
	return nil
}

// view adds download links (under apiDir, e.g. "../api/s/followups/") and sort
// links. The downloads carry the same filters and order as the page.
func (s *Server) view(t *Table, f Filter, apiDir string, sortable bool) tableView {
	q := f.Values()
	if !sortable {
		q.Del("sort")
		q.Del("dir")
	}
	v := tableView{
		Table:    t,
		CSV:      withQuery(apiDir+t.ID+".csv", q),
		JSON:     withQuery(apiDir+t.ID+".json", q),
		Sortable: sortable,
	}
	for _, c := range t.Columns {
		if c.PageHidden {
			continue
		}
		h := headerView{Column: c}
		if sortable {
			desc := c.Numeric // numbers first click: highest first
			if f.Sort == c.Key {
				desc = !f.Desc
				h.AriaSort = "ascending"
				if f.Desc {
					h.AriaSort = "descending"
				}
			}
			sq := f.Values()
			sq.Set("sort", c.Key)
			sq.Del("dir")
			if desc {
				sq.Set("dir", "desc")
			}
			h.Href = withQuery("", sq)
		}
		v.Headers = append(v.Headers, h)
	}
	return v
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		if path == "" {
			return "?"
		}
		return path
	}
	return path + "?" + q.Encode()
}

func countOf(n, d int, what string) string {
	if d == 0 {
		return "no " + what
	}
	return fmt.Sprintf("%d of %d %s", n, d, what)
}

// Nav is a link to another page of the dashboard keeping the filters
// (but not the sort, which belongs to one table).
func (d *pageData) Nav(page string) string {
	q := d.Filter.Values()
	q.Del("sort")
	q.Del("dir")
	path := d.Base + page
	if path == "" {
		path = "./"
	}
	return withQuery(path, q)
}

// RitualSelected reports whether the ritual filter includes id.
func (d *pageData) RitualSelected(id string) bool { return slices.Contains(d.Filter.RitualIDs, id) }

type presetLink struct {
	Label, Href string
	Current     bool
}

// Presets are links to the last 4, 13 and 52 ISO weeks with the other
// filters kept.
func (d *pageData) Presets() []presetLink {
	var out []presetLink
	for _, p := range Presets {
		q := d.Filter.Values()
		q.Del("from")
		q.Del("to")
		q.Set("weeks", strconv.Itoa(p.Weeks))
		out = append(out, presetLink{p.Label, withQuery("", q), d.Filter.Weeks == p.Weeks})
	}
	return out
}
