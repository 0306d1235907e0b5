package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// peopleIndex holds the roster positions of each id, role and capability,
// built once per load: with tens of thousands of people, matching every
// selector against every person made loading quadratic.
type peopleIndex struct {
	byID   map[string]int
	byRole map[cadence.Role][]int
	byCap  map[string][]int
}

func newPeopleIndex(people []*cadence.Person) *peopleIndex {
	x := &peopleIndex{byID: make(map[string]int, len(people)), byRole: map[cadence.Role][]int{}, byCap: map[string][]int{}}
	for i, p := range people {
		if _, dup := x.byID[p.ID]; !dup {
			x.byID[p.ID] = i
		}
		x.byRole[p.Role] = append(x.byRole[p.Role], i)
		for _, c := range p.Capabilities {
			x.byCap[c] = append(x.byCap[c], i)
		}
	}
	return x
}

// match returns the roster positions sel names (an id, "role:X",
// "capability:X" or "all"), or nil.
func (x *peopleIndex) match(sel string, n int) []int {
	switch kind, value, _ := strings.Cut(sel, ":"); kind {
	case "all":
		if sel != "all" {
			return nil
		}
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	case "role":
		return x.byRole[cadence.Role(value)]
	case "capability":
		return x.byCap[value]
	}
	if i, ok := x.byID[sel]; ok {
		return []int{i}
	}
	return nil
}

// selectPeople resolves person ids and selectors ("role:lead",
// "capability:release", "all") to ids in roster order, each once. A
// selector that matches nobody is reported at field[i]: it is almost
// always a typo.
func (d *decoder) selectPeople(field string, sels []string, cfg *Config) []string {
	if d.index == nil {
		d.index = newPeopleIndex(cfg.People)
	}
	var picked []int
	for i, sel := range sels {
		if m := d.index.match(sel, len(cfg.People)); len(m) > 0 {
			picked = append(picked, m...)
			continue
		}
		f := fmt.Sprintf("%s[%d]", field, i)
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
	slices.Sort(picked)
	picked = slices.Compact(picked)
	var out []string
	for _, i := range picked {
		out = append(out, cfg.People[i].ID)
	}
	return out
}
