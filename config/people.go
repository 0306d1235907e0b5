package config

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/cadencebot/cadencebot/cadence"
)

// slackUserID matches Slack user ids (U…) and Enterprise Grid ids (W…).
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// people converts [[people]]. A person whose table has a type mistake is
// kept with what could be read so references to them do not cascade into
// "unknown person" errors; the config is refused anyway.
func (d *decoder) people(elems []toml.Primitive, defaultZone *time.Location) []*cadence.Person {
	if len(elems) == 0 {
		d.add("people", "no people: add at least one [[people]] table")
		return nil
	}
	var out []*cadence.Person
	first := map[string]string{} // id → field of its first person
	for i, prim := range elems {
		field := fmt.Sprintf("people[%d]", i)
		var pf personFile
		if !d.decode(prim, field, &pf) {
			// Read the id alone: map order decides what was decoded before the error.
			var idOnly struct {
				ID string `toml:"id"`
			}
			_ = d.md.PrimitiveDecode(prim, &idOnly)
			if idOnly.ID == "" {
				continue
			}
			pf = personFile{ID: idOnly.ID}
		}
		p := d.person(field, &pf, defaultZone)
		if p.ID != "" {
			if f, dup := first[p.ID]; dup {
				d.add(field+".id", "duplicate person id %q (first at line %d)", p.ID, d.positions().line(f))
				continue
			}
			first[p.ID] = field + ".id"
		}
		out = append(out, p)
	}
	return out
}

func (d *decoder) person(field string, f *personFile, defaultZone *time.Location) *cadence.Person {
	p := &cadence.Person{
		ID:       f.ID,
		Name:     or(f.Name, f.ID),
		Role:     cadence.Role(or(f.Role, string(cadence.RoleSpecialist))),
		Location: defaultZone,
	}
	if msg := checkID(f.ID); msg != "" {
		d.add(field+".id", "%s", msg)
	}
	if !p.Role.Valid() {
		d.add(field+".role", "unknown role %q (use specialist, lead, manager or admin)", f.Role)
	}
	if f.Timezone != "" {
		if loc, msg := loadZone(f.Timezone); msg != "" {
			d.add(field+".timezone", "%s", msg)
		} else {
			p.Location = loc
		}
	}
	for i, c := range f.Capabilities {
		cf := fmt.Sprintf("%s.capabilities[%d]", field, i)
		switch {
		case !idPattern.MatchString(c):
			d.add(cf, "%q is not a valid capability: use lowercase letters, digits, '.', '_' or '-'", c)
		case slices.Contains(p.Capabilities, c):
			d.add(cf, "duplicate capability %q", c)
		default:
			p.Capabilities = append(p.Capabilities, c)
		}
	}
	if f.Language != "" {
		p.Language = d.language(field+".language", f.Language)
	}
	d.handles(field, f, p)
	for i, r := range f.OutOfOffice {
		rf := fmt.Sprintf("%s.out_of_office[%d]", field, i)
		from, okFrom := d.date(rf+".from", r.From)
		to, okTo := d.date(rf+".to", r.To)
		if okFrom && okTo && to.Before(from) {
			d.add(rf+".to", "%s is before from (%s)", to, from)
			continue
		}
		p.OutOfOffice = append(p.OutOfOffice, cadence.DateRange{From: from, To: to, Note: r.Note})
	}
	for i, h := range f.Holidays {
		if date, ok := d.date(fmt.Sprintf("%s.holidays[%d]", field, i), h); ok {
			p.Holidays = append(p.Holidays, date)
		}
	}
	if f.HolidayRegion != "" {
		region := strings.ToUpper(f.HolidayRegion) // "ch-zh" is as clear as "CH-ZH"
		if _, ok := regionHolidays[region]; !ok {
			d.add(field+".holiday_region", "unknown region %q (known: %s; list other holidays in holidays)", f.HolidayRegion, strings.Join(HolidayRegions(), ", "))
		}
		for y := HolidayYears[0]; y <= HolidayYears[1]; y++ {
			p.Holidays = append(p.Holidays, RegionHolidays(region, y)...)
		}
	}
	slices.SortFunc(p.Holidays, compareDates)
	p.Holidays = slices.Compact(p.Holidays)
	return p
}

// handles fills chat identities: slack takes a user id or an email (then
// resolved with users.lookupByEmail by the Slack adapter).
func (d *decoder) handles(field string, f *personFile, p *cadence.Person) {
	p.Handles.TeamsID = f.Teams
	if f.Email != "" {
		if !isEmail(f.Email) {
			d.add(field+".email", "%q is not an email address", f.Email)
		}
		p.Handles.Email = f.Email
	}
	switch {
	case f.Slack == "":
	case slackUserID.MatchString(f.Slack):
		p.Handles.SlackID = f.Slack
	case isEmail(f.Slack):
		if f.Email != "" && !strings.EqualFold(f.Email, f.Slack) {
			d.add(field+".slack", "email %q differs from email = %q; give one address", f.Slack, f.Email)
		}
		p.Handles.Email = f.Slack
	default:
		d.add(field+".slack", "%q is neither a Slack user id (U… or W…) nor an email address", f.Slack)
	}
}

func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// date checks a dateValue; a missing one is reported as missing.
func (d *decoder) date(field string, v dateValue) (cadence.Date, bool) {
	switch {
	case !v.set:
		d.add(field, "missing date (YYYY-MM-DD)")
		return cadence.Date{}, false
	case v.bad != "":
		d.add(field, "%s", v.bad)
		return cadence.Date{}, false
	}
	return v.date, true
}
