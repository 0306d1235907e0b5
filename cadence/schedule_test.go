package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// TestScheduleDST pins the promise of schedule.go over real zones: a wall
// time lost to spring-forward fires at the end of the gap, a wall time
// repeated by fall-back fires once (its first instant), and ordinary days
// are untouched. Expected instants are worked out by hand from the zones'
// 2026 transitions.
func TestScheduleDST(t *testing.T) {
	tests := []struct {
		name string
		zone string
		spec string
		from time.Time
		want []time.Time // successive fire times after from
	}{
		{
			name: "Zurich spring-forward: 02:30 does not exist, fires at 03:00 CEST",
			zone: "Europe/Zurich", spec: "30 2 * * *", from: utc(2026, 3, 27, 12, 0),
			want: []time.Time{utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)},
		},
		{
			name: "Zurich fall-back: 02:30 exists twice, fires once at the first",
			zone: "Europe/Zurich", spec: "30 2 * * *", from: utc(2026, 10, 24, 12, 0),
			want: []time.Time{utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)},
		},
		{
			name: "Zurich hourly over fall-back: the repeated 02:00 fires once",
			zone: "Europe/Zurich", spec: "0 * * * *", from: utc(2026, 10, 24, 22, 30),
			want: []time.Time{utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 2, 0), utc(2026, 10, 25, 3, 0)},
		},
		{
			name: "Zurich hourly over spring-forward: no double fire at the end of the gap",
			zone: "Europe/Zurich", spec: "0 * * * *", from: utc(2026, 3, 28, 23, 30),
			want: []time.Time{utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 2, 0)},
		},
		{
			name: "Zurich weekly triage keeps 09:30 local across the change",
			zone: "Europe/Zurich", spec: "30 9 * * 1", from: utc(2026, 3, 20, 0, 0),
			want: []time.Time{utc(2026, 3, 23, 8, 30), utc(2026, 3, 30, 7, 30)},
		},
		{
			name: "New York spring-forward: 02:30 fires at 03:00 EDT",
			zone: "America/New_York", spec: "30 2 * * *", from: utc(2026, 3, 7, 12, 0),
			want: []time.Time{utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)},
		},
		{
			name: "New York fall-back: 01:30 fires once, in EDT",
			zone: "America/New_York", spec: "30 1 * * *", from: utc(2026, 10, 31, 12, 0),
			want: []time.Time{utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)},
		},
		{
			name: "New York: a fire time inside the repeated hour, asked from its second pass",
			zone: "America/New_York", spec: "45 1 * * *", from: utc(2026, 11, 1, 6, 10), // 01:10 EST, after 01:45 EDT fired
			want: []time.Time{utc(2026, 11, 2, 6, 45)},
		},
		{
			name: "Kolkata has no DST: 09:15 IST is 03:45 UTC every day",
			zone: "Asia/Kolkata", spec: "15 9 * * *", from: utc(2026, 3, 28, 0, 0),
			want: []time.Time{utc(2026, 3, 28, 3, 45), utc(2026, 3, 29, 3, 45), utc(2026, 3, 30, 3, 45)},
		},
		{
			name: "Kolkata: a fire before midnight UTC",
			zone: "Asia/Kolkata", spec: "30 2 * * 1", from: utc(2026, 11, 28, 0, 0),
			want: []time.Time{utc(2026, 11, 29, 21, 0), utc(2026, 12, 6, 21, 0)},
		},
		{
			name: "Lord Howe spring-forward by 30 minutes: 02:15 fires at 02:30 LHDT",
			zone: "Australia/Lord_Howe", spec: "15 2 * * *", from: utc(2026, 10, 2, 12, 0),
			want: []time.Time{utc(2026, 10, 2, 15, 45), utc(2026, 10, 3, 15, 30), utc(2026, 10, 4, 15, 15)},
		},
		{
			name: "Lord Howe fall-back by 30 minutes: 01:45 fires once, at +11",
			zone: "Australia/Lord_Howe", spec: "45 1 * * *", from: utc(2026, 4, 3, 12, 0),
			want: []time.Time{utc(2026, 4, 3, 14, 45), utc(2026, 4, 4, 14, 45), utc(2026, 4, 5, 15, 15)},
		},
		{
			name: "CRON_TZ overrides the zone",
			zone: "UTC", spec: "CRON_TZ=Europe/Zurich 30 9 * * 1", from: utc(2026, 11, 28, 0, 0),
			want: []time.Time{utc(2026, 11, 30, 8, 30)},
		},
		{
			name: "@every is zone-free and second-aligned",
			zone: "Europe/Zurich", spec: "@every 30s", from: time.Date(2026, 3, 29, 0, 59, 50, 500, time.UTC),
			want: []time.Time{time.Date(2026, 3, 29, 1, 0, 20, 0, time.UTC), time.Date(2026, 3, 29, 1, 0, 50, 0, time.UTC)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := cadence.ParseSchedule(tc.spec, cadencetest.Location(t, tc.zone))
			require.NoError(t, err)
			var got []time.Time
			at := tc.from
			for range tc.want {
				at = s.Next(at)
				got = append(got, at)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestScheduleNeverFiresTwiceOrSkipsADay walks a daily schedule for two
// years in each zone and checks every civil date gets exactly one fire.
func TestScheduleNeverFiresTwiceOrSkipsADay(t *testing.T) {
	for _, zone := range []string{"Europe/Zurich", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"} {
		for _, spec := range []string{"15 9 * * *", "30 2 * * *", "45 1 * * *", "0 0 * * *"} {
			t.Run(zone+" "+spec, func(t *testing.T) {
				loc := cadencetest.Location(t, zone)
				s, err := cadence.ParseSchedule(spec, loc)
				require.NoError(t, err)
				start := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
				at := start.Add(-time.Second)
				seen := map[cadence.Date]int{}
				prev := time.Time{}
				for i := 0; i < 730; i++ {
					at = s.Next(at)
					require.True(t, at.After(prev), "fire times strictly increase")
					prev = at
					seen[cadence.DateOf(at.In(loc))]++
				}
				for d := start; d.Before(start.AddDate(2, 0, 0)); d = d.AddDate(0, 0, 1) {
					assert.Equal(t, 1, seen[cadence.DateOf(d)], "fires on %s", cadence.DateOf(d))
				}
			})
		}
	}
}

func TestScheduleWallIn(t *testing.T) {
	zurich := cadencetest.Location(t, "Europe/Zurich")
	tests := []struct {
		name string
		spec string
		fire time.Time
		zone string
		want time.Time
	}{
		{"Almaty is UTC+5: 09:15 there is 04:15 UTC", "15 9 * * 1-5", utc(2026, 11, 30, 8, 15), "Asia/Almaty", utc(2026, 11, 30, 4, 15)},
		{"Bucharest", "15 9 * * 1-5", utc(2026, 11, 30, 8, 15), "Europe/Bucharest", utc(2026, 11, 30, 7, 15)},
		{"Kolkata half-hour offset", "15 9 * * 1-5", utc(2026, 11, 30, 8, 15), "Asia/Kolkata", utc(2026, 11, 30, 3, 45)},
		{"New York, same civil date", "15 9 * * 1-5", utc(2026, 11, 30, 8, 15), "America/New_York", utc(2026, 11, 30, 14, 15)},
		{"Lord Howe: the same date is the previous UTC day", "15 9 * * 1-5", utc(2026, 11, 30, 8, 15), "Australia/Lord_Howe", utc(2026, 11, 29, 22, 15)},
		{"New York already on summer time, Zurich not yet", "15 9 * * 1-5", utc(2026, 3, 9, 8, 15), "America/New_York", utc(2026, 3, 9, 13, 15)},
		{"the wall time falls in the person's DST gap", "30 2 * * *", utc(2026, 3, 8, 1, 30), "America/New_York", utc(2026, 3, 8, 7, 0)},
		{"second fire of the day maps to the second fire", "0 9,15 * * *", utc(2026, 11, 30, 14, 0), "Asia/Almaty", utc(2026, 11, 30, 10, 0)},
		{"same zone is the identity", "15 9 * * 1-5", utc(2026, 11, 30, 8, 15), "Europe/Zurich", utc(2026, 11, 30, 8, 15)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := cadence.ParseSchedule(tc.spec, zurich)
			require.NoError(t, err)
			assert.Equal(t, tc.want, s.WallIn(tc.fire, cadencetest.Location(t, tc.zone)))
		})
	}
	every, err := cadence.ParseSchedule("@every 1m", zurich)
	require.NoError(t, err)
	assert.Equal(t, utc(2026, 1, 1, 0, 0), every.WallIn(utc(2026, 1, 1, 0, 0), cadencetest.Location(t, "Asia/Almaty")), "@every has no wall clock")
}

func TestParseScheduleErrors(t *testing.T) {
	tests := []struct {
		spec    string
		wantErr string
	}{
		{"", "empty schedule"},
		{"CRON_TZ=Mars/Olympus 0 9 * * *", `unknown time zone "Mars/Olympus"`},
		{"CRON_TZ=Europe/Zurich", "has a time zone but no spec"},
		{"61 9 * * *", `schedule "61 9 * * *"`},
		{"@every 500ms", "@every needs a whole number of seconds, at least 1s"},
		{"@every 1500ms", "@every needs a whole number of seconds, at least 1s"},
		{"@every soon", `schedule "@every soon": time: invalid duration`},
		{"0 9 * *", `schedule "0 9 * *"`},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			_, err := cadence.ParseSchedule(tc.spec, time.UTC)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestSchedulePeriod(t *testing.T) {
	tests := []struct {
		spec string
		want time.Duration
	}{
		{"@every 30s", 30 * time.Second},
		{"15 9 * * 1-5", 24 * time.Hour},
		{"30 9 * * 1", 7 * 24 * time.Hour},
		{"0 9,15 * * *", 6 * time.Hour},
		{"@weekly", 7 * 24 * time.Hour},
	}
	for _, tc := range tests {
		s, err := cadence.ParseSchedule(tc.spec, cadencetest.Location(t, "Europe/Zurich"))
		require.NoError(t, err)
		assert.Equal(t, tc.want, s.Period(), tc.spec)
	}
}
