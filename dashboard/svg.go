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

const (
	svgW, svgH                          = 720, 260
	padLeft, padRight, padTop, padBelow = 40, 16, 16, 44
)

type trendPoint struct {
	Week  string
	Start time.Time
	Score float64
	Has   bool
	Tally cadence.Tally
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

// trendSVG renders the team score per week, 0–100.
func trendSVG(pts []trendPoint) template.HTML {
	var b strings.Builder
	plotW, plotH := float64(svgW-padLeft-padRight), float64(svgH-padTop-padBelow)
	n := max(len(pts), 1)
	x := func(i int) float64 { return padLeft + (float64(i)+0.5)*plotW/float64(n) }
	y := func(s float64) float64 { return padTop + plotH*(1-math.Max(0, math.Min(100, s))/100) }

	desc := trendDesc(pts)
	fmt.Fprintf(&b, `<svg class="trend" viewBox="0 0 %d %d" role="img" aria-labelledby="trend-title trend-desc">`, svgW, svgH)
	fmt.Fprintf(&b, `<title id="trend-title">Team score per ISO week (0–100)</title><desc id="trend-desc">%s</desc>`, html.EscapeString(desc))
	for _, g := range []float64{0, 25, 50, 75, 100} {
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padLeft, svgW-padRight, y(g), y(g))
		fmt.Fprintf(&b, `<text class="ylabel" x="%d" y="%.1f">%.0f</text>`, padLeft-6, y(g)+4, g)
	}
	step := int(math.Ceil(float64(len(pts)) / 12))
	prevYear := ""
	for i, p := range pts {
		if i%step != 0 && i != len(pts)-1 {
			continue
		}
		year, week := p.Week[:4], p.Week[5:]
		fmt.Fprintf(&b, `<text class="xlabel" x="%.1f" y="%d">%s</text>`, x(i), svgH-padBelow+16, week)
		if year != prevYear {
			fmt.Fprintf(&b, `<text class="xlabel year" x="%.1f" y="%d">%s</text>`, x(i), svgH-padBelow+32, year)
			prevYear = year
		}
	}
	// One polyline per run of consecutive weeks with data.
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
		run = append(run, fmt.Sprintf("%.1f,%.1f", x(i), y(p.Score)))
	}
	flush()
	last := -1
	for i, p := range pts {
		if !p.Has {
			continue
		}
		last = i
		fmt.Fprintf(&b, `<circle class="point" cx="%.1f" cy="%.1f" r="4"><title>%s: score %.0f · %d of %d answers on time · held on time %d of %d</title></circle>`,
			x(i), y(p.Score), p.Week, p.Score, p.Tally.AnsweredOnTime, p.Tally.Expected, p.Tally.HeldOnTime, p.Tally.Occurrences-p.Tally.Skipped)
	}
	if last >= 0 {
		fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f">%.0f</text>`, x(last), y(pts[last].Score)-10, pts[last].Score)
	} else {
		fmt.Fprintf(&b, `<text class="empty" x="%d" y="%d">No ritual was held in this period</text>`, svgW/2, svgH/2)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every interpolated string above is escaped or generated here
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
	return fmt.Sprintf("Score %.0f in %s, %.0f in %s.", first.Score, first.Week, last.Score, last.Week)
}
