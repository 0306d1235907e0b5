package dashboard

import (
	"github.com/cadencebot/cadencebot/cadence"
)

// The tables below are built from one cadence.Report; their column keys
// are the CSV headers and JSON keys, so they are part of the API.

func teamTable(r *cadence.Report) *Table {
	t := r.Team
	return &Table{
		ID:    "team",
		Title: "Team",
		Columns: []Column{
			{Key: "from", Label: "From"},
			{Key: "to", Label: "To"},
			{Key: "occurrences", Label: "Occurrences", Numeric: true},
			{Key: "held", Label: "Held", Numeric: true},
			{Key: "held_on_time", Label: "Held on time", Numeric: true},
			{Key: "held_on_time_pct", Label: "Held on time %", Numeric: true},
			{Key: "missed", Label: "Missed", Numeric: true},
			{Key: "skipped", Label: "Skipped", Numeric: true},
			{Key: "expected", Label: "Expected answers", Numeric: true},
			{Key: "excused", Label: "Excused", Numeric: true},
			{Key: "answered", Label: "Answered", Numeric: true},
			{Key: "answered_pct", Label: "Answered %", Numeric: true},
			{Key: "on_time", Label: "On time", Numeric: true},
			{Key: "on_time_pct", Label: "On time %", Numeric: true},
			{Key: "median_latency_s", Label: "Median latency", Numeric: true},
			{Key: "score", Label: "Score", Numeric: true},
		},
		Rows: [][]Cell{{
			textCell(r.From.UTC().Format(dateLayout)),
			textCell(r.To.UTC().AddDate(0, 0, -1).Format(dateLayout)),
			intCell(t.Occurrences), intCell(t.Held), intCell(t.HeldOnTime),
			pctCell(t.HeldOnTime, t.Occurrences-t.Skipped),
			intCell(t.Missed), intCell(t.Skipped),
			intCell(t.Expected), intCell(t.Excused),
			intCell(t.Answered), pctCell(t.Answered, t.Expected),
			intCell(t.AnsweredOnTime), pctCell(t.AnsweredOnTime, t.Expected),
			latencyCell(t.Answered, t.MedianLatency),
			scoreCell(t.Occurrences, t.Score),
		}},
	}
}

func weeksTable(r *cadence.Report) *Table {
	t := &Table{
		ID:    "weeks",
		Title: "Weeks",
		Columns: []Column{
			{Key: "week", Label: "Week"},
			{Key: "start", Label: "Starts"},
			{Key: "occurrences", Label: "Occurrences", Numeric: true},
			{Key: "held_on_time", Label: "Held on time", Numeric: true},
			{Key: "missed", Label: "Missed", Numeric: true},
			{Key: "skipped", Label: "Skipped", Numeric: true},
			{Key: "expected", Label: "Expected", Numeric: true},
			{Key: "answered", Label: "Answered", Numeric: true},
			{Key: "on_time", Label: "On time", Numeric: true},
			{Key: "on_time_pct", Label: "On time %", Numeric: true},
			{Key: "median_latency_s", Label: "Median latency", Numeric: true},
			{Key: "score", Label: "Score", Numeric: true},
		},
	}
	for _, w := range r.Weeks {
		t.Rows = append(t.Rows, []Cell{
			textCell(w.Week), textCell(w.Start.UTC().Format(dateLayout)),
			intCell(w.Occurrences), intCell(w.HeldOnTime), intCell(w.Missed), intCell(w.Skipped),
			intCell(w.Expected), intCell(w.Answered), intCell(w.AnsweredOnTime),
			pctCell(w.AnsweredOnTime, w.Expected),
			latencyCell(w.Answered, w.MedianLatency),
			scoreCell(w.Occurrences, w.Score),
		})
	}
	return t
}

func ritualsTable(r *cadence.Report) *Table {
	t := &Table{
		ID:    "rituals",
		Title: "Rituals",
		Columns: []Column{
			{Key: "ritual", Label: "ID", PageHidden: true}, // the title says it on screen
			{Key: "title", Label: "Ritual"},
			{Key: "occurrences", Label: "Occurrences", Numeric: true},
			{Key: "held", Label: "Held", Numeric: true},
			{Key: "held_on_time", Label: "Held on time", Numeric: true},
			{Key: "missed", Label: "Missed", Numeric: true},
			{Key: "skipped", Label: "Skipped", Numeric: true},
			{Key: "expected", Label: "Expected", Numeric: true},
			{Key: "answered", Label: "Answered", Numeric: true},
			{Key: "answered_pct", Label: "Participation", Numeric: true},
			{Key: "on_time", Label: "On time", Numeric: true},
			{Key: "on_time_pct", Label: "On time %", Numeric: true},
			{Key: "median_latency_s", Label: "Median latency", Numeric: true},
			{Key: "score", Label: "Score", Numeric: true},
		},
	}
	for _, ra := range r.Rituals {
		t.Rows = append(t.Rows, []Cell{
			textCell(ra.RitualID), textCell(ra.Title),
			intCell(ra.Occurrences), intCell(ra.Held), intCell(ra.HeldOnTime),
			intCell(ra.Missed), intCell(ra.Skipped),
			intCell(ra.Expected), intCell(ra.Answered), pctCell(ra.Answered, ra.Expected),
			intCell(ra.AnsweredOnTime), pctCell(ra.AnsweredOnTime, ra.Expected),
			latencyCell(ra.Answered, ra.MedianLatency),
			scoreCell(ra.Occurrences, ra.Score),
		})
	}
	return t
}

// peopleTable is the per-person participation table, in report order
// unless the filter sorts it. threshold is the digest's (0–100, 0 for
// none): people answering fewer prompts on time are the ones the digest
// lists, and the table marks them the same way.
func peopleTable(r *cadence.Report, threshold float64) *Table {
	t := &Table{
		ID:    "people",
		Title: "Participation per person",
		Columns: []Column{
			{Key: "person", Label: "ID"},
			{Key: "name", Label: "Name", Heading: true},
			{Key: "expected", Label: "Expected", Numeric: true},
			{Key: "excused", Label: "Excused", Numeric: true},
			{Key: "answered", Label: "Answered", Numeric: true},
			{Key: "answered_pct", Label: "Answered %", Numeric: true},
			{Key: "on_time", Label: "On time", Numeric: true},
			{Key: "on_time_pct", Label: "On time %", Numeric: true},
			{Key: "streak", Label: "Streak", Numeric: true},
			{Key: "median_latency_s", Label: "Median latency", Numeric: true},
			{Key: "score", Label: "Score", Numeric: true},
		},
	}
	if threshold > 0 {
		t.Columns = append(t.Columns, Column{Key: "below_threshold", Label: "Digest threshold"})
	}
	for _, p := range r.People {
		name := p.Name
		if name == "" {
			name = p.PersonID
		}
		onTime := pctCell(p.AnsweredOnTime, p.Expected)
		row := []Cell{
			textCell(p.PersonID), textCell(name),
			intCell(p.Expected), intCell(p.Excused),
			intCell(p.Answered), pctCell(p.Answered, p.Expected),
			intCell(p.AnsweredOnTime), onTime,
			intCell(p.Streak),
			latencyCell(p.Answered, p.MedianLatency),
			scoreCell(p.Occurrences, p.Score),
		}
		if threshold > 0 {
			below := belowThresholdCell(p, threshold)
			if below.Value == true {
				row[7].Mark = "below"
			}
			row = append(row, below)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// belowThresholdCell is true when the digest would list the person: the
// same rule as belowThreshold, so page and digest never disagree.
func belowThresholdCell(p cadence.PersonAdherence, threshold float64) Cell {
	if p.Expected == 0 {
		return Cell{} // nothing was asked: neither above nor below
	}
	if 100*float64(p.AnsweredOnTime)/float64(p.Expected) < threshold {
		return Cell{Value: true, Text: "below " + trimPct(threshold), Mark: "below"}
	}
	return Cell{Value: false, Text: "ok"}
}
