package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// unknownKeys reports keys the schema does not know: typos, and secrets
// put in the file. toml's MetaData.Undecoded finds them; the position
// index finds every element that has them.
func (d *decoder) unknownKeys() {
	undecoded := map[string]bool{}
	for _, k := range d.md.Undecoded() {
		undecoded[k.String()] = true
	}
	reported := map[string]bool{}
	knownOf := map[string][]string{}
	for _, k := range d.md.Undecoded() {
		if reported[k.String()] {
			continue // once per key: its paths below cover every element
		}
		reported[k.String()] = true
		table := k[:len(k)-1]
		if len(table) > 0 && undecoded[table.String()] {
			continue // report an unknown table once, not each key in it
		}
		name := k[len(k)-1]
		tk := plainTable(table)
		known, ok := knownOf[tk]
		if !ok {
			known = knownKeys(tk)
			knownOf[tk] = known
		}
		if slices.Contains(known, name) {
			continue // known, but skipped after a type error in its element
		}
		top := ""
		if len(k) > 1 {
			top = k[0]
		}
		var msg string
		switch {
		case looksSecret(top, name):
			msg = fmt.Sprintf("looks like a secret; secrets are read from the environment, never from the config file (set %s)", secretEnv(top, name))
		case suggest(name, known) != "":
			msg = fmt.Sprintf("unknown key (did you mean %q?)", suggest(name, known))
		case known != nil:
			msg = "unknown key; known keys here: " + strings.Join(known, ", ")
		default:
			msg = "unknown key"
		}
		paths := d.positions().plain[k.String()]
		if len(paths) == 0 {
			paths = []string{k.String()}
		}
		for _, p := range paths {
			d.add(p, "%s", msg)
		}
	}
}

// plainTable spells a table key as the tables map does.
func plainTable(k toml.Key) string { return strings.Join(k, ".") }
