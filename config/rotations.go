package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// rotationFile is one [[rotations]] table: an on-call rotation.
type rotationFile struct {
	ID          string         `toml:"id"`
	Title       string         `toml:"title"`
	Members     []string       `toml:"members"`
	Timezone    string         `toml:"timezone"`
	Start       dateValue      `toml:"start"`
	HandoffDay  string         `toml:"handoff_day"`
	HandoffTime string         `toml:"handoff_time"`
	Length      string         `toml:"length"`
	Overrides   []overrideFile `toml:"overrides"`
	Import      *importFile    `toml:"import"`
}

// importFile is [rotations.import]: read the current on-call from
// PagerDuty or Opsgenie.
type importFile struct {
	Provider   string `toml:"provider"`
	ScheduleID string `toml:"schedule_id"`
	TokenEnv   string `toml:"token_env"`
	URL        string `toml:"url"`
	Every      string `toml:"every"`
}

type overrideFile struct {
	From   wallValue `toml:"from"`
	To     wallValue `toml:"to"`
	Person string    `toml:"person"`
	Note   string    `toml:"note"`
}

// wallValue is a wall-clock time in the rotation's zone: "2026-12-24
// 09:00" (or with a T), or a bare TOML local date-time. A bad value is
// kept, not returned, so the other problems are reported too.
type wallValue struct {
	set  bool
	wall time.Time // fields only; the zone is UTC and meaningless
	bad  string
}

func (w *wallValue) UnmarshalTOML(v any) error {
	w.set = true
	switch x := v.(type) {
	case string:
		for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04"} {
			if t, err := time.Parse(layout, x); err == nil {
				w.wall = t
				return nil
			}
		}
		w.bad = fmt.Sprintf("%q is not a local time; use \"YYYY-MM-DD HH:MM\" (in the rotation's zone)", x)
	case time.Time:
		if x.Location().String() != "datetime-local" {
			w.bad = "must be a local date and time without an offset (the rotation's zone applies)"
			return nil
		}
		w.wall = time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute(), 0, 0, time.UTC)
	default:
		w.bad = "must be a local time \"YYYY-MM-DD HH:MM\", not " + tomlTypeName(x)
	}
	return nil
}

func (d *decoder) rotations(elems []toml.Primitive, cfg *Config) []*cadence.Rotation {
	var out []*cadence.Rotation
	first := map[string]string{}
	for i, prim := range elems {
		field := fmt.Sprintf("rotations[%d]", i)
		var rf rotationFile
		if !d.decode(prim, field, &rf) {
			continue
		}
		r := d.rotation(field, &rf, cfg)
		if r == nil {
			continue
		}
		if f, dup := first[r.ID]; dup {
			d.add(field+".id", "duplicate rotation id %q (first at line %d)", r.ID, d.positions().line(f))
			continue
		}
		first[r.ID] = field + ".id"
		out = append(out, r)
	}
	return out
}

func (d *decoder) rotation(field string, f *rotationFile, cfg *Config) *cadence.Rotation {
	before := len(d.errs)
	r := &cadence.Rotation{ID: f.ID, Title: or(f.Title, f.ID), Location: cfg.Bot.Timezone}
	if msg := checkID(f.ID); msg != "" {
		d.add(field+".id", "%s", msg)
	}
	if f.Timezone != "" {
		if loc, msg := loadZone(f.Timezone); msg != "" {
			d.add(field+".timezone", "%s", msg)
		} else {
			r.Location = loc
		}
	}
	if len(f.Members) == 0 {
		d.add(field+".members", "no members: nobody would be on call (a gap); list person ids in hand-off order")
	}
	for i, id := range f.Members {
		mf := fmt.Sprintf("%s.members[%d]", field, i)
		switch {
		case slices.Contains(r.Members, id):
			d.add(mf, "%q is listed twice: each member takes one turn per cycle", id)
		case d.knownPerson(mf, id, cfg):
			r.Members = append(r.Members, id)
		}
	}
	switch n, msg := parseLength(f.Length); {
	case msg != "":
		d.add(field+".length", "%s", msg)
	default:
		r.Length = n
	}
	h, m, msg := parseClock(or(f.HandoffTime, "09:00"))
	if msg != "" {
		d.add(field+".handoff_time", "%s", msg)
	}
	r.HandoffHour, r.HandoffMinute = h, m
	switch {
	case !f.Start.set:
		d.add(field+".start", "missing start: the date of the first hand-off (YYYY-MM-DD), when the first member takes over")
	default:
		if date, ok := d.date(field+".start", f.Start); ok {
			r.Start = date
		}
	}
	if f.HandoffDay != "" {
		wd, ok := parseWeekday(f.HandoffDay)
		switch {
		case !ok:
			d.add(field+".handoff_day", "%q is not a weekday (monday … sunday, or mon … sun)", f.HandoffDay)
		case r.Length%7 != 0 && r.Length > 0:
			d.add(field+".handoff_day", "turns of %d days hand off on a different weekday each time; drop handoff_day or use a length in whole weeks", r.Length)
		case !r.Start.IsZero() && r.Start.In(time.UTC).Weekday() != wd:
			d.add(field+".start", "%s is a %s, but handoff_day is %s", r.Start, r.Start.In(time.UTC).Weekday(), wd)
		}
	}
	for i, of := range f.Overrides {
		ff := fmt.Sprintf("%s.overrides[%d]", field, i)
		ov := cadence.Override{Rotation: r.ID, Person: of.Person, Note: of.Note}
		ok := true
		for _, w := range []struct {
			name string
			v    wallValue
			dst  *time.Time
		}{{"from", of.From, &ov.From}, {"to", of.To, &ov.To}} {
			switch {
			case !w.v.set:
				d.add(ff+"."+w.name, "missing %s (\"YYYY-MM-DD HH:MM\" in the rotation's zone)", w.name)
				ok = false
			case w.v.bad != "":
				d.add(ff+"."+w.name, "%s", w.v.bad)
				ok = false
			default:
				*w.dst = cadence.InstantOfWall(w.v.wall, r.Location)
			}
		}
		if of.Person == "" {
			d.add(ff+".person", "missing person: an override names who is on call instead")
			ok = false
		} else if !d.knownPerson(ff+".person", of.Person, cfg) {
			ok = false
		}
		if ok {
			if err := cadence.CheckOverrides([]cadence.Override{ov}); err != nil {
				d.add(ff, "%v", err)
				continue
			}
			if err := cadence.CheckOverrides(append(slices.Clone(r.Overrides), ov)); err != nil {
				d.add(ff, "%v", err)
				continue
			}
			r.Overrides = append(r.Overrides, ov)
		}
	}
	if f.Import != nil {
		r.Import = d.rotationImport(field+".import", f.Import, r, cfg)
	}
	if len(d.errs) > before {
		return nil
	}
	return r
}

// rotationImport checks [rotations.import]. The token itself is read
// from the environment at start, never from the file.
func (d *decoder) rotationImport(field string, f *importFile, r *cadence.Rotation, cfg *Config) *cadence.RotationImport {
	im := &cadence.RotationImport{Provider: strings.ToLower(strings.TrimSpace(f.Provider)), Schedule: strings.TrimSpace(f.ScheduleID), TokenEnv: f.TokenEnv, URL: f.URL, Every: 5 * time.Minute}
	switch im.Provider {
	case "pagerduty", "opsgenie":
	case "":
		d.add(field+".provider", `missing provider: "pagerduty" or "opsgenie"`)
	default:
		d.add(field+".provider", `%q: the provider is "pagerduty" or "opsgenie"`, f.Provider)
	}
	if im.Schedule == "" {
		d.add(field+".schedule_id", "missing schedule_id: the id of the %s schedule whose on-call this rotation follows", or(ops.ProviderName(im.Provider), "provider's"))
	}
	if !envName.MatchString(f.TokenEnv) {
		d.add(field+".token_env", "%q: name the environment variable holding the API token (e.g. \"PAGERDUTY_TOKEN\"); the token itself never goes in the file", f.TokenEnv)
	}
	if f.URL != "" {
		// The token is sent there: https unless loopback.
		if msg := checkOutboundURL(f.URL); msg != "" {
			d.add(field+".url", "%s", msg)
		}
	}
	if f.Every != "" {
		every, err := time.ParseDuration(f.Every)
		switch {
		case err != nil:
			d.add(field+".every", "%q is not a duration; use e.g. \"5m\"", f.Every)
		case every < time.Minute || every > 24*time.Hour:
			d.add(field+".every", "%q: between 1m and 24h (the providers rate-limit their APIs)", f.Every)
		default:
			im.Every = every
		}
	}
	// The import maps the provider's user to a person by email.
	for _, id := range r.Members {
		if p := cfg.Roster.Person(id); p != nil && p.Handles.Email == "" {
			d.warn(field, "member %q has no email in [[people]]: if %s puts them on call, the import cannot tell who it is", id, or(ops.ProviderName(im.Provider), "the provider"))
		}
	}
	return im
}

// parseLength reads "1w", "2w", "7d", "3d" (or "1 week", "14 days") into
// days.
func parseLength(s string) (int, string) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, `missing length: how long one turn lasts ("1w", "2w", "7d")`
	}
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.TrimSpace(s[len(num):])
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 {
		return 0, fmt.Sprintf("%q: want a whole number of days or weeks, e.g. \"1w\" or \"3d\"", s)
	}
	switch unit {
	case "d", "day", "days":
	case "w", "week", "weeks":
		n *= 7
	default:
		return 0, fmt.Sprintf("%q: the unit is d (days) or w (weeks)", s)
	}
	if n > 366 {
		return 0, fmt.Sprintf("%q: a turn longer than a year is surely a typo", s)
	}
	return n, ""
}

func parseClock(s string) (h, m int, msg string) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, 0, fmt.Sprintf("%q is not a time of day; use HH:MM, e.g. \"09:00\"", s)
	}
	return t.Hour(), t.Minute(), ""
}

func parseWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		name := strings.ToLower(wd.String())
		if s == name || s == name[:3] {
			return wd, true
		}
	}
	return 0, false
}
