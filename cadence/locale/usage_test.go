package locale_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/cadencebot/cadencebot/cadence/locale"
)

// idArg is the position of the message ID among the arguments of the
// functions that word catalog entries: words.t/n, Words.T/N and the
// adapters' UIText/UIPlural.
var idArg = map[string]int{"t": 0, "n": 0, "T": 0, "N": 0, "UIText": 1, "UIPlural": 1}

// dynamic are IDs the code builds from a literal prefix and a value;
// each prefix lists the endings it can take. Prefixes not listed here
// (older code: "cmd.", "home.", …) are not checked by this test.
var dynamic = map[string][]string{
	"release.title_":            {"proposed", "approved", "rejected", "shipped", "rolled_back"},
	"release.outcome_":          {"shipped", "rolled_back"},
	"release.decided_":          {"shipped", "rolled_back"},
	"release.decided_approved_": {"shipped", "rolled_back"},
	"release.status_":           {"proposed", "approved", "rejected", "shipped", "rolled_back"},
	"incident.status_":          {"open", "closed"},
	"followup.status_":          {"done", "dropped"},
}

var idShape = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// usedIDs reads the module's Go files (tests aside) for the catalog IDs
// they word, by file:line.
func usedIDs(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..")
	used := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			case *ast.Ident:
				name = fn.Name
			}
			i, ok := idArg[name]
			if !ok || len(call.Args) <= i {
				return true
			}
			at := fset.Position(call.Pos()).String()
			switch a := call.Args[i].(type) {
			case *ast.BasicLit:
				if id, err := strconv.Unquote(a.Value); err == nil && a.Kind == token.STRING && idShape.MatchString(id) {
					used[id] = at
				}
			case *ast.BinaryExpr:
				lit, ok := a.X.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				prefix, _ := strconv.Unquote(lit.Value)
				for _, e := range dynamic[prefix] {
					used[prefix+e] = at
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 50 {
		t.Fatalf("found only %d message IDs in the code: is the scan broken?", len(used))
	}
	return used
}

// TestCodeUsesOnlyCatalogIDs: every ID the code words is in every
// catalog, so nobody reads a bare key or an English line in their language.
func TestCodeUsesOnlyCatalogIDs(t *testing.T) {
	c := locale.Default()
	for id, at := range usedIDs(t) {
		for _, lang := range c.Languages() {
			if _, ok := slices.BinarySearch(c.IDs(lang), id); !ok {
				t.Errorf("%s: %q is not in %s.toml", at, id, lang)
			}
		}
	}
}

var field = regexp.MustCompile(`\{\{[^}]*?\.([A-Za-z_][A-Za-z0-9_]*)`)

// fields reads a catalog file: each message ID's template fields, over
// all its plural forms.
func fields(t *testing.T, lang string) map[string][]string {
	t.Helper()
	var raw map[string]any
	if _, err := toml.DecodeFile(filepath.Join("catalogs", lang+".toml"), &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	plural := []string{"zero", "one", "two", "few", "many", "other"}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case string:
			for _, m := range field.FindAllStringSubmatch(v, -1) {
				if !slices.Contains(out[prefix], m[1]) {
					out[prefix] = append(out[prefix], m[1])
				}
			}
		case map[string]any:
			forms := true
			for k := range v {
				forms = forms && slices.Contains(plural, k)
			}
			for k, x := range v {
				if forms {
					walk(prefix, x)
				} else {
					walk(strings.TrimPrefix(prefix+"."+k, "."), x)
				}
			}
			if _, ok := out[prefix]; forms && !ok {
				out[prefix] = nil
			}
		}
	}
	walk("", raw)
	for _, fs := range out {
		slices.Sort(fs)
	}
	return out
}

// TestCatalogsUseEnglishFields: a translation fills in the fields the
// English template does, no more and no fewer, so no value is dropped
// and none shows as "<no value>".
func TestCatalogsUseEnglishFields(t *testing.T) {
	en := fields(t, locale.English)
	if len(en) == 0 {
		t.Fatal("no messages read from en.toml")
	}
	for _, lang := range locale.Languages() {
		if lang == locale.English {
			continue
		}
		got := fields(t, lang)
		for id, want := range en {
			if have, ok := got[id]; ok && !slices.Equal(have, want) {
				t.Errorf("%s.toml %s uses fields %v, en.toml %v", lang, id, have, want)
			}
		}
	}
}
