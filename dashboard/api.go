package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// builtinTables are the API names of the tables every report yields.
var builtinTables = []string{"team", "weeks", "rituals", "heatmap", "people"}

// builtinTable builds a table every report yields, by API name, or nil.
func (s *Server) builtinTable(name string, r *cadence.Report) *Table {
	switch name {
	case "team":
		return teamTable(r)
	case "weeks":
		return weeksTable(r)
	case "rituals":
		return ritualsTable(r)
	case "heatmap":
		return buildHeatmap(r).table()
	case "people":
		return peopleTable(r, s.opts.Threshold)
	}
	return nil
}

// splitFile turns "people.csv" into ("people", "csv").
func splitFile(file string) (name, ext string, ok bool) {
	name, ext, ok = strings.Cut(file, ".")
	return name, ext, ok && (ext == "csv" || ext == "json")
}

func (s *Server) apiTable(w http.ResponseWriter, r *http.Request) {
	name, ext, ok := splitFile(r.PathValue("file"))
	if !ok || !slices.Contains(builtinTables, name) {
		http.Error(w, fmt.Sprintf("no table %q: want team, weeks, rituals, heatmap or people, as .csv or .json", r.PathValue("file")), http.StatusNotFound)
		return
	}
	f, rep, err := s.load(r, name == "people")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.builtinTable(name, rep)
	if err := sortTable(t, f); err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeTable(w, r, t, ext, f)
}

func (s *Server) apiSectionTable(w http.ResponseWriter, r *http.Request) {
	sec := s.section(r.PathValue("section"))
	name, ext, ok := splitFile(r.PathValue("file"))
	if sec == nil || !ok {
		http.NotFound(w, r)
		return
	}
	f, err := ParseFilter(r.URL.Query(), s.clock.Now(), s.svc.Rituals(), s.svc.Roster())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tables, err := sec.Tables(r.Context(), f.Query())
	if err != nil {
		s.fail(w, r, fmt.Errorf("section %s: %w", sec.ID(), err))
		return
	}
	for _, t := range tables {
		if t.ID == name {
			if err := sortTable(t, f); err != nil {
				s.fail(w, r, err)
				return
			}
			s.writeTable(w, r, t, ext, f)
			return
		}
	}
	http.Error(w, fmt.Sprintf("section %s has no table %q", sec.ID(), name), http.StatusNotFound)
}

func (s *Server) writeTable(w http.ResponseWriter, r *http.Request, t *Table, ext string, f Filter) {
	var buf bytes.Buffer
	var err error
	if ext == "csv" {
		err = t.WriteCSV(&buf)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="cadence-%s-%s_%s.csv"`,
			t.ID, f.From.Format(dateLayout), f.LastDay().Format(dateLayout)))
	} else {
		err = json.NewEncoder(&buf).Encode(t)
		w.Header().Set("Content-Type", "application/json")
	}
	if err != nil {
		w.Header().Del("Content-Disposition")
		s.fail(w, r, fmt.Errorf("encoding table %s: %w", t.ID, err))
		return
	}
	_, _ = buf.WriteTo(w)
}

// reportDoc is /api/report.json: every built-in table for one filter,
// the whole dashboard in one request.
type reportDoc struct {
	From        string            `json:"from"`
	To          string            `json:"to"` // inclusive
	GeneratedAt time.Time         `json:"generated_at"`
	Filter      filterDoc         `json:"filter"`
	Tables      map[string]*Table `json:"tables"`
}

type filterDoc struct {
	Rituals    []string `json:"rituals"`
	Capability string   `json:"capability,omitempty"`
	People     []string `json:"people"`
}

func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) {
	f, rep, err := s.load(r, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	doc := reportDoc{
		From:        f.From.Format(dateLayout),
		To:          f.LastDay().Format(dateLayout),
		GeneratedAt: rep.GeneratedAt.UTC(),
		Filter:      filterDoc{Rituals: nonNil(f.RitualIDs), Capability: f.Capability, People: nonNil(f.PersonIDs)},
		Tables:      make(map[string]*Table, len(builtinTables)),
	}
	for _, name := range builtinTables {
		doc.Tables[name] = s.builtinTable(name, rep)
	}
	if err := sortTable(doc.Tables["people"], f); err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(doc); err != nil {
		s.fail(w, r, fmt.Errorf("encoding report: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = buf.WriteTo(w)
}

func (s *Server) apiTrendPNG(w http.ResponseWriter, r *http.Request) {
	_, rep, err := s.load(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	png, err := ChartPNG(rep.Weeks)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(png)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
