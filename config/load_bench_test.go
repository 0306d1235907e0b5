package config

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParsePeople measures what `config check` and `run` pay to load
// a config of n people: several rituals select them by id, role,
// capability and "all", a digest and release approvers by role.
func BenchmarkParsePeople(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 50_000} {
		src := []byte(largeConfig(n))
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			cpu0 := cpuTime()
			for b.Loop() {
				cfg, err := Parse("large.toml", src)
				if err != nil {
					b.Fatal(err)
				}
				if len(cfg.Warnings) > 0 {
					b.Fatal(cfg.Warnings)
				}
			}
			// The build machine is shared: CPU time per load is the
			// figure that does not depend on the neighbours.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// largeConfig writes a valid config of n people across a handful of zones,
// roles and capabilities, with rituals that name people by every kind of
// selector.
func largeConfig(n int) string {
	zones := []string{"Europe/Zurich", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/London", "America/Los_Angeles"}
	roles := []string{"specialist", "specialist", "specialist", "lead", "manager"}
	caps := []string{"release", "ci-cd", "gpu", "data"}
	var b strings.Builder
	b.WriteString("[bot]\ntimezone = \"Europe/Zurich\"\nplatform = \"slack\"\n\n")
	for i := range n {
		fmt.Fprintf(&b, "[[people]]\nid = \"p%05d\"\nname = \"Person %d\"\nrole = %q\ntimezone = %q\nslack = \"U%08d\"\ncapabilities = [%q]\n\n",
			i, i, roles[i%len(roles)], zones[i%len(zones)], i, caps[i%len(caps)])
	}
	ids := func(from, count int) string {
		var s []string
		for i := from; i < from+count && i < n; i++ {
			s = append(s, fmt.Sprintf("%q", fmt.Sprintf("p%05d", i)))
		}
		return strings.Join(s, ", ")
	}
	// Facilitators take part, so the file loads without warnings.
	rituals := []struct{ id, kind, sel, facilitator string }{
		{"standup", "standup", `"all"`, "p00000"},
		{"leads", "standup", `"role:lead", "role:manager"`, "p00003"},
		{"deploys", "deployment-planning", `"capability:release", "capability:ci-cd"`, "p00000"},
		{"gpu-sync", "standup", `"capability:gpu", ` + ids(0, 200), "p00000"},
		{"squad", "standup", ids(n/2, 500), fmt.Sprintf("p%05d", n/2)},
	}
	for _, r := range rituals {
		fmt.Fprintf(&b, "[[rituals]]\nid = %q\nkind = %q\nschedule = \"0 9 * * MON-FRI\"\nchannel = \"C0123456\"\nparticipants = [%s]\nfacilitator = %q\nwindow = \"2h\"\n\n", r.id, r.kind, r.sel, r.facilitator)
	}
	return b.String()
}
