package cadence

import (
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence/locale"
)

// Localizer words messages in a language: a person's for what they are
// sent, the team's for channel posts. cadence/locale implements it with
// the embedded catalogs (the default); a language or key it lacks falls
// back to English. Languages are codes such as "pl".
type Localizer interface {
	// Text renders catalog entry id with data filled in.
	Text(lang, id string, data map[string]any) string
	// Plural renders id in the plural form count takes in lang.
	Plural(lang, id string, count int, data map[string]any) string
	// Number writes v with lang's decimal separator and grouping.
	Number(lang string, v float64, decimals int) string
	// Time writes t in its zone with a locale.Layout* format of lang.
	Time(lang, layout string, t time.Time) string
}

var _ Localizer = (*locale.Catalogs)(nil)

// DefaultLocalizer is the embedded catalogs.
func DefaultLocalizer() Localizer { return locale.Default() }

// Languages lists the language codes people and teams may choose.
func Languages() []string { return locale.Languages() }

// DefaultLanguage is spoken when neither a person nor the team chose one.
const DefaultLanguage = locale.English

// words is a Localizer bound to one language: what the composer writes
// for one reader (a person) or one channel (the team).
type words struct {
	l    Localizer
	lang string
}

// t renders id with its template fields given as name, value pairs.
func (w words) t(id string, kv ...any) string { return w.l.Text(w.lang, id, pairs(kv)) }

// n renders id in the plural form for count (.Count in the template).
func (w words) n(id string, count int, kv ...any) string {
	return w.l.Plural(w.lang, id, count, pairs(kv))
}

// dateTime writes t in loc as "Mon 2 Jan 15:04 CET" does in English.
func (w words) dateTime(t time.Time, loc *time.Location) string {
	return w.l.Time(w.lang, locale.LayoutDateTime, t.In(loc))
}

// date writes t's date in loc as "Mon 2 Jan 2006" does in English.
func (w words) date(t time.Time, loc *time.Location) string {
	return w.l.Time(w.lang, locale.LayoutDate, t.In(loc))
}

// day writes t's day in loc as "Mon 2 Jan" does in English.
func (w words) day(t time.Time, loc *time.Location) string {
	return w.l.Time(w.lang, locale.LayoutDay, t.In(loc))
}

// when is an instant in a message several people read: each sees it in
// their own zone where the platform can, else these words in loc.
func (w words) when(t time.Time, loc *time.Location) string {
	return TimeWords(t, w.dateTime(t, loc))
}

// duration writes 4h, 1h30m, 45m, 30s in the reader's units.
func (w words) duration(d time.Duration) string {
	if d <= 0 {
		return w.t("duration.m", "M", 0)
	}
	if d < time.Minute {
		return w.t("duration.s", "S", int(d.Round(time.Second)/time.Second))
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h > 0 && m > 0:
		return w.t("duration.hm", "H", h, "M", m)
	case h > 0:
		return w.t("duration.h", "H", h)
	}
	return w.t("duration.m", "M", m)
}

// wholeDays writes whole days as "7 days", anything else as duration.
func (w words) wholeDays(d time.Duration) string {
	const day = 24 * time.Hour
	if d > 0 && d%day == 0 {
		return w.n("duration.days", int(d/day))
	}
	return w.duration(d)
}

func pairs(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// UIText words an adapter's own label or line (a modal's buttons) in
// lang from the embedded catalogs, fields given as name, value pairs.
func UIText(lang, id string, kv ...any) string {
	return words{DefaultLocalizer(), lang}.t(id, kv...)
}

// UITime writes t in loc for an adapter's own line, as "Mon 2 Jan 15:04
// CET" does in English.
func UITime(lang string, t time.Time, loc *time.Location) string {
	return words{DefaultLocalizer(), lang}.dateTime(t, loc)
}

// UIDate writes a calendar day for an adapter's own line, as "Mon 2 Jan
// 2006" does in English.
func UIDate(lang string, d Date) string {
	return words{DefaultLocalizer(), lang}.date(d.In(time.UTC), time.UTC)
}

// UIPlural is UIText in the plural form count takes in lang (.Count in
// the template).
func UIPlural(lang, id string, count int, kv ...any) string {
	return words{DefaultLocalizer(), lang}.n(id, count, kv...)
}

// UINumber writes v with at most decimals fraction digits, with lang's
// decimal separator and grouping.
func UINumber(lang string, v float64, decimals int) string {
	return DefaultLocalizer().Number(lang, v, decimals)
}

// UIFixed writes v with exactly decimals fraction digits in lang's
// separators ("33.3" in English, "33,3" in German).
func UIFixed(lang string, v float64, decimals int) string {
	return locale.Default().Fixed(lang, v, decimals)
}

// Words is a Localizer bound to one language, for code beside the engine
// (cadence/ops) that words its messages the way the composer does.
type Words struct{ w words }

// NewWords binds l to lang.
func NewWords(l Localizer, lang string) Words { return Words{words{l, lang}} }

// T renders catalog entry id, fields given as name, value pairs.
func (w Words) T(id string, kv ...any) string { return w.w.t(id, kv...) }

// N renders id in the plural form for count (.Count in the template).
func (w Words) N(id string, count int, kv ...any) string { return w.w.n(id, count, kv...) }

// Date writes t's date in loc as "Mon 2 Jan 2006" does in English.
func (w Words) Date(t time.Time, loc *time.Location) string { return w.w.date(t, loc) }

// Day writes t's day in loc as "Mon 2 Jan" does in English.
func (w Words) Day(t time.Time, loc *time.Location) string { return w.w.day(t, loc) }

// Duration writes 4h, 1h30m, 45m, 30s in the reader's units.
func (w Words) Duration(d time.Duration) string { return w.w.duration(d) }

// DateTime writes t in loc as "Mon 2 Jan 15:04 CET" does in English.
func (w Words) DateTime(t time.Time, loc *time.Location) string { return w.w.dateTime(t, loc) }

// And joins xs as "a", "a and b", "a, b and c" do in English.
func (w Words) And(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return w.w.t("list.and", "Head", strings.Join(xs[:len(xs)-1], ", "), "Last", xs[len(xs)-1])
}
