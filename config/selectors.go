package config

import (
	"fmt"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// selectPeople resolves person ids and selectors ("role:lead",
// "capability:release", "all") to ids in roster order, each once. A
// selector that matches nobody is reported at field[i]: it is almost
// always a typo.
func (d *decoder) selectPeople(field string, sels []string, cfg *Config) []string {
	want := map[string]bool{}
	for i, sel := range sels {
		f := fmt.Sprintf("%s[%d]", field, i)
		matched := false
		for _, p := range cfg.People {
			if matches(sel, p) {
				want[p.ID], matched = true, true
			}
		}
		if matched {
			continue
		}
		kind, value, hasKind := strings.Cut(sel, ":")
		switch {
		case !hasKind:
			d.add(f, "unknown person %q", sel)
		case kind == "role" && !cadence.Role(value).Valid():
			d.add(f, "unknown role %q (use specialist, lead, manager or admin)", value)
		case kind == "role":
			d.add(f, "nobody has role %q", value)
		case kind == "capability":
			d.add(f, "nobody has capability %q", value)
		default:
			d.add(f, `unknown selector %q (use a person id, "role:<role>", "capability:<capability>" or "all")`, sel)
		}
	}
	var out []string
	for _, p := range cfg.People {
		if want[p.ID] {
			out = append(out, p.ID)
		}
	}
	return out
}

// matches reports whether selector sel (an id, "role:X", "capability:X" or
// "all") names p.
func matches(sel string, p *cadence.Person) bool {
	switch kind, value, _ := strings.Cut(sel, ":"); kind {
	case "all":
		return sel == "all"
	case "role":
		return string(p.Role) == value
	case "capability":
		return p.HasCapability(value)
	}
	return sel == p.ID
}
