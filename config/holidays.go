package config

import (
	"slices"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/aa"
	"github.com/rickar/cal/v2/ar"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/pl"
	"github.com/rickar/cal/v2/ro"
	"github.com/rickar/cal/v2/us"

	"github.com/cadencebot/cadencebot/cadence"
)

// regionHolidays maps a holiday_region code to its public holidays. The
// maintained calendars of github.com/rickar/cal/v2 carry every rule that
// moves (Easter, Orthodox or Western, and the feasts counted from it;
// "first Monday of"; weekend substitution days); regions it lacks are in
// holidays_own.go, built from the same rule types.
//
// CH alone means the canton of Zurich, as it always has here; CH-XX picks
// a canton, DE-XX a German state (DE alone is the nine nationwide days).
var regionHolidays = func() map[string][]*cal.Holiday {
	m := map[string][]*cal.Holiday{
		"AR": argentina(), "BR": br.Holidays, "DE": de.Holidays,
		"GB": gb.Holidays, "PL": pl.Holidays, "RO": ro.Holidays,
		"US": us.Holidays, "CH": ch.HolidaysZH,
		"RS": serbia, "GE": georgia, "KZ": kazakhstan,
		"MX": mexico, "CO": colombia,
	}
	for code, hs := range map[string][]*cal.Holiday{
		"ZH": ch.HolidaysZH, "BE": ch.HolidaysBE, "LU": ch.HolidaysLU, "UR": ch.HolidaysUR,
		"SZ": ch.HolidaysSZ, "OW": ch.HolidaysOW, "NW": ch.HolidaysNW, "GL": ch.HolidaysGL,
		"ZG": ch.HolidaysZG, "FR": ch.HolidaysFR, "SO": ch.HolidaysSO, "BS": ch.HolidaysBS,
		"BL": ch.HolidaysBL, "SH": ch.HolidaysSH, "AR": ch.HolidaysAR, "AI": ch.HolidaysAI,
		"SG": ch.HolidaysSG, "GR": ch.HolidaysGR, "AG": ch.HolidaysAG, "TG": ch.HolidaysTG,
		"VD": ch.HolidaysVD, "TI": ch.HolidaysTI, "VS": ch.HolidaysVS, "NE": ch.HolidaysNE,
		"GE": ch.HolidaysGE, "JU": ch.HolidaysJU,
	} {
		m["CH-"+code] = hs
	}
	for code, hs := range map[string][]*cal.Holiday{
		"BW": de.HolidaysBW, "BY": de.HolidaysBY, "BE": de.HolidaysBE, "BB": de.HolidaysBB,
		"HB": de.HolidaysHB, "HH": de.HolidaysHH, "HE": de.HolidaysHE, "MV": de.HolidaysMV,
		"NI": de.HolidaysNI, "NW": de.HolidaysNW, "RP": de.HolidaysRP, "SL": de.HolidaysSL,
		"SN": de.HolidaysSN, "ST": de.HolidaysST, "SH": de.HolidaysSH, "TH": de.HolidaysTH,
	} {
		m["DE-"+code] = hs
	}
	return m
}()

// argentina is the library's list with Good Friday on Friday: v2.1.13
// computes its "Viernes Santo" as Easter-3, Holy Thursday (a día no
// laborable, optional for employers), and misses the feriado itself.
func argentina() []*cal.Holiday {
	hs := slices.Clone(ar.Holidays)
	for i, h := range hs {
		if h == ar.EasternsDay {
			hs[i] = aa.GoodFriday.Clone(&cal.Holiday{Name: "Viernes Santo", Type: cal.ObservancePublic})
		}
	}
	return hs
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

// RegionHolidays returns the public holidays of region in year, in date
// order, or nil for an unknown region. A holiday observed on another day
// (a Saturday's New Year on Friday 31 December) gives both days: the
// person is off on the observed day and the other was free anyway.
func RegionHolidays(region string, year int) []cadence.Date {
	hs, ok := regionHolidays[region]
	if !ok {
		return nil
	}
	out := make([]cadence.Date, 0, len(hs)+2)
	for _, h := range hs {
		actual, observed := h.Calc(year)
		for _, t := range []time.Time{actual, observed} {
			if !t.IsZero() {
				out = append(out, cadence.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()})
			}
		}
	}
	slices.SortFunc(out, compareDates)
	return slices.Compact(out)
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
