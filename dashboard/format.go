package dashboard

import (
	"fmt"
	"math"
	"time"
)

// pct is 100·n/d rounded to one decimal, or nil when d is zero (no
// value, rather than a misleading 0%).
func pct(n, d int) any {
	if d <= 0 {
		return nil
	}
	return round1(100 * float64(n) / float64(d))
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// pctText shows a pct value: "85.7%", or "—" for nil.
func pctText(v any) string {
	f, ok := v.(float64)
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", f)
}

// latency is the median latency in whole seconds, or nil when nobody
// answered (a zero median would read as "instant").
func latency(answered int, d time.Duration) any {
	if answered == 0 {
		return nil
	}
	return int(d.Round(time.Second) / time.Second)
}

// durationText is a short human duration: "35s", "42m", "1h 5m", "2d 3h".
func durationText(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh %dm", h, m)
	}
	days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd %dh", days, h)
}

func latencyCell(answered int, d time.Duration) Cell {
	v := latency(answered, d)
	if v == nil {
		return Cell{}
	}
	return Cell{Value: v, Text: durationText(d)}
}

func pctCell(n, d int) Cell {
	v := pct(n, d)
	return Cell{Value: v, Text: pctText(v)}
}

func scoreCell(occurrences int, score float64) Cell {
	if occurrences == 0 {
		return Cell{}
	}
	v := round1(score)
	return Cell{Value: v, Text: fmt.Sprintf("%.0f", v)}
}

func intCell(n int) Cell { return Cell{Value: n} }

func textCell(s string) Cell { return Cell{Value: s} }
