package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// FuzzLoad feeds the loader arbitrary files: it must return a config or
// located errors, never panic or hang, and the position scanner must place
// every path of a file TOML accepts on one of its lines. CI runs it for a
// short time (.ci/run); `go test` alone runs the seeds.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.toml")
	seeds = append(seeds, "../config.example.toml")
	for _, path := range seeds {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"a = [[1], [2, [3]]]\n[[t]]\nx = { y = [ { z = 1 } ] }\n[t.sub]\nk = '''a\n[b]'''\n",
		"[bot]\ntimezone = \"Europe/Zurich\"\n[[rituals]]\nschedule = \"0 9 30 2 *\"\n",
		"a = " + strings.Repeat("[", 40) + strings.Repeat("]", 40),
		"x = [\n1,\n2]\n\"q.k\".b = 1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.toml", data)
		if err == nil && cfg == nil {
			t.Fatal("no config and no error")
		}
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error is not a located config.Errors: %T %v", err, err)
			}
		}
		src := string(data)
		if checkLimits("fuzz.toml", src) != nil {
			return
		}
		var v map[string]any
		if _, err := toml.Decode(src, &v); err != nil {
			return // the scanner runs on files TOML accepted only
		}
		lines := strings.Count(src, "\n") + 1
		pos := scanPositions(src)
		for path, l := range pos.lines {
			if l < 1 || l > lines {
				t.Fatalf("%s at line %d of %d", path, l, lines)
			}
		}
		for arr, runs := range pos.elems {
			for i, r := range runs {
				if r.line < 1 || r.line > lines || i > 0 && (r.idx <= runs[i-1].idx || r.line < runs[i-1].line) {
					t.Fatalf("%s: runs %v out of order or off the file", arr, runs)
				}
			}
		}
	})
}
