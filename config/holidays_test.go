package config_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

func day(s string) cadence.Date {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return cadence.DateOf(t)
}

// TestRegionHolidaysPublishedCalendars holds the regions to their
// published calendars for 2026–2028, moving feasts above all: Orthodox
// Easter 2026-04-12, 2027-05-02, 2028-04-16; Western Easter 2026-04-05,
// 2027-03-28, 2028-04-16.
func TestRegionHolidaysPublishedCalendars(t *testing.T) {
	tests := []struct {
		region string
		on     []string // public holidays that year
		off    []string // working days someone could wrongly list
	}{
		// Romania: Orthodox Good Friday, Easter Monday, Rusalii (Pentecost) Monday.
		{"RO", []string{"2026-04-10", "2026-04-12", "2026-04-13", "2026-05-31", "2026-06-01", "2026-12-01"}, []string{"2026-04-06"}},
		{"RO", []string{"2027-04-30", "2027-05-02", "2027-05-03", "2027-06-20", "2027-06-21"}, []string{"2027-03-29"}},
		{"RO", []string{"2028-04-14", "2028-04-16", "2028-04-17", "2028-06-04", "2028-06-05"}, nil},
		// Serbia: Good Friday to Easter Monday (Orthodox), Sunday state holidays move on.
		{"RS", []string{"2026-04-10", "2026-04-11", "2026-04-12", "2026-04-13", "2026-02-15", "2026-02-16", "2026-02-17"}, []string{"2026-04-03", "2026-04-06"}},
		{"RS", []string{"2027-04-30", "2027-05-01", "2027-05-02", "2027-05-03"}, nil},
		{"RS", []string{"2028-04-14", "2028-04-17", "2028-01-03"}, nil},
		// Georgia: Orthodox Good Friday to Easter Monday.
		{"GE", []string{"2026-04-10", "2026-04-11", "2026-04-12", "2026-04-13", "2026-05-26"}, []string{"2026-04-06"}},
		{"GE", []string{"2027-04-30", "2027-05-01", "2027-05-02", "2027-05-03"}, nil},
		{"GE", []string{"2028-04-14", "2028-04-15", "2028-04-16", "2028-04-17"}, nil},
		{"KZ", []string{"2026-03-22", "2027-12-16", "2028-07-06"}, []string{"2026-04-13"}},
		// Poland: Easter Monday and Corpus Christi (Western).
		{"PL", []string{"2026-04-06", "2026-06-04", "2026-11-11"}, []string{"2026-04-13"}},
		{"PL", []string{"2027-03-29", "2027-05-27", "2027-05-03"}, nil},
		{"PL", []string{"2028-04-17", "2028-06-15"}, nil},
		// Switzerland: CH is Zurich; cantons differ (Berchtoldstag in Bern, not in Zurich).
		{"CH", []string{"2026-04-03", "2026-04-06", "2026-05-14", "2026-05-25", "2026-08-01"}, []string{"2026-01-02"}},
		{"CH-ZH", []string{"2027-03-26", "2027-05-06", "2027-05-17"}, nil},
		{"CH-BE", []string{"2026-01-02", "2028-04-14"}, nil},
		// United States: observed Friday for a Saturday Fourth of July, Thanksgiving.
		{"US", []string{"2026-01-19", "2026-07-03", "2026-11-26"}, []string{"2026-07-06"}},
		{"US", []string{"2027-11-25", "2027-12-24", "2027-12-31"}, nil},
		{"US", []string{"2028-11-23"}, nil},
		// Great Britain (England and Wales): bank holidays and their substitutes.
		{"GB", []string{"2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-28"}, nil},
		{"GB", []string{"2027-03-26", "2027-03-29", "2027-12-27", "2027-12-28"}, nil},
		{"GB", []string{"2028-04-14", "2028-04-17"}, nil},
		// Germany: nationwide; Bavaria adds Epiphany and Corpus Christi.
		{"DE", []string{"2026-04-03", "2026-05-14", "2026-10-03", "2027-05-17"}, []string{"2026-01-06"}},
		{"DE-BY", []string{"2026-01-06", "2026-06-04", "2028-06-15"}, nil},
		// Mexico: first Monday of February, third Mondays of March and November.
		{"MX", []string{"2026-02-02", "2026-03-16", "2026-09-16", "2026-11-16"}, []string{"2026-02-05", "2026-03-21", "2026-11-20"}},
		{"MX", []string{"2027-02-01", "2027-03-15", "2027-11-15"}, nil},
		{"MX", []string{"2028-02-07", "2028-03-20", "2028-11-20"}, nil},
		{"MX", []string{"2030-10-01"}, []string{"2026-10-01"}},
		// Colombia: Ley Emiliani moves to Monday; Easter-counted feasts.
		{"CO", []string{"2026-01-12", "2026-03-23", "2026-04-02", "2026-04-03", "2026-05-18", "2026-06-08", "2026-06-15", "2026-06-29", "2026-08-17", "2026-10-12", "2026-11-02", "2026-11-16"}, []string{"2026-01-06", "2026-03-19"}},
		{"CO", []string{"2027-01-11", "2027-03-22", "2027-03-25", "2027-03-26", "2027-05-10", "2027-05-31", "2027-06-07"}, nil},
		// Brazil and Argentina from the library: Good Friday, Tiradentes, Carnival.
		{"BR", []string{"2026-04-03", "2026-04-21", "2027-03-26"}, nil},
		{"AR", []string{"2026-02-16", "2026-02-17", "2026-04-03", "2028-04-14", "2027-03-26"}, []string{"2027-03-25"}},
	}
	for _, tc := range tests {
		got := map[cadence.Date]bool{}
		for y := 2025; y <= 2031; y++ {
			for _, d := range config.RegionHolidays(tc.region, y) {
				got[d] = true
			}
		}
		for _, s := range tc.on {
			assert.True(t, got[day(s)], "%s: %s is a public holiday", tc.region, s)
		}
		for _, s := range tc.off {
			assert.False(t, got[day(s)], "%s: %s is a working day", tc.region, s)
		}
	}
}

func TestRegionHolidaysAreRealSortedDates(t *testing.T) {
	regions := config.HolidayRegions()
	for _, want := range []string{"AR", "BR", "CH", "CH-ZH", "CH-GE", "CO", "DE", "DE-BY", "GB", "GE", "KZ", "MX", "PL", "RO", "RS", "US"} {
		assert.Contains(t, regions, want)
	}
	assert.Nil(t, config.RegionHolidays("FR", 2026))
	for _, region := range regions {
		for _, year := range []int{2026, 2027, 2028} { // a leap year too
			dates := config.RegionHolidays(region, year)
			require.NotEmpty(t, dates, region)
			for i, d := range dates {
				assert.Equal(t, d, cadence.DateOf(d.In(time.UTC)), "%s %s is a real date", region, d)
				if i > 0 {
					assert.True(t, dates[i-1].Before(d), "%s dates are sorted and unique", region)
				}
			}
		}
	}
}

func TestHolidayRegionCoversTheConfiguredYears(t *testing.T) {
	cfg, err := config.Parse("h.toml", []byte(toml(
		`[[people]]`,
		`id = "ana"`,
		`holiday_region = "ch-zh"`,
		`holidays = ["2026-04-03", "2026-08-01", "2026-09-21"]`,
		`[[rituals]]`,
		`id = "r"`,
		`kind = "triage"`,
		`schedule = "@daily"`,
		`channel = "c"`,
		`participants = ["all"]`,
		`window = "1h"`,
	)))
	require.NoError(t, err)
	ana := cfg.Roster.Person("ana")
	n := 0
	for y := config.HolidayYears[0]; y <= config.HolidayYears[1]; y++ {
		n += len(config.RegionHolidays("CH-ZH", y))
	}
	assert.Len(t, ana.Holidays, n+1, "explicit dates are merged, duplicates dropped")
	for _, y := range []int{config.HolidayYears[0], 2026, config.HolidayYears[1]} {
		away, why := ana.Away(time.Date(y, time.December, 25, 10, 0, 0, 0, time.UTC))
		assert.True(t, away, "%d", y)
		assert.Equal(t, "holiday", why)
	}
	for _, d := range []string{"2026-04-03", "2050-04-08", "2026-09-21"} { // Good Fridays, Knabenschiessen listed by hand
		away, _ := ana.Away(day(d).In(time.UTC).Add(10 * time.Hour))
		assert.True(t, away, d)
	}
}
