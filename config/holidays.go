package config

import (
	"slices"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// holiday is a public holiday on the same civil date every year.
type holiday struct {
	month time.Month
	day   int
	name  string
}

// regionHolidays are the fixed-date public holidays of the regions our
// example team lives in, as the law stands in 2026. Moveable feasts
// (Easter and everything counted from it, Orthodox or Western; Kurban
// Ait) and weekend substitution days change every year: list them in the
// person's holidays. CH is the federal holidays plus the canton of Zurich.
var regionHolidays = map[string][]holiday{
	"RO": {
		{time.January, 1, "New Year's Day"}, {time.January, 2, "New Year holiday"},
		{time.January, 6, "Epiphany"}, {time.January, 7, "Synaxis of St John the Baptist"},
		{time.January, 24, "Union Day"}, {time.May, 1, "Labour Day"},
		{time.June, 1, "Children's Day"}, {time.August, 15, "Dormition of the Theotokos"},
		{time.November, 30, "St Andrew's Day"}, {time.December, 1, "National Day"},
		{time.December, 25, "Christmas Day"}, {time.December, 26, "Second day of Christmas"},
	},
	"PL": {
		{time.January, 1, "New Year's Day"}, {time.January, 6, "Epiphany"},
		{time.May, 1, "Labour Day"}, {time.May, 3, "Constitution Day"},
		{time.August, 15, "Assumption"}, {time.November, 1, "All Saints' Day"},
		{time.November, 11, "Independence Day"}, {time.December, 24, "Christmas Eve"},
		{time.December, 25, "Christmas Day"}, {time.December, 26, "Second day of Christmas"},
	},
	"RS": {
		{time.January, 1, "New Year's Day"}, {time.January, 2, "New Year holiday"},
		{time.January, 7, "Orthodox Christmas"}, {time.February, 15, "Statehood Day"},
		{time.February, 16, "Statehood Day holiday"}, {time.May, 1, "Labour Day"},
		{time.May, 2, "Labour Day holiday"}, {time.November, 11, "Armistice Day"},
	},
	"GE": {
		{time.January, 1, "New Year's Day"}, {time.January, 2, "New Year holiday"},
		{time.January, 7, "Orthodox Christmas"}, {time.January, 19, "Epiphany"},
		{time.March, 3, "Mother's Day"}, {time.March, 8, "International Women's Day"},
		{time.April, 9, "National Unity Day"}, {time.May, 9, "Victory Day"},
		{time.May, 12, "St Andrew's Day"}, {time.May, 17, "Family Sanctity Day"},
		{time.May, 26, "Independence Day"}, {time.August, 28, "Mariamoba"},
		{time.October, 14, "Svetitskhovloba"}, {time.November, 23, "Giorgoba"},
	},
	"KZ": {
		{time.January, 1, "New Year's Day"}, {time.January, 2, "New Year holiday"},
		{time.January, 7, "Orthodox Christmas"}, {time.March, 8, "International Women's Day"},
		{time.March, 21, "Nauryz"}, {time.March, 22, "Nauryz"}, {time.March, 23, "Nauryz"},
		{time.May, 1, "Unity Day"}, {time.May, 7, "Defender of the Fatherland Day"},
		{time.May, 9, "Victory Day"}, {time.July, 6, "Capital Day"},
		{time.August, 30, "Constitution Day"}, {time.October, 25, "Republic Day"},
		{time.December, 16, "Independence Day"},
	},
	"CH": {
		{time.January, 1, "New Year's Day"}, {time.January, 2, "Berchtoldstag"},
		{time.May, 1, "Labour Day (Zurich)"}, {time.August, 1, "Swiss National Day"},
		{time.December, 25, "Christmas Day"}, {time.December, 26, "St Stephen's Day"},
	},
}

// HolidayYears is the span of years for which a holiday_region is
// expanded into dates (cadence.Person holds concrete dates).
var HolidayYears = [2]int{2020, 2050}

// HolidayRegions lists the region codes holiday_region accepts.
func HolidayRegions() []string {
	codes := make([]string, 0, len(regionHolidays))
	for c := range regionHolidays {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}

// RegionHolidays returns the fixed-date holidays of region in year, in
// date order, or nil for an unknown region.
func RegionHolidays(region string, year int) []cadence.Date {
	hs, ok := regionHolidays[region]
	if !ok {
		return nil
	}
	out := make([]cadence.Date, 0, len(hs))
	for _, h := range hs {
		out = append(out, cadence.Date{Year: year, Month: h.month, Day: h.day})
	}
	slices.SortFunc(out, compareDates)
	return out
}

func compareDates(a, b cadence.Date) int {
	switch {
	case a.Before(b):
		return -1
	case b.Before(a):
		return 1
	}
	return 0
}
