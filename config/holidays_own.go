package config

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/aa"
)

// The regions github.com/rickar/cal/v2 does not cover, written with its
// rule types so they compute the same way. What cannot be computed from a
// rule stays the person's to list in holidays: Kurban Ait (lunar) and the
// days Kazakhstan's government moves by decree each year.

// fixed is a holiday on the same civil date every year.
func fixed(month time.Month, day int, name string, observed ...cal.AltDay) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Month: month, Day: day,
		Func: cal.CalcDayOfMonth, Observed: observed}
}

// orthodoxEaster is a day counted from Orthodox (Julian) Easter.
func orthodoxEaster(offset int, name string) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Offset: offset, Julian: true,
		Func: cal.CalcEasterOffset}
}

// westernEaster is a day counted from Western (Gregorian) Easter.
func westernEaster(offset int, name string) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Offset: offset,
		Func: cal.CalcEasterOffset}
}

// nthWeekday is the nth weekday of month ("third Monday of March").
func nthWeekday(month time.Month, wd time.Weekday, n int, name string) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Month: month, Weekday: wd,
		Offset: n, Func: cal.CalcWeekdayOffset}
}

// nextMonday is Colombia's Ley Emiliani (Law 51 of 1983): the holiday is
// kept on the Monday on or after its date.
func nextMonday(month time.Month, day int, name string) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Month: month, Day: day,
		Func: func(h *cal.Holiday, year int) time.Time {
			t := cal.CalcDayOfMonth(h, year)
			return t.AddDate(0, 0, (int(time.Monday)-int(t.Weekday())+7)%7)
		}}
}

var (
	// sundayToMonday: a Sunday holiday gives the next working day off
	// (Serbia's Law on State and Other Holidays, art. 3).
	sundayToMonday = cal.AltDay{Day: time.Sunday, Offset: 1}
	// sundayToTuesday: the first of a two-day holiday falling on Sunday
	// makes Tuesday the next working day.
	sundayToTuesday = cal.AltDay{Day: time.Sunday, Offset: 2}
)

// serbia: the state holidays a working person has off, Orthodox Easter
// from Good Friday to Easter Monday.
var serbia = []*cal.Holiday{
	fixed(time.January, 1, "New Year's Day", sundayToTuesday),
	fixed(time.January, 2, "New Year holiday", sundayToMonday),
	fixed(time.January, 7, "Orthodox Christmas"),
	fixed(time.February, 15, "Statehood Day", sundayToTuesday),
	fixed(time.February, 16, "Statehood Day holiday", sundayToMonday),
	orthodoxEaster(-2, "Orthodox Good Friday"),
	orthodoxEaster(-1, "Orthodox Holy Saturday"),
	orthodoxEaster(0, "Orthodox Easter"),
	orthodoxEaster(1, "Orthodox Easter Monday"),
	fixed(time.May, 1, "Labour Day", sundayToTuesday),
	fixed(time.May, 2, "Labour Day holiday", sundayToMonday),
	fixed(time.November, 11, "Armistice Day", sundayToMonday),
}

// georgia: the Labour Code's (art. 20) holidays.
var georgia = []*cal.Holiday{
	fixed(time.January, 1, "New Year's Day"), fixed(time.January, 2, "New Year holiday"),
	fixed(time.January, 7, "Orthodox Christmas"), fixed(time.January, 19, "Epiphany"),
	fixed(time.March, 3, "Mother's Day"), fixed(time.March, 8, "International Women's Day"),
	fixed(time.April, 9, "National Unity Day"),
	orthodoxEaster(-2, "Orthodox Good Friday"), orthodoxEaster(-1, "Orthodox Holy Saturday"),
	orthodoxEaster(0, "Orthodox Easter"), orthodoxEaster(1, "Orthodox Easter Monday"),
	fixed(time.May, 9, "Victory Day"), fixed(time.May, 12, "St Andrew's Day"),
	fixed(time.May, 17, "Family Sanctity Day"), fixed(time.May, 26, "Independence Day"),
	fixed(time.August, 28, "Mariamoba"), fixed(time.October, 14, "Svetitskhovloba"),
	fixed(time.November, 23, "Giorgoba"),
}

// kazakhstan: the fixed-date holidays; Kurban Ait and decreed transfers
// are listed by hand.
var kazakhstan = []*cal.Holiday{
	fixed(time.January, 1, "New Year's Day"), fixed(time.January, 2, "New Year holiday"),
	fixed(time.January, 7, "Orthodox Christmas"), fixed(time.March, 8, "International Women's Day"),
	fixed(time.March, 21, "Nauryz"), fixed(time.March, 22, "Nauryz"), fixed(time.March, 23, "Nauryz"),
	fixed(time.May, 1, "Unity Day"), fixed(time.May, 7, "Defender of the Fatherland Day"),
	fixed(time.May, 9, "Victory Day"), fixed(time.July, 6, "Capital Day"),
	fixed(time.August, 30, "Constitution Day"), fixed(time.October, 25, "Republic Day"),
	fixed(time.December, 16, "Independence Day"),
}

// mexico: the statutory rest days of the Ley Federal del Trabajo, art. 74.
var mexico = []*cal.Holiday{
	fixed(time.January, 1, "Año Nuevo"),
	nthWeekday(time.February, time.Monday, 1, "Día de la Constitución"),
	nthWeekday(time.March, time.Monday, 3, "Natalicio de Benito Juárez"),
	fixed(time.May, 1, "Día del Trabajo"),
	fixed(time.September, 16, "Día de la Independencia"),
	{Name: "Transmisión del Poder Ejecutivo Federal", Type: cal.ObservancePublic,
		Month: time.October, Day: 1, Func: func(h *cal.Holiday, year int) time.Time {
			if (year-2024)%6 != 0 { // every six years since 2024
				return time.Time{}
			}
			return cal.CalcDayOfMonth(h, year)
		}},
	nthWeekday(time.November, time.Monday, 3, "Día de la Revolución"),
	fixed(time.December, 25, "Navidad"),
}

// colombia: Law 51 of 1983; the Easter-counted feasts it moves land on
// Mondays already (Ascension +43, Corpus Christi +64, Sacred Heart +71).
var colombia = []*cal.Holiday{
	fixed(time.January, 1, "Año Nuevo"),
	nextMonday(time.January, 6, "Día de los Reyes Magos"),
	nextMonday(time.March, 19, "Día de San José"),
	aa.MaundyThursday.Clone(&cal.Holiday{Name: "Jueves Santo", Type: cal.ObservancePublic}),
	aa.GoodFriday.Clone(&cal.Holiday{Name: "Viernes Santo", Type: cal.ObservancePublic}),
	fixed(time.May, 1, "Día del Trabajo"),
	westernEaster(43, "Ascensión del Señor"),
	westernEaster(64, "Corpus Christi"),
	westernEaster(71, "Sagrado Corazón"),
	nextMonday(time.June, 29, "San Pedro y San Pablo"),
	fixed(time.July, 20, "Día de la Independencia"),
	fixed(time.August, 7, "Batalla de Boyacá"),
	nextMonday(time.August, 15, "La Asunción de la Virgen"),
	nextMonday(time.October, 12, "Día de la Raza"),
	nextMonday(time.November, 1, "Todos los Santos"),
	nextMonday(time.November, 11, "Independencia de Cartagena"),
	fixed(time.December, 8, "Inmaculada Concepción"),
	fixed(time.December, 25, "Navidad"),
}
