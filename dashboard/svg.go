package dashboard

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// The page draws its chart as inline SVG written here rather than as a
// gonum/plot PNG: it is a few kilobytes, sharp at any zoom, styled by
// the page's CSS (dark mode included), carries a <title> per point for
// hover and screen readers, and costs no extra request. The PNG renderer
// (ChartPNG) exists for chat platforms, which need an image file.

// chartLayout is one drawing of the trend. The page carries a wide one
// and a narrow one and CSS shows the one that fits: a single SVG scaled
// down to a phone had unreadable 6 px labels, and scrolling it sideways
// hid the 0–100 axis.
type chartLayout struct {
	Class                     string // "wide" or "narrow"
	W, H                      int
	Left, Right, Top, Below   int
	MinLabelGap               float64 // px between week labels, so they never collide
	ThresholdLabel, ValueNote string
}

var (
	wideChart   = chartLayout{Class: "wide", W: 720, H: 260, Left: 40, Right: 16, Top: 16, Below: 44, MinLabelGap: 48, ThresholdLabel: "digest threshold %s"}
	narrowChart = chartLayout{Class: "narrow", W: 360, H: 240, Left: 32, Right: 10, Top: 16, Below: 44, MinLabelGap: 44, ThresholdLabel: "threshold %s"}
)

type trendPoint struct {
	Week  string
	Start time.Time
	Score float64
	Has   bool
	Tally cadence.Tally
	// Days is how many days of the week the period covers when fewer
	// than 7 (the current week, or a range cut mid-week); 0 for a full week.
	Days int
}

// trendPoints puts one point on every ISO week of [from, to); weeks with
// nothing held (no occurrence, or all skipped) are gaps, not zeros.
func trendPoints(weeks []cadence.WeekAdherence, from, to time.Time) []trendPoint {
	byWeek := make(map[string]cadence.WeekAdherence, len(weeks))
	for _, w := range weeks {
		byWeek[w.Week] = w
	}
	var pts []trendPoint
	for _, start := range weeksIn(from, to) {
		label := weekLabel(start)
		p := trendPoint{Week: label, Start: start}
		if w, ok := byWeek[label]; ok && w.Occurrences-w.Skipped > 0 {
			p.Score, p.Has, p.Tally = w.Score, true, w.Tally
		}
		pts = append(pts, p)
	}
	return pts
}

// markPartial flags the weeks that [from, end) covers only in part: the
// current week (end is now) and weeks cut by the filter. Their score is
// not comparable with a full week's, so the chart draws them apart.
func markPartial(pts []trendPoint, from, end time.Time) {
	for i := range pts {
		lo, hi := pts[i].Start, pts[i].Start.AddDate(0, 0, 7)
		if from.After(lo) {
			lo = from
		}
		if end.Before(hi) {
			hi = end
		}
		if days := int(math.Ceil(hi.Sub(lo).Hours() / 24)); days < 7 {
			pts[i].Days = max(days, 1)
		}
	}
}

// trendCharts renders the wide and the narrow chart; threshold > 0 adds
// a dashed line at that score.
func trendCharts(pts []trendPoint, threshold float64) template.HTML {
	return trendSVG(pts, threshold, wideChart) + trendSVG(pts, threshold, narrowChart)
}

// weekLabels picks which weeks get an x label: evenly spaced at least
// MinLabelGap apart, always the last week, never two that collide.
func (l chartLayout) weekLabels(n int) []int {
	if n == 0 {
		return nil
	}
	slot := float64(l.W-l.Left-l.Right) / float64(n)
	step := max(1, int(math.Ceil(l.MinLabelGap/slot)))
	var out []int
	for i := 0; i < n; i += step {
		out = append(out, i)
	}
	if last := n - 1; out[len(out)-1] != last {
		if len(out) > 1 && float64(last-out[len(out)-1])*slot < l.MinLabelGap {
			out = out[:len(out)-1] // the latest week matters more than its neighbour
		}
		out = append(out, last)
	}
	return out
}

// anchor centres a label on x unless that would cut it at an edge of
// the frame; the width is estimated from the font size (about 0.62 em
// per character in the sans-serif fonts the page asks for).
func (l chartLayout) anchor(x float64, text string, fontPx float64) string {
	half := 0.62 * fontPx * float64(len([]rune(text))) / 2
	switch {
	case x+half > float64(l.W):
		return "end"
	case x-half < 0:
		return "start"
	}
	return "middle"
}

// trendSVG renders the team score per week, 0–100, in one layout.
func trendSVG(pts []trendPoint, threshold float64, l chartLayout) template.HTML {
	var b strings.Builder
	plotW, plotH := float64(l.W-l.Left-l.Right), float64(l.H-l.Top-l.Below)
	n := max(len(pts), 1)
	slot := plotW / float64(n)
	x := func(i int) float64 { return float64(l.Left) + (float64(i)+0.5)*slot }
	y := func(s float64) float64 { return float64(l.Top) + plotH*(1-math.Max(0, math.Min(100, s))/100) }

	id := "trend-" + l.Class
	fmt.Fprintf(&b, `<svg class="trend %s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc">`, l.Class, l.W, l.H, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">Team score per ISO week (0–100)</title><desc id="%s-desc">%s</desc>`, id, id, html.EscapeString(trendDesc(pts)))
	for _, g := range []float64{0, 25, 50, 75, 100} {
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, l.Left, l.W-l.Right, y(g), y(g))
		fmt.Fprintf(&b, `<text class="ylabel" x="%d" y="%.1f">%.0f</text>`, l.Left-6, y(g)+4, g)
	}
	if threshold > 0 && threshold <= 100 {
		// Labelled at the left, under the line, with a halo (CSS) so a
		// point passing by does not hide it.
		ty := y(threshold)
		fmt.Fprintf(&b, `<line class="target" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, l.Left, l.W-l.Right, ty, ty)
		fmt.Fprintf(&b, `<text class="target-label" x="%d" y="%.1f">%s</text>`, l.Left+4, ty+13,
			html.EscapeString(fmt.Sprintf(l.ThresholdLabel, valueString(round1(threshold)))))
	}
	prevYear := ""
	for _, i := range l.weekLabels(len(pts)) {
		p := pts[i]
		year, week := p.Week[:4], p.Week[5:]
		fmt.Fprintf(&b, `<text class="xlabel" text-anchor="%s" x="%.1f" y="%d">%s</text>`, l.anchor(x(i), week, 12), x(i), l.H-l.Below+16, week)
		if year != prevYear {
			fmt.Fprintf(&b, `<text class="xlabel year" text-anchor="%s" x="%.1f" y="%d">%s</text>`, l.anchor(x(i), year, 12), x(i), l.H-l.Below+32, year)
			prevYear = year
		}
	}
	// Full weeks in a row are one solid polyline; a step into or out of
	// a partial week is dashed, and a gap is not drawn at all.
	var run []string
	flush := func() {
		if len(run) > 1 {
			fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(run, " "))
		}
		run = run[:0]
	}
	for i, p := range pts {
		if !p.Has {
			flush()
			continue
		}
		if i > 0 && pts[i-1].Has && (p.Days > 0 || pts[i-1].Days > 0) {
			fmt.Fprintf(&b, `<line class="line partial" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x(i-1), y(pts[i-1].Score), x(i), y(p.Score))
		}
		if p.Days > 0 {
			flush()
			continue
		}
		run = append(run, fmt.Sprintf("%.1f,%.1f", x(i), y(p.Score)))
	}
	flush()
	radius := math.Max(1.5, math.Min(4, slot*0.15)) // a year on a phone: points must not merge into a bar
	last := -1
	for i, p := range pts {
		if !p.Has {
			continue
		}
		last = i
		class := "point"
		r := radius
		if p.Days > 0 {
			class += " partial"
			r = max(r, 3) // hollow: it must stay visible
		}
		fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="%.1f"/>`, class, x(i), y(p.Score), r)
	}
	if last >= 0 {
		v := fmt.Sprintf("%.0f", pts[last].Score)
		if pts[last].Days > 0 {
			v += " so far"
		}
		fmt.Fprintf(&b, `<text class="value" text-anchor="%s" x="%.1f" y="%.1f">%s</text>`, l.anchor(x(last), v, 13), x(last), y(pts[last].Score)-10, v)
	} else {
		fmt.Fprintf(&b, `<text class="empty" x="%d" y="%d">No ritual was held in this period</text>`, l.W/2, l.H/2)
	}
	// One invisible target per week with data, as wide as the week's
	// slot and as tall as the plot: a finger finds it where a 4 px point
	// is too small. The page script shows data-detail under the chart.
	for i, p := range pts {
		if !p.Has {
			continue
		}
		d := html.EscapeString(pointDetail(p))
		fmt.Fprintf(&b, `<rect class="hit" x="%.1f" y="%d" width="%.1f" height="%.0f" tabindex="0" data-detail="%s"><title>%s</title></rect>`,
			x(i)-slot/2, l.Top, slot, plotH, d, d)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every interpolated string above is escaped or generated here
}

func pointDetail(p trendPoint) string {
	s := fmt.Sprintf("%s: score %.0f · %d of %d answers on time · held on time %d of %d",
		p.Week, p.Score, p.Tally.AnsweredOnTime, p.Tally.Expected, p.Tally.HeldOnTime, p.Tally.Occurrences-p.Tally.Skipped)
	if p.Days > 0 {
		s += fmt.Sprintf(" · partial week: %d of 7 days", p.Days)
	}
	return s
}

func trendDesc(pts []trendPoint) string {
	var first, last *trendPoint
	for i := range pts {
		if pts[i].Has {
			if first == nil {
				first = &pts[i]
			}
			last = &pts[i]
		}
	}
	if first == nil {
		return "No ritual was held in this period."
	}
	d := fmt.Sprintf("Score %.0f in %s, %.0f in %s", first.Score, first.Week, last.Score, last.Week)
	if last.Days > 0 {
		d += fmt.Sprintf(" (partial week, %d of 7 days)", last.Days)
	}
	return d + "."
}
