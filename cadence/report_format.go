package cadence

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ReportFormats are the formats WriteReport knows.
var ReportFormats = []string{"text", "md", "csv", "json"}

// ScoreFormula is the adherence formula in words, printed under reports.
const ScoreFormula = "score = 100 × (0.4 × answered/expected + 0.4 × answered on time/expected + 0.2 × held on time/(occurrences − skipped)); " +
	"skipped occurrences and excused people are left out; a term with nothing to count is dropped and the weights renormalised"

// WriteReport renders r as text (aligned tables for a terminal), md
// (Markdown for a wiki), csv (one row per team, ritual, person, week and
// occurrence) or json.
func WriteReport(w io.Writer, r *Report, format string) error {
	switch format {
	case "text", "":
		return writeReportText(w, r)
	case "md", "markdown":
		return writeReportMarkdown(w, r)
	case "csv":
		return writeReportCSV(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(reportJSON(r))
	}
	return fmt.Errorf("unknown report format %q: want %s", format, strings.Join(ReportFormats, ", "))
}

// reportPeriod names the period in the zone the query was made in (the
// team's, from the CLI), with the last day inclusive: a period ending at
// midnight ends on the day before.
func reportPeriod(r *Report) string {
	from, to := "the beginning", "now"
	if !r.From.IsZero() {
		from = r.From.Format("2006-01-02")
	}
	if !r.To.IsZero() {
		last := r.To
		if h, m, s := last.Clock(); h == 0 && m == 0 && s == 0 && last.Nanosecond() == 0 {
			last = last.Add(-time.Nanosecond)
		}
		to = last.Format("2006-01-02")
	}
	return fmt.Sprintf("%s to %s", from, to)
}

func pct(n, d int) string {
	if d == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(n)/float64(d), 'f', 0, 64) + "%"
}

func score(s float64) string { return strconv.FormatFloat(s, 'f', 1, 64) }

func latency(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return FormatDuration(d)
}

// tallyCells are the columns shared by every table.
var tallyHeader = []string{"score", "occurrences", "held on time", "missed", "skipped", "expected", "answered", "on time", "excused", "median latency"}

func tallyCells(t Tally) []string {
	return []string{
		score(t.Score),
		strconv.Itoa(t.Occurrences),
		fmt.Sprintf("%d/%d", t.HeldOnTime, t.Occurrences-t.Skipped),
		strconv.Itoa(t.Missed),
		strconv.Itoa(t.Skipped),
		strconv.Itoa(t.Expected),
		fmt.Sprintf("%d (%s)", t.Answered, pct(t.Answered, t.Expected)),
		fmt.Sprintf("%d (%s)", t.AnsweredOnTime, pct(t.AnsweredOnTime, t.Expected)),
		strconv.Itoa(t.Excused),
		latency(t.MedianLatency),
	}
}

type table struct {
	title  string
	header []string
	rows   [][]string
}

// reportTables lays the report out once for both text and Markdown.
func reportTables(r *Report) []table {
	rit := table{title: "Rituals", header: append([]string{"ritual"}, tallyHeader...)}
	for _, x := range r.Rituals {
		rit.rows = append(rit.rows, append([]string{x.Title}, tallyCells(x.Tally)...))
	}
	ppl := table{title: "People", header: append([]string{"person"}, append(tallyHeader, "streak")...)}
	for _, x := range r.People {
		ppl.rows = append(ppl.rows, append(append([]string{x.Name}, tallyCells(x.Tally)...), strconv.Itoa(x.Streak)))
	}
	wk := table{title: "Weeks", header: append([]string{"week"}, tallyHeader...)}
	for _, x := range r.Weeks {
		wk.rows = append(wk.rows, append([]string{x.Week}, tallyCells(x.Tally)...))
	}
	occ := table{title: "Occurrences", header: []string{"occurrence", "status", "opened", "expected", "answered", "on time", "excused", "median latency", "did not answer"}}
	for _, x := range r.Occurrences {
		opened := "-"
		if x.Status == StatusOpen || x.Status == StatusClosed {
			opened = "on time"
			if x.Late {
				opened = "late " + FormatDuration(x.OpenDelay)
			}
		}
		occ.rows = append(occ.rows, []string{
			x.OccurrenceID, string(x.Status), opened, strconv.Itoa(x.Expected), strconv.Itoa(x.Answered),
			strconv.Itoa(x.AnsweredOnTime), strconv.Itoa(x.Excused), latency(x.MedianLatency), strings.Join(x.Missing, " "),
		})
	}
	return []table{rit, ppl, wk, occ}
}

func teamLine(t Tally) string {
	return fmt.Sprintf("Team score %s: %d occurrences (%d held, %d on time, %d missed, %d skipped); %d of %d prompts answered, %d on time; median latency %s.",
		score(t.Score), t.Occurrences, t.Held, t.HeldOnTime, t.Missed, t.Skipped, t.Answered, t.Expected, t.AnsweredOnTime, latency(t.MedianLatency))
}

func writeReportText(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	ew.printf("Adherence from %s (generated %s)\n\n", reportPeriod(r), r.GeneratedAt.UTC().Format("2006-01-02 15:04 MST"))
	ew.printf("%s\n", teamLine(r.Team))
	for _, t := range reportTables(r) {
		if len(t.rows) == 0 {
			continue
		}
		ew.printf("\n%s\n", strings.ToUpper(t.title))
		widths := make([]int, len(t.header))
		for i, h := range t.header {
			widths[i] = utf8.RuneCountInString(h)
		}
		for _, row := range t.rows {
			for i, c := range row {
				row[i] = TerminalSafe(c) // names and titles: no control reaches the terminal
				widths[i] = max(widths[i], utf8.RuneCountInString(row[i]))
			}
		}
		line := func(cells []string) {
			var b strings.Builder
			for i, c := range cells {
				pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
				if i > 0 {
					b.WriteString("  ")
				}
				if i == 0 || i == len(cells)-1 && t.title == "Occurrences" {
					b.WriteString(c + pad) // names left, figures right
				} else {
					b.WriteString(pad + c)
				}
			}
			ew.printf("%s\n", strings.TrimRight(b.String(), " "))
		}
		line(t.header)
		for _, row := range t.rows {
			line(row)
		}
	}
	ew.printf("\n%s\n", ScoreFormula)
	return ew.err
}

func writeReportMarkdown(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	ew.printf("# Adherence from %s\n\n", reportPeriod(r))
	ew.printf("%s\n\n_Generated %s._\n", teamLine(r.Team), r.GeneratedAt.UTC().Format("2006-01-02 15:04 MST"))
	esc := strings.NewReplacer("|", `\|`, "\n", " ")
	for _, t := range reportTables(r) {
		if len(t.rows) == 0 {
			continue
		}
		ew.printf("\n## %s\n\n|", t.title)
		for _, h := range t.header {
			ew.printf(" %s |", h)
		}
		ew.printf("\n|")
		for i := range t.header {
			if i == 0 || i == len(t.header)-1 && t.title == "Occurrences" {
				ew.printf(" :--- |")
			} else {
				ew.printf(" ---: |")
			}
		}
		ew.printf("\n")
		for _, row := range t.rows {
			ew.printf("|")
			for _, c := range row {
				ew.printf(" %s |", esc.Replace(c))
			}
			ew.printf("\n")
		}
	}
	ew.printf("\n> %s\n", ScoreFormula)
	return ew.err
}

var csvHeader = []string{
	"scope", "id", "name", "scheduled", "status", "late", "open_delay_s",
	"occurrences", "held", "held_on_time", "missed", "skipped",
	"expected", "excused", "answered", "answered_on_time", "median_latency_s", "score", "streak", "did_not_answer",
}

func csvTally(t Tally) []string {
	return []string{
		strconv.Itoa(t.Occurrences), strconv.Itoa(t.Held), strconv.Itoa(t.HeldOnTime), strconv.Itoa(t.Missed), strconv.Itoa(t.Skipped),
		strconv.Itoa(t.Expected), strconv.Itoa(t.Excused), strconv.Itoa(t.Answered), strconv.Itoa(t.AnsweredOnTime),
		strconv.FormatInt(int64(t.MedianLatency/time.Second), 10), score(t.Score),
	}
}

func writeReportCSV(w io.Writer, r *Report) error {
	cw := NewCSVWriter(w)
	row := func(scope, id, name, scheduled, status, late, delay string, t Tally, streak, missing string) {
		rec := append([]string{scope, id, name, scheduled, status, late, delay}, csvTally(t)...)
		_ = cw.Write(append(rec, streak, missing))
	}
	_ = cw.Write(csvHeader)
	row("team", "", "", "", "", "", "", r.Team, "", "")
	for _, x := range r.Rituals {
		row("ritual", x.RitualID, x.Title, "", "", "", "", x.Tally, "", "")
	}
	for _, x := range r.People {
		row("person", x.PersonID, x.Name, "", "", "", "", x.Tally, strconv.Itoa(x.Streak), "")
	}
	for _, x := range r.Weeks {
		row("week", x.Week, "", x.Start.UTC().Format(time.RFC3339), "", "", "", x.Tally, "", "")
	}
	for _, x := range r.Occurrences {
		row("occurrence", x.OccurrenceID, x.RitualID, x.Scheduled.UTC().Format(time.RFC3339), string(x.Status),
			strconv.FormatBool(x.Late), strconv.FormatInt(int64(x.OpenDelay/time.Second), 10), x.Tally, "", strings.Join(x.Missing, " "))
	}
	cw.Flush()
	return cw.Error()
}

// JSON shapes: snake_case, durations in seconds, for the HTTP API.
type tallyJSON struct {
	Occurrences    int     `json:"occurrences"`
	Held           int     `json:"held"`
	HeldOnTime     int     `json:"held_on_time"`
	Missed         int     `json:"missed"`
	Skipped        int     `json:"skipped"`
	Expected       int     `json:"expected"`
	Excused        int     `json:"excused"`
	Answered       int     `json:"answered"`
	AnsweredOnTime int     `json:"answered_on_time"`
	MedianLatencyS float64 `json:"median_latency_seconds"`
	Score          float64 `json:"score"`
}

func toTallyJSON(t Tally) tallyJSON {
	return tallyJSON{
		Occurrences: t.Occurrences, Held: t.Held, HeldOnTime: t.HeldOnTime, Missed: t.Missed, Skipped: t.Skipped,
		Expected: t.Expected, Excused: t.Excused, Answered: t.Answered, AnsweredOnTime: t.AnsweredOnTime,
		MedianLatencyS: t.MedianLatency.Seconds(), Score: t.Score,
	}
}

type ritualJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	tallyJSON
}

type personJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Streak int    `json:"streak"`
	tallyJSON
}

type weekJSON struct {
	Week  string    `json:"week"`
	Start time.Time `json:"start"`
	tallyJSON
}

type occurrenceJSON struct {
	ID           string    `json:"id"`
	RitualID     string    `json:"ritual_id"`
	Scheduled    time.Time `json:"scheduled"`
	Status       Status    `json:"status"`
	Late         bool      `json:"late"`
	OpenDelayS   float64   `json:"open_delay_seconds"`
	DidNotAnswer []string  `json:"did_not_answer"`
	tallyJSON
}

type reportJSONDoc struct {
	From        *time.Time       `json:"from,omitempty"`
	To          *time.Time       `json:"to,omitempty"`
	GeneratedAt time.Time        `json:"generated_at"`
	Formula     string           `json:"formula"`
	Team        tallyJSON        `json:"team"`
	Rituals     []ritualJSON     `json:"rituals"`
	People      []personJSON     `json:"people"`
	Weeks       []weekJSON       `json:"weeks"`
	Occurrences []occurrenceJSON `json:"occurrences"`
}

func reportJSON(r *Report) *reportJSONDoc {
	doc := &reportJSONDoc{
		GeneratedAt: r.GeneratedAt.UTC(), Formula: ScoreFormula, Team: toTallyJSON(r.Team),
		Rituals: []ritualJSON{}, People: []personJSON{}, Weeks: []weekJSON{}, Occurrences: []occurrenceJSON{},
	}
	if !r.From.IsZero() {
		f := r.From.UTC()
		doc.From = &f
	}
	if !r.To.IsZero() {
		t := r.To.UTC()
		doc.To = &t
	}
	for _, x := range r.Rituals {
		doc.Rituals = append(doc.Rituals, ritualJSON{ID: x.RitualID, Title: x.Title, tallyJSON: toTallyJSON(x.Tally)})
	}
	for _, x := range r.People {
		doc.People = append(doc.People, personJSON{ID: x.PersonID, Name: x.Name, Streak: x.Streak, tallyJSON: toTallyJSON(x.Tally)})
	}
	for _, x := range r.Weeks {
		doc.Weeks = append(doc.Weeks, weekJSON{Week: x.Week, Start: x.Start.UTC(), tallyJSON: toTallyJSON(x.Tally)})
	}
	for _, x := range r.Occurrences {
		missing := x.Missing
		if missing == nil {
			missing = []string{}
		}
		doc.Occurrences = append(doc.Occurrences, occurrenceJSON{
			ID: x.OccurrenceID, RitualID: x.RitualID, Scheduled: x.Scheduled.UTC(), Status: x.Status, Late: x.Late,
			OpenDelayS: x.OpenDelay.Seconds(), DidNotAnswer: missing, tallyJSON: toTallyJSON(x.Tally),
		})
	}
	return doc
}

// errWriter keeps the first write error so formatting code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
