package dashboard

import (
	"fmt"
	"math"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// The mood table crosses ISO weeks (rows) with the 1–5 scale questions
// of the rituals (columns), like the heatmap: a cell is the week's mean
// answer among the people and rituals filtered, shaded from 1 (light)
// to 5 (dark), its title the median, the count per point and the number
// of answers. Weeks without any answer are left out; a question nobody
// answered that week is an empty cell.

type pulseTable struct {
	Columns []pulseColumn
	Rows    []pulseRow
}

type pulseColumn struct{ Ritual, Question string }

type pulseRow struct {
	Week  string
	Cells []heatCell // Class, Text and Title only
}

// Year and WeekOnly split "2026-W48" so a phone can drop the year.
func (r pulseRow) Year() string     { return r.Week[:4] }
func (r pulseRow) WeekOnly() string { return r.Week[5:] }

func buildPulse(rep *cadence.Report, rituals []*cadence.Ritual) *pulseTable {
	if len(rep.Pulse) == 0 {
		return nil
	}
	titles := map[string]string{}
	for _, r := range rituals {
		titles[r.ID] = r.Title
	}
	t := &pulseTable{}
	col := map[string]int{}
	row := map[string]int{}
	for _, p := range rep.Pulse {
		if _, ok := col[p.Series()]; !ok {
			col[p.Series()] = len(t.Columns)
			t.Columns = append(t.Columns, pulseColumn{Ritual: cmpOr(titles[p.RitualID], p.RitualID), Question: p.Question})
		}
	}
	for _, p := range rep.Pulse {
		i, ok := row[p.Week]
		if !ok {
			i = len(t.Rows)
			row[p.Week] = i
			t.Rows = append(t.Rows, pulseRow{Week: p.Week, Cells: make([]heatCell, len(t.Columns))})
		}
		var counts []string
		for v, n := range p.Counts {
			counts = append(counts, fmt.Sprintf("%d: %d", v+cadence.ScaleMin, n))
		}
		t.Rows[i].Cells[col[p.Series()]] = heatCell{
			// 1 → h0 … 5 → h10: the heatmap's palette, darker is higher.
			Class: fmt.Sprintf("h%d", int(math.Round((p.Mean-cadence.ScaleMin)/(cadence.ScaleMax-cadence.ScaleMin)*10))),
			Text:  p.MeanText(),
			Title: fmt.Sprintf("%s %s: mean %s, median %s, %d answers (%s)", p.Week, p.Question, p.MeanText(),
				fmtFloat(p.Median), p.Answers, strings.Join(counts, ", ")),
		}
	}
	return t
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func fmtFloat(f float64) string { return fmt.Sprintf("%g", math.Round(f*10)/10) }
