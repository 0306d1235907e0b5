package dashboard

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// digestTrendWeeks is how many weeks the digest's trend line lists.
const digestTrendWeeks = 8

// DigestBody composes the weekly managers' digest as a platform-neutral
// body; chat adapters render it (Block Kit, Adaptive Card, HTML).
//
// r covers the digest period, usually the last ISO week. trend is the
// weekly team rollup around it, oldest first: typically Report.Weeks of
// a query over the last few weeks. Weeks starting before r.From are the
// history the score is compared with. threshold (0–100) names the people
// whose share of prompts answered on time fell below it, stated as
// figures; 0 leaves that section out. extra holds further sections,
// e.g. overdue follow-ups from DigestSections.
func DigestBody(r *cadence.Report, trend []cadence.WeekAdherence, threshold float64, extra ...cadence.Section) cadence.Body {
	label, isWeek := periodLabel(r.From, r.To)
	var prev []cadence.WeekAdherence
	for _, w := range trend {
		if w.Start.Before(r.From) && w.Occurrences-w.Skipped > 0 {
			prev = append(prev, w)
		}
	}
	slices.SortFunc(prev, func(a, b cadence.WeekAdherence) int { return a.Start.Compare(b.Start) })

	t := r.Team
	held := t.Occurrences - t.Skipped
	b := cadence.Body{Title: "Cadence digest · " + label}
	if held == 0 {
		b.Text = "No ritual was held in " + label + "."
	} else {
		b.Text = fmt.Sprintf("Team score %.0f of 100%s.", t.Score, change(t.Score, prev))
	}

	// The score and its change are the digest's first line (Text): the
	// section does not say it again.
	team := cadence.Section{Heading: "Team"}
	if held > 0 {
		point := label
		if !isWeek {
			point = "this period"
		}
		if tl := trendLine(prev, point, t.Score); tl != "" {
			team.Lines = append(team.Lines, tl)
		}
	}
	team.Lines = append(team.Lines, heldLine(t))
	if t.Expected > 0 {
		line := fmt.Sprintf("Answers: %d of %d expected (%s), %d on time (%s)",
			t.Answered, t.Expected, pctText(pct(t.Answered, t.Expected)), t.AnsweredOnTime, pctText(pct(t.AnsweredOnTime, t.Expected)))
		if t.Answered > 0 {
			line += "; median time to answer " + durationText(t.MedianLatency)
		}
		team.Lines = append(team.Lines, line+".")
	}
	b.Sections = append(b.Sections, team)

	if len(r.Rituals) > 0 {
		sec := cadence.Section{Heading: "Rituals"}
		for _, ra := range r.Rituals {
			sec.Lines = append(sec.Lines, ritualLine(ra))
		}
		b.Sections = append(b.Sections, sec)
	}

	if threshold > 0 && slices.ContainsFunc(r.People, func(p cadence.PersonAdherence) bool { return p.Expected > 0 }) {
		b.Sections = append(b.Sections, belowThreshold(r.People, threshold))
	}
	b.Sections = append(b.Sections, extra...)
	b.Footer = fmt.Sprintf("%s – %s (UTC) · generated %s · %s",
		r.From.UTC().Format(dateLayout), r.To.UTC().Add(-time.Nanosecond).Format(dateLayout), r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"), ScoreSentence)
	return b
}

// periodLabel is "2026-W48" for exactly one ISO week, else the dates.
func periodLabel(from, to time.Time) (string, bool) {
	if from.Equal(weekStart(from)) && to.Equal(from.AddDate(0, 0, 7)) {
		return weekLabel(from), true
	}
	return from.UTC().Format("2 Jan") + " – " + to.UTC().Add(-time.Nanosecond).Format("2 Jan 2006"), false
}

// change compares with the latest earlier week: ", up 4 from 78 in 2026-W47".
func change(score float64, prev []cadence.WeekAdherence) string {
	if len(prev) == 0 {
		return ", no earlier week to compare with"
	}
	last := prev[len(prev)-1]
	d := math.Round(score) - math.Round(last.Score)
	switch {
	case d > 0:
		return fmt.Sprintf(", up %.0f from %.0f in %s", d, last.Score, last.Week)
	case d < 0:
		return fmt.Sprintf(", down %.0f from %.0f in %s", -d, last.Score, last.Week)
	}
	return fmt.Sprintf(", as in %s", last.Week)
}

func trendLine(prev []cadence.WeekAdherence, label string, score float64) string {
	if len(prev) == 0 {
		return ""
	}
	prev = prev[max(0, len(prev)-(digestTrendWeeks-1)):]
	parts := make([]string, 0, len(prev)+1)
	for _, w := range prev {
		parts = append(parts, fmt.Sprintf("%s %.0f", w.Week, w.Score))
	}
	parts = append(parts, fmt.Sprintf("%s %.0f", label, score))
	return "Trend: " + strings.Join(parts, " → ") + "."
}

func heldLine(t cadence.Tally) string {
	held := t.Occurrences - t.Skipped
	if held == 0 {
		if t.Skipped == 0 {
			return "No occurrence was scheduled."
		}
		return fmt.Sprintf("All %d occurrences were skipped.", t.Skipped)
	}
	line := fmt.Sprintf("Held on time: %d of %d occurrences", t.HeldOnTime, held)
	var notes []string
	if late := t.Held - t.HeldOnTime; late > 0 {
		notes = append(notes, fmt.Sprintf("%d opened late", late))
	}
	if t.Missed > 0 {
		notes = append(notes, fmt.Sprintf("%d missed while the bot was down", t.Missed))
	}
	if t.Skipped > 0 {
		notes = append(notes, fmt.Sprintf("%d skipped", t.Skipped))
	}
	if len(notes) > 0 {
		line += " (" + strings.Join(notes, ", ") + ")"
	}
	return line + "."
}

func ritualLine(ra cadence.RitualAdherence) string {
	title := cmp.Or(ra.Title, ra.RitualID)
	if ra.Occurrences == 0 {
		return title + ": not scheduled."
	}
	if ra.Occurrences == ra.Skipped {
		return fmt.Sprintf("%s: skipped (%d of %d).", title, ra.Skipped, ra.Occurrences)
	}
	parts := []string{fmt.Sprintf("held on time %d of %d", ra.HeldOnTime, ra.Occurrences-ra.Skipped)}
	if ra.Missed > 0 {
		parts[0] += fmt.Sprintf(" (%d missed)", ra.Missed)
	}
	if ra.Expected > 0 {
		parts = append(parts,
			fmt.Sprintf("participation %d of %d (%s)", ra.Answered, ra.Expected, pctText(pct(ra.Answered, ra.Expected))),
			fmt.Sprintf("on time %d of %d (%s)", ra.AnsweredOnTime, ra.Expected, pctText(pct(ra.AnsweredOnTime, ra.Expected))))
	}
	return title + ": " + strings.Join(parts, " · ") + "."
}

// belowThreshold lists, lowest first, the people whose on-time share is
// under threshold: the figures only, no judgement.
func belowThreshold(people []cadence.PersonAdherence, threshold float64) cadence.Section {
	type row struct {
		name string
		rate float64
		p    cadence.PersonAdherence
	}
	var rows []row
	for _, p := range people {
		if p.Expected == 0 {
			continue
		}
		rate := 100 * float64(p.AnsweredOnTime) / float64(p.Expected)
		if rate < threshold {
			rows = append(rows, row{cmp.Or(p.Name, p.PersonID), rate, p})
		}
	}
	slices.SortStableFunc(rows, func(a, b row) int { return cmp.Or(cmp.Compare(a.rate, b.rate), cmp.Compare(a.name, b.name)) })
	sec := cadence.Section{Heading: fmt.Sprintf("Below %s of prompts answered on time", trimPct(threshold))}
	for _, r := range rows {
		sec.Lines = append(sec.Lines, fmt.Sprintf("%s: %d of %d on time (%s).", r.name, r.p.AnsweredOnTime, r.p.Expected, pctText(round1(r.rate))))
	}
	if len(rows) == 0 {
		sec.Lines = []string{fmt.Sprintf("Everyone answered at least %s of their prompts on time.", trimPct(threshold))}
	}
	return sec
}

func trimPct(f float64) string { return valueString(round1(f)) + "%" }
