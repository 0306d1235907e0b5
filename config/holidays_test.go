package config_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

func TestRegionHolidays(t *testing.T) {
	assert.Equal(t, []string{"CH", "GE", "KZ", "PL", "RO", "RS"}, config.HolidayRegions())
	assert.Nil(t, config.RegionHolidays("FR", 2026))

	tests := []struct {
		region string
		date   cadence.Date
	}{
		{"RO", cadence.Date{Year: 2026, Month: time.December, Day: 1}},
		{"PL", cadence.Date{Year: 2027, Month: time.May, Day: 3}},
		{"RS", cadence.Date{Year: 2026, Month: time.February, Day: 15}},
		{"GE", cadence.Date{Year: 2026, Month: time.May, Day: 26}},
		{"KZ", cadence.Date{Year: 2026, Month: time.March, Day: 22}},
		{"CH", cadence.Date{Year: 2026, Month: time.August, Day: 1}},
	}
	for _, tc := range tests {
		assert.Contains(t, config.RegionHolidays(tc.region, tc.date.Year), tc.date, tc.region)
	}

	for _, region := range config.HolidayRegions() {
		for _, year := range []int{2027, 2028} { // a leap year too
			dates := config.RegionHolidays(region, year)
			assert.NotEmpty(t, dates, region)
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
		`holiday_region = "CH"`,
		`holidays = ["2026-04-03", "2026-08-01"]`,
		`[[rituals]]`,
		`id = "r"`,
		`kind = "triage"`,
		`schedule = "@daily"`,
		`channel = "c"`,
		`participants = ["all"]`,
		`window = "1h"`,
	)))
	if !assert.NoError(t, err) {
		return
	}
	ana := cfg.Roster.Person("ana")
	perYear := len(config.RegionHolidays("CH", 2026))
	years := config.HolidayYears[1] - config.HolidayYears[0] + 1
	assert.Len(t, ana.Holidays, perYear*years+1, "explicit dates are merged, duplicates dropped")
	for _, y := range []int{config.HolidayYears[0], 2026, config.HolidayYears[1]} {
		away, why := ana.Away(time.Date(y, time.December, 25, 10, 0, 0, 0, time.UTC))
		assert.True(t, away, "%d", y)
		assert.Equal(t, "holiday", why)
	}
	away, _ := ana.Away(time.Date(2026, time.April, 3, 10, 0, 0, 0, time.UTC))
	assert.True(t, away, "Good Friday listed explicitly")
}
