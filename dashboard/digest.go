package dashboard

import (
	"cmp"
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
	return DigestBodyIn(cadence.DefaultLanguage, r, trend, threshold, extra...)
}

// DigestBodyIn is DigestBody worded in lang (a channel's: the team's; a
// manager's own), numbers and dates included.
func DigestBodyIn(lang string, r *cadence.Report, trend []cadence.WeekAdherence, threshold float64, extra ...cadence.Section) cadence.Body {
	w := digestWords(lang)
	label, isWeek := periodLabel(lang, r.From, r.To)
	var prev []cadence.WeekAdherence
	for _, wk := range trend {
		if wk.Start.Before(r.From) && wk.Occurrences-wk.Skipped > 0 {
			prev = append(prev, wk)
		}
	}
	slices.SortFunc(prev, func(a, b cadence.WeekAdherence) int { return a.Start.Compare(b.Start) })

	t := r.Team
	held := t.Occurrences - t.Skipped
	b := cadence.Body{Title: w.t("title", "Period", label)}
	if held == 0 {
		b.Text = w.t("none_held", "Period", label)
	} else {
		b.Text = w.t("score", "Score", w.score(t.Score), "Change", w.change(t.Score, prev))
	}

	// The score and its change are the digest's first line (Text): the
	// section does not say it again.
	team := cadence.Section{Heading: w.t("team")}
	if held > 0 {
		point := label
		if !isWeek {
			point = w.t("this_period")
		}
		if tl := w.trendLine(prev, point, t.Score); tl != "" {
			team.Lines = append(team.Lines, tl)
		}
	}
	team.Lines = append(team.Lines, w.heldLine(t))
	if t.Expected > 0 {
		line := w.t("answers", "Answered", t.Answered, "Expected", t.Expected, "Pct", w.pct(t.Answered, t.Expected),
			"OnTime", t.AnsweredOnTime, "OnTimePct", w.pct(t.AnsweredOnTime, t.Expected))
		if t.Answered > 0 {
			line += w.t("median", "Latency", w.duration(t.MedianLatency))
		}
		team.Lines = append(team.Lines, line+".")
	}
	b.Sections = append(b.Sections, team)

	if len(r.Rituals) > 0 {
		sec := cadence.Section{Heading: w.t("rituals")}
		for _, ra := range r.Rituals {
			sec.Lines = append(sec.Lines, w.ritualLine(ra))
		}
		b.Sections = append(b.Sections, sec)
	}

	if threshold > 0 && slices.ContainsFunc(r.People, func(p cadence.PersonAdherence) bool { return p.Expected > 0 }) {
		b.Sections = append(b.Sections, w.belowThreshold(r.People, threshold))
	}
	b.Sections = append(b.Sections, extra...)
	b.Footer = w.t("footer", "From", r.From.UTC().Format(dateLayout), "To", r.To.UTC().Add(-time.Nanosecond).Format(dateLayout),
		"At", r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"), "Score", ScoreSentenceIn(lang))
	return b
}

// ScoreSentenceIn is ScoreSentence in lang.
func ScoreSentenceIn(lang string) string { return cadence.UIText(lang, "digest.score_sentence") }

// digestLang words the digest's lines in one language.
type digestLang string

func digestWords(lang string) digestLang { return digestLang(lang) }

func (l digestLang) t(id string, kv ...any) string {
	return cadence.UIText(string(l), "digest."+id, kv...)
}

func (l digestLang) n(id string, count int, kv ...any) string {
	return cadence.UIPlural(string(l), "digest."+id, count, kv...)
}

// score is a score rounded to a whole number.
func (l digestLang) score(f float64) string { return cadence.UINumber(string(l), math.Round(f), 0) }

// pct is n of d as a percentage with one decimal, "—" without a d.
func (l digestLang) pct(n, d int) string { return l.pctOf(pct(n, d)) }

func (l digestLang) pctOf(v any) string {
	f, ok := v.(float64)
	if !ok {
		return "—"
	}
	return l.t("percent", "N", cadence.UIFixed(string(l), f, 1))
}

// duration is durationText in the digest's language: "35s", "42m",
// "1h 5m", "2d 3h" in English.
func (l digestLang) duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return l.t("dur_s", "N", int(d/time.Second))
	case d < time.Hour:
		return l.t("dur_m", "N", int(d/time.Minute))
	case d < 24*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return l.t("dur_h", "N", h)
		}
		return l.t("dur_hm", "H", h, "M", m)
	}
	days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if h == 0 {
		return l.t("dur_d", "N", days)
	}
	return l.t("dur_dh", "D", days, "H", h)
}

// periodLabel is "2026-W48" for exactly one ISO week, else the dates.
func periodLabel(lang string, from, to time.Time) (string, bool) {
	if from.Equal(weekStart(from)) && to.Equal(from.AddDate(0, 0, 7)) {
		return weekLabel(from), true
	}
	from, to = from.UTC(), to.UTC().Add(-time.Nanosecond)
	month := func(t time.Time) string {
		return cadence.UIText(lang, "month."+strings.ToLower(t.Month().String()[:3]))
	}
	return cadence.UIText(lang, "digest.period", "FromDay", from.Day(), "FromMonth", month(from),
		"ToDay", to.Day(), "ToMonth", month(to), "Year", to.Year()), false
}

// change compares with the latest earlier week: ", up 4 from 78 in 2026-W47".
func (l digestLang) change(score float64, prev []cadence.WeekAdherence) string {
	if len(prev) == 0 {
		return l.t("change_none")
	}
	last := prev[len(prev)-1]
	d := math.Round(score) - math.Round(last.Score)
	switch {
	case d > 0:
		return l.t("change_up", "D", l.score(d), "Prev", l.score(last.Score), "Week", last.Week)
	case d < 0:
		return l.t("change_down", "D", l.score(-d), "Prev", l.score(last.Score), "Week", last.Week)
	}
	return l.t("change_same", "Week", last.Week)
}

func (l digestLang) trendLine(prev []cadence.WeekAdherence, label string, score float64) string {
	if len(prev) == 0 {
		return ""
	}
	prev = prev[max(0, len(prev)-(digestTrendWeeks-1)):]
	parts := make([]string, 0, len(prev)+1)
	for _, w := range prev {
		parts = append(parts, w.Week+" "+l.score(w.Score))
	}
	parts = append(parts, label+" "+l.score(score))
	return l.t("trend", "Points", strings.Join(parts, " → "))
}

func (l digestLang) heldLine(t cadence.Tally) string {
	held := t.Occurrences - t.Skipped
	if held == 0 {
		if t.Skipped == 0 {
			return l.t("none_scheduled")
		}
		return l.n("all_skipped", t.Skipped)
	}
	line := l.t("held", "OnTime", t.HeldOnTime, "Held", held)
	var notes []string
	if late := t.Held - t.HeldOnTime; late > 0 {
		notes = append(notes, l.t("opened_late", "N", late))
	}
	if t.Missed > 0 {
		notes = append(notes, l.t("missed", "N", t.Missed))
	}
	if t.Skipped > 0 {
		notes = append(notes, l.t("skipped", "N", t.Skipped))
	}
	if len(notes) > 0 {
		line += " (" + strings.Join(notes, ", ") + ")"
	}
	return line + "."
}

func (l digestLang) ritualLine(ra cadence.RitualAdherence) string {
	title := cmp.Or(ra.Title, ra.RitualID)
	if ra.Occurrences == 0 {
		return l.t("ritual_not_scheduled", "Ritual", title)
	}
	if ra.Occurrences == ra.Skipped {
		return l.t("ritual_skipped", "Ritual", title, "Skipped", ra.Skipped, "Total", ra.Occurrences)
	}
	parts := []string{l.t("ritual_held", "OnTime", ra.HeldOnTime, "Held", ra.Occurrences-ra.Skipped)}
	if ra.Missed > 0 {
		parts[0] += " " + l.t("ritual_missed", "N", ra.Missed)
	}
	if ra.Expected > 0 {
		parts = append(parts,
			l.t("participation", "N", ra.Answered, "M", ra.Expected, "Pct", l.pct(ra.Answered, ra.Expected)),
			l.t("on_time", "N", ra.AnsweredOnTime, "M", ra.Expected, "Pct", l.pct(ra.AnsweredOnTime, ra.Expected)))
	}
	return title + ": " + strings.Join(parts, " · ") + "."
}

// belowThreshold lists, lowest first, the people whose on-time share is
// under threshold: the figures only, no judgement.
func (l digestLang) belowThreshold(people []cadence.PersonAdherence, threshold float64) cadence.Section {
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
	limit := l.t("percent", "N", cadence.UINumber(string(l), round1(threshold), 1))
	sec := cadence.Section{Heading: l.t("below_heading", "Pct", limit)}
	for _, r := range rows {
		sec.Lines = append(sec.Lines, l.t("below_line", "Name", r.name, "N", r.p.AnsweredOnTime, "M", r.p.Expected, "Pct", l.pctOf(round1(r.rate))))
	}
	if len(rows) == 0 {
		sec.Lines = []string{l.t("below_none", "Pct", limit)}
	}
	return sec
}

func trimPct(f float64) string { return valueString(round1(f)) + "%" }
