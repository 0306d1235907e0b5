package cadence_test

import (
	"archive/zip"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// zoneSpecs has every shape a cron field takes: star, step, list, range,
// range with step, names, day-of-month and day-of-week together (either
// matches), descriptors, and times inside the usual DST gaps and overlaps.
var zoneSpecs = []string{
	"* * * * *",
	"*/10 * * * *",
	"7,37 * * * *",
	"0 * * * *",
	"15 0-3 * * *",
	"30 2 * * *",
	"0 0 * * *",
	"59 23 * * *",
	"5-55/25 */2 * * *",
	"30 9 * * MON-FRI",
	"0 3 1,15 * 0",
	"0 12 * MAR,OCT *",
	"@daily",
}

// TestScheduleNextAllZones checks Next against a brute-force oracle in
// every zone of the tz database, around each transition of 2024-2026 (both
// directions, 30-minute shifts on Lord Howe, 2-hour shifts on Troll) and
// around the date-line jumps of Samoa and Kwajalein.
//
// The oracle walks the instants minute by minute and keeps the highest
// wall-clock reading so far: a matching wall time fires at the first
// instant the reading reaches it (once, even if the reading repeats it;
// at the end of a gap if the reading jumps over it). That is the rule
// schedule.go documents, computed without it.
func TestScheduleNextAllZones(t *testing.T) {
	zones := tzNames(t)
	require.Greater(t, len(zones), 300, "the tz database lists every zone")
	type window struct {
		zone     string
		from, to time.Time
	}
	var windows []window
	for _, name := range zones {
		loc := cadencetest.Location(t, name)
		ts := transitions(loc, utc(2024, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0))
		if len(ts) == 0 {
			windows = append(windows, window{name, utc(2026, 3, 1, 0, 0), utc(2026, 3, 3, 0, 0)})
		}
		for _, tr := range ts {
			windows = append(windows, window{name, tr.Add(-2 * time.Hour), tr.Add(2 * time.Hour)})
		}
	}
	for _, h := range []struct {
		zone string
		at   time.Time
	}{
		{"Pacific/Apia", utc(2011, 12, 30, 10, 0)},      // skipped 30 December 2011
		{"Pacific/Kwajalein", utc(1993, 8, 21, 12, 0)},  // skipped 21 August 1993
		{"America/Sao_Paulo", utc(2018, 11, 4, 3, 0)},   // DST began at midnight
		{"America/Santiago", utc(2026, 4, 5, 3, 0)},     // falls back at midnight
		{"Australia/Lord_Howe", utc(2026, 4, 4, 15, 0)}, // falls back 30 minutes
	} {
		windows = append(windows, window{h.zone, h.at.Add(-30 * time.Hour), h.at.Add(30 * time.Hour)})
	}

	specs := make([]*cron.SpecSchedule, len(zoneSpecs))
	for i, spec := range zoneSpecs {
		p, err := cron.ParseStandard(spec)
		require.NoError(t, err)
		specs[i] = p.(*cron.SpecSchedule)
	}
	// Zones that share their offsets over a window (most of Europe) give
	// the same fire instants: check each offset history once.
	seen := map[string]bool{}
	checked, distinct := 0, 0
	for _, w := range windows {
		loc := cadencetest.Location(t, w.zone)
		// Readings from 30 hours before the window on, so the highest
		// reading is known when it starts.
		lead := w.from.Add(-30 * time.Hour)
		key := offsetHistory(loc, lead, w.to)
		if seen[key] {
			continue
		}
		seen[key] = true
		distinct++
		n := int(w.to.Sub(lead) / time.Minute)
		instants := make([]time.Time, n)
		walls := make([]time.Time, n)
		for i := range n {
			instants[i] = lead.Add(time.Duration(i) * time.Minute).UTC()
			l := instants[i].In(loc)
			if _, off := l.Zone(); off%60 != 0 {
				t.Fatalf("%s: offset %ds at %s is not whole minutes; the oracle steps by minutes", w.zone, off, instants[i])
			}
			walls[i] = time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, time.UTC)
		}
		for si, spec := range zoneSpecs {
			s, err := cadence.ParseSchedule(spec, loc)
			require.NoError(t, err)
			var want []time.Time
			high := walls[0]
			for i := 1; i < n; i++ {
				// Every wall time the reading passes for the first time
				// fires now, all of them once.
				fire := false
				for ; high.Before(walls[i]); high = high.Add(time.Minute) {
					fire = fire || cronMatches(specs[si], high.Add(time.Minute))
				}
				if fire && instants[i].After(w.from) {
					want = append(want, instants[i])
				}
			}
			var got []time.Time
			for at := s.Next(w.from); at.Before(w.to); at = s.Next(at) {
				if at.IsZero() {
					t.Fatalf("%s %q: Next gave up after %v", w.zone, spec, got)
				}
				got = append(got, at)
			}
			if !slices.Equal(want, got) {
				i := 0
				for i < min(len(want), len(got)) && want[i].Equal(got[i]) {
					i++
				}
				t.Fatalf("%s %q from %s: fire %d of %d/%d differs:\nwant %v\ngot  %v", w.zone, spec, w.from.UTC(),
					i, len(want), len(got), want[i:min(i+3, len(want))], got[i:min(i+3, len(got))])
			}
			// Next from any instant is the oracle's first fire after it:
			// from inside a repeated hour too, where an old version found
			// nothing and stopped the ritual for good.
			// Every fifth minute, on the minute or half past it, puts
			// six starts in the shortest repeated span (30 minutes on
			// Lord Howe).
			k := 0
			for i := 0; i < n; i += 5 {
				at := instants[i].Add(time.Duration(i/5%2) * 30 * time.Second)
				if at.Before(w.from) {
					continue
				}
				for k < len(want) && !want[k].After(at) {
					k++
				}
				if k == len(want) {
					break
				}
				if got := s.Next(at); !got.Equal(want[k]) {
					t.Fatalf("%s %q: Next(%s) = %s, want %s", w.zone, spec, at, got, want[k])
				}
			}
			checked += len(got)
		}
	}
	t.Logf("%d zones, %d windows, %d distinct offset histories, %d fire times checked", len(zones), len(windows), distinct, checked)
}

// cronMatches reads the parsed fields directly: the oracle does not ask
// cron/v3 to step through time. Day-of-month and day-of-week both
// restricted means either matches, as in cron(8) and cron/v3.
func cronMatches(s *cron.SpecSchedule, w time.Time) bool {
	const star = 1 << 63
	bit := func(field uint64, v int) bool { return field&(1<<uint(v)) != 0 }
	if w.Second() != 0 || !bit(s.Minute, w.Minute()) || !bit(s.Hour, w.Hour()) || !bit(s.Month, int(w.Month())) {
		return false
	}
	dom, dow := bit(s.Dom, w.Day()), bit(s.Dow, int(w.Weekday()))
	if s.Dom&star != 0 || s.Dow&star != 0 {
		return dom && dow
	}
	return dom || dow
}

// offsetHistory spells loc's offsets over [from, to) with the instants
// they change.
func offsetHistory(loc *time.Location, from, to time.Time) string {
	var b strings.Builder
	for at := from; at.Before(to); {
		l := at.In(loc)
		_, off := l.Zone()
		fmt.Fprintf(&b, "%d@%d ", off, at.Unix())
		_, end := l.ZoneBounds()
		if end.IsZero() {
			break
		}
		at = end
	}
	return b.String()
}

// TestScheduleFallBackSecondPass is the case: a 10-minute ritual
// asked for its next fire from inside the second pass of Zurich's repeated
// hour got the zero time, so its cursor never moved again.
func TestScheduleFallBackSecondPass(t *testing.T) {
	s, err := cadence.ParseSchedule("*/10 * * * *", cadencetest.Location(t, "Europe/Zurich"))
	require.NoError(t, err)
	// 02:05 CET, the second pass: 02:10-02:50 fired in the first pass
	// (00:10-00:50 UTC), so the next fire is 03:00 CET.
	require.Equal(t, utc(2026, 10, 25, 2, 0), s.Next(utc(2026, 10, 25, 1, 5)))
	require.Equal(t, utc(2026, 10, 25, 0, 10), s.Next(utc(2026, 10, 25, 0, 5)), "first pass fires as usual")
	require.Equal(t, utc(2026, 10, 25, 2, 0), s.Next(utc(2026, 10, 25, 0, 50)), "the repeated hour fires once")
}

// TestScheduleRareSpecs: cron/v3 gives up five years out; Next must not.
func TestScheduleRareSpecs(t *testing.T) {
	tests := []struct {
		spec string
		from time.Time
		want time.Time
	}{
		{"0 0 29 2 *", utc(2097, 1, 1, 0, 0), utc(2104, 2, 29, 0, 0)}, // 2100 is no leap year
		{"0 9 29 2 *", utc(2026, 12, 2, 0, 0), utc(2028, 2, 29, 9, 0)},
		{"0 9 31 12 *", utc(2026, 12, 31, 9, 0), utc(2027, 12, 31, 9, 0)},
	}
	for _, tc := range tests {
		s, err := cadence.ParseSchedule(tc.spec, time.UTC)
		require.NoError(t, err)
		require.Equal(t, tc.want, s.Next(tc.from), tc.spec)
	}
}

func TestParseScheduleNeverFires(t *testing.T) {
	for _, spec := range []string{"0 9 30 2 *", "0 0 31 4,6,9,11 *", "0 9 30,31 2 *", "CRON_TZ=Europe/Zurich 0 9 30 2 *"} {
		_, err := cadence.ParseSchedule(spec, time.UTC)
		require.ErrorContains(t, err, "never fires", spec)
	}
	// Either field matching is enough when both are restricted.
	_, err := cadence.ParseSchedule("0 9 30 2 1", time.UTC)
	require.NoError(t, err, "Mondays in February")
}

// transitions lists the instants in [from, to) at which loc's offset
// changes.
func transitions(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	for at := from; at.Before(to); {
		l := at.In(loc)
		_, end := l.ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			break
		}
		_, off := l.Zone()
		if _, next := end.In(loc).Zone(); next != off {
			out = append(out, end)
		}
		at = end
	}
	return out
}

// tzNames lists the zones of the tz database: the zip Go ships, or the
// system's zoneinfo directory.
func tzNames(t *testing.T) []string {
	t.Helper()
	var names []string
	if z, err := zip.OpenReader(filepath.Join(build.Default.GOROOT, "lib", "time", "zoneinfo.zip")); err == nil {
		defer z.Close()
		for _, f := range z.File {
			names = append(names, f.Name)
		}
		return names
	}
	root := "/usr/share/zoneinfo"
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name, _ := filepath.Rel(root, path)
		if strings.Contains(name, ".") || strings.HasPrefix(name, "posix") || strings.HasPrefix(name, "right") {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && strings.HasPrefix(string(b), "TZif") {
			names = append(names, name)
		}
		return nil
	})
	if err != nil || len(names) == 0 {
		t.Skip("no tz database on this machine")
	}
	return names
}

// TestSchedulePeriodMatchesFireTimes: Period, computed from the fields,
// is the shortest gap between 400 successive fire times in UTC.
func TestSchedulePeriodMatchesFireTimes(t *testing.T) {
	specs := append([]string{"0 0 29 2 *", "@weekly", "@monthly", "@yearly", "0 9 1,15 * *", "*/7 * * * *",
		"0 9 * * 1,5", "0 12 1 * MON", "30 23 31 * *", "0 0,23 * * *", "15 9 * * 1-5"}, zoneSpecs...)
	for _, spec := range specs {
		s, err := cadence.ParseSchedule(spec, time.UTC)
		require.NoError(t, err)
		want := time.Duration(1<<63 - 1)
		prev := s.Next(utc(2025, 1, 1, 0, 0).Add(-time.Nanosecond))
		for range 400 {
			next := s.Next(prev)
			want = min(want, next.Sub(prev))
			prev = next
		}
		require.Equal(t, want, s.Period(), spec)
	}
}
