package locale

import (
	"strconv"
	"strings"
	"sync"
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
	if c.times == nil {
		return c.time(lang, layout, t, zone)
	}
	y, mon, d := t.Date()
	k := timeKey{lang: lang, layout: layout, zone: zone, year: y, month: mon, day: d, minute: t.Hour()*60 + t.Minute()}
	if s, ok := c.times.get(k); ok {
		return s
	}
	s := c.time(lang, layout, t, zone)
	c.times.put(k, s)
	return s
}

func (c *Catalogs) time(lang, layout string, t time.Time, zone string) string {
	return c.Text(lang, "format."+layout, map[string]any{
		"Weekday": c.Text(lang, "weekday."+strings.ToLower(t.Weekday().String()[:3]), nil),
		"Day":     strconv.Itoa(t.Day()),
		"Month":   c.Text(lang, "month."+strings.ToLower(t.Month().String()[:3]), nil),
		"Year":    strconv.Itoa(t.Year()),
		"Time":    t.Format("15:04"),
		"Zone":    zone,
	})
}

// timeMemo remembers Time's results: a day's 500 prompts show a few
// distinct close times, and each costs three template executions. The
// key holds everything a layout can show.
type timeMemo struct {
	mu sync.Mutex
	m  map[timeKey]string
}

type timeKey struct {
	lang, layout, zone string
	year               int
	month              time.Month
	day, minute        int
}

// maxTimeMemo bounds the memo; a full one starts over.
const maxTimeMemo = 4096

func (m *timeMemo) get(k timeKey) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.m[k]
	return s, ok
}

func (m *timeMemo) put(k timeKey, s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.m) >= maxTimeMemo {
		clear(m.m)
	}
	m.m[k] = s
}
