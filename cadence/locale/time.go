package locale

import (
	"strconv"
	"strings"
	"time"
)

// Time layouts, each a key under [format] in the catalogs.
const (
	LayoutDate     = "date"     // Mon 2 Jan 2006
	LayoutDay      = "day"      // Mon 2 Jan
	LayoutDateTime = "datetime" // Mon 2 Jan 15:04 CET
)

// Time writes t (already in the zone wanted) with one of the Layout*
// formats of lang: its word order, weekday and month names. Hours are
// 24-hour in every supported language.
func (c *Catalogs) Time(lang, layout string, t time.Time) string {
	zone, _ := t.Zone()
	return c.Text(lang, "format."+layout, map[string]any{
		"Weekday": c.Text(lang, "weekday."+strings.ToLower(t.Weekday().String()[:3]), nil),
		"Day":     strconv.Itoa(t.Day()),
		"Month":   c.Text(lang, "month."+strings.ToLower(t.Month().String()[:3]), nil),
		"Year":    strconv.Itoa(t.Year()),
		"Time":    t.Format("15:04"),
		"Zone":    zone,
	})
}
