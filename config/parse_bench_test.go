package config_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cadencebot/cadencebot/config"
)

// manyRituals is a valid file with people and n rituals of every kind,
// with questions, reminders and skip dates.
func manyRituals(n int) []byte {
	var b strings.Builder
	b.WriteString("[bot]\ntimezone = \"Europe/Zurich\"\n\n")
	for i := range 20 {
		fmt.Fprintf(&b, "[[people]]\nid = \"p%d\"\nrole = \"%s\"\ntimezone = \"Asia/Almaty\"\ncapabilities = [\"release\"]\n\n", i, []string{"lead", "specialist"}[min(i, 1)])
	}
	kinds := []string{"triage", "deployment-planning", "quality-review", "standup"}
	for i := range n {
		fmt.Fprintf(&b, `[[rituals]]
id = "r%d"
kind = %q
schedule = "%d 9 * * MON-FRI"
channel = "ml-ops"
participants = ["all"]
facilitators = ["p1", "p2"]
window = "4h"
reminders = ["1h before close", "30m after open"]
skip_dates = ["2026-12-25"]
questions = [
  { id = "done", text = "What got done?", required = true },
  { id = "blockers", text = "Anything blocking?", blocker = true },
]

`, i, kinds[i%len(kinds)], i%60)
	}
	return []byte(b.String())
}

// BenchmarkParse2000Rituals: a large team's file validates in well under a
// second.
func BenchmarkParse2000Rituals(b *testing.B) {
	src := manyRituals(2000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := config.Parse("big.toml", src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseHostile: files built to be slow are refused or checked in
// time linear in their size.
func BenchmarkParseHostile(b *testing.B) {
	gen := func(n int, format string) string {
		var s strings.Builder
		for i := range n {
			fmt.Fprintf(&s, format, i)
		}
		return s.String()
	}
	for _, c := range []struct{ name, src string }{
		{"nested-arrays-8KB", "a = " + strings.Repeat("[", 4000) + strings.Repeat("]", 4000) + "\n"},
		{"nested-arrays-4MiB", "a = " + strings.Repeat("[", 2<<20-8) + strings.Repeat("]", 2<<20-8) + "\n"},
		{"arrays-31-deep-4MiB", "a = " + strings.Repeat("[", 31) + strings.Repeat("1,", 2<<20-100) + strings.Repeat("]", 31) + "\n"},
		{"unknown-keys-350k", gen(350000, "k%d=1\n")},
		{"inline-tables-4MiB", "[[rituals]]\nquestions = [" + strings.Repeat("{id=1},", 590000) + "]\n"},
	} {
		b.Run(c.name, func(b *testing.B) {
			src := []byte(c.src)
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := config.Parse("hostile.toml", src); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
