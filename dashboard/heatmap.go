package dashboard

import (
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// The heatmap crosses ISO weeks (rows, so it reads down a phone screen)
// with rituals (columns). A cell is the share of expected answers given
// on time that week, summed over the ritual's occurrences; the score
// formula is the engine's and stays on the team and ritual rollups.

type heatmap struct {
	Rituals []heatRitual
	Rows    []heatRow
}

type heatRitual struct{ ID, Title string }

type heatRow struct {
	Week  string
	Start time.Time
	Cells []heatCell
}

// Year and WeekOnly split "2026-W48" so a phone can drop the year.
func (r heatRow) Year() string     { return r.Week[:4] }
func (r heatRow) WeekOnly() string { return r.Week[5:] }

type heatCell struct {
	Occurrences, Held, HeldOnTime, Missed, Skipped int
	Expected, Answered, AnsweredOnTime             int
	Class, Text, Title                             string
}

func buildHeatmap(r *cadence.Report) *heatmap {
	h := &heatmap{}
	col := map[string]int{}
	addRitual := func(id, title string) int {
		if i, ok := col[id]; ok {
			return i
		}
		if title == "" {
			title = id
		}
		col[id] = len(h.Rituals)
		h.Rituals = append(h.Rituals, heatRitual{id, title})
		return col[id]
	}
	for _, ra := range r.Rituals {
		addRitual(ra.RitualID, ra.Title)
	}
	for _, o := range r.Occurrences {
		addRitual(o.RitualID, "")
	}

	row := map[string]int{}
	for _, w := range weeksIn(r.From, r.To) {
		row[weekLabel(w)] = len(h.Rows)
		h.Rows = append(h.Rows, heatRow{Week: weekLabel(w), Start: w})
	}
	for i := range h.Rows {
		h.Rows[i].Cells = make([]heatCell, len(h.Rituals))
	}
	for _, o := range r.Occurrences {
		wl := weekLabel(o.Scheduled)
		ri, ok := row[wl]
		if !ok { // outside the range the report claims; show it anyway
			ri = len(h.Rows)
			row[wl] = ri
			h.Rows = append(h.Rows, heatRow{Week: wl, Start: weekStart(o.Scheduled), Cells: make([]heatCell, len(h.Rituals))})
		}
		c := &h.Rows[ri].Cells[col[o.RitualID]]
		c.Occurrences += o.Occurrences
		c.Held += o.Held
		c.HeldOnTime += o.HeldOnTime
		c.Missed += o.Missed
		c.Skipped += o.Skipped
		c.Expected += o.Expected
		c.Answered += o.Answered
		c.AnsweredOnTime += o.AnsweredOnTime
	}
	for i := range h.Rows {
		for j := range h.Rows[i].Cells {
			h.Rows[i].Cells[j].describe(h.Rows[i].Week, h.Rituals[j].Title)
		}
	}
	return h
}

func (c *heatCell) describe(week, ritual string) {
	switch {
	case c.Occurrences == 0:
		c.Class, c.Text, c.Title = "h-none", "", fmt.Sprintf("%s · %s: not scheduled", week, ritual)
		return
	case c.Expected == 0 && c.Missed > 0:
		c.Class, c.Text = "h-missed", "missed"
	case c.Expected == 0 && c.Skipped == c.Occurrences:
		c.Class, c.Text = "h-skip", "skipped"
	case c.Expected == 0:
		c.Class, c.Text = "h-none", "—"
	default:
		rate := 100 * float64(c.AnsweredOnTime) / float64(c.Expected)
		c.Class = fmt.Sprintf("h%d", min(int(rate/10), 10))
		c.Text = fmt.Sprintf("%.0f", rate)
	}
	if c.HeldOnTime < c.Held || c.Missed > 0 {
		c.Class += " h-late"
	}
	c.Title = fmt.Sprintf("%s · %s: %d of %d answers on time; held on time %d of %d (%d missed, %d skipped)",
		week, ritual, c.AnsweredOnTime, c.Expected, c.HeldOnTime, c.Occurrences-c.Skipped, c.Missed, c.Skipped)
}

// table is the heatmap in long form: one row per (week, ritual) that had
// an occurrence.
func (h *heatmap) table() *Table {
	t := &Table{
		ID:    "heatmap",
		Title: "On-time answers per week and ritual",
		Columns: []Column{
			{Key: "week", Label: "Week"},
			{Key: "ritual", Label: "Ritual"},
			{Key: "occurrences", Label: "Occurrences", Numeric: true},
			{Key: "held_on_time", Label: "Held on time", Numeric: true},
			{Key: "missed", Label: "Missed", Numeric: true},
			{Key: "skipped", Label: "Skipped", Numeric: true},
			{Key: "expected", Label: "Expected", Numeric: true},
			{Key: "on_time", Label: "On time", Numeric: true},
			{Key: "on_time_pct", Label: "On time %", Numeric: true},
		},
	}
	for _, row := range h.Rows {
		for j, c := range row.Cells {
			if c.Occurrences == 0 {
				continue
			}
			t.Rows = append(t.Rows, []Cell{
				textCell(row.Week), textCell(h.Rituals[j].ID),
				intCell(c.Occurrences), intCell(c.HeldOnTime), intCell(c.Missed), intCell(c.Skipped),
				intCell(c.Expected), intCell(c.AnsweredOnTime), pctCell(c.AnsweredOnTime, c.Expected),
			})
		}
	}
	return t
}
