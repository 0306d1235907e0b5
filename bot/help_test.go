package bot_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
)

// declaredVerbs reads every `X Verb = "..."` constant of package bot
// from its source, so a verb added to the grammar without a help line
// fails TestHelpListsEveryVerb without anyone updating a list here.
func declaredVerbs(t *testing.T) []bot.Verb {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var out []bot.Verb
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		f, err := parser.ParseFile(fset, name, src, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Verb" {
				return true
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok {
					s, err := strconv.Unquote(lit.Value)
					require.NoError(t, err)
					out = append(out, bot.Verb(s))
				}
			}
			return true
		})
	}
	return out
}

// TestHelpListsEveryVerb: every verb ParseCommand accepts has a line in
// /cadence help with an example that parses as that verb, and help
// lists no verb the grammar does not know.
func TestHelpListsEveryVerb(t *testing.T) {
	verbs := declaredVerbs(t)
	require.GreaterOrEqual(t, len(verbs), 15, "the verb constants were not found in the source")
	help := strings.Join(bot.HelpReply("").Lines, "\n")
	for _, v := range verbs {
		t.Run(string(v), func(t *testing.T) {
			cmd, err := bot.ParseCommand(string(v))
			if err == nil {
				require.Empty(t, cmd.Unknown, "ParseCommand does not accept %q", v)
			}
			u, ok := bot.UsageOf(v)
			require.True(t, ok, "/cadence help has no line for %q", v)
			assert.Contains(t, help, u.Syntax)
			assert.True(t, strings.HasPrefix(u.Syntax, string(v)), "syntax %q does not start with the verb", u.Syntax)
			ex, err := bot.ParseCommand(u.Example)
			require.NoError(t, err, "the example %q does not parse", u.Example)
			assert.Equal(t, v, ex.Verb, "the example %q is not a %s command", u.Example, v)
		})
	}
	for _, line := range bot.HelpReply("").Lines {
		verb := bot.Verb(strings.Fields(line)[0])
		cmd, err := bot.ParseCommand(string(verb))
		if err == nil {
			assert.Empty(t, cmd.Unknown, "help lists %q, which ParseCommand does not accept", verb)
		}
	}
}

func TestParseRitual(t *testing.T) {
	tests := []struct {
		text string
		want bot.Command
		err  string
	}{
		{"ritual new", bot.Command{Verb: bot.VerbRitual, Sub: "new"}, ""},
		{"ritual new standup", bot.Command{Verb: bot.VerbRitual, Sub: "new", Ritual: "standup"}, ""},
		{"ritual EDIT triage", bot.Command{Verb: bot.VerbRitual, Sub: "edit", Ritual: "triage"}, ""},
		{"ritual", bot.Command{}, "want new [template] or edit ID"},
		{"ritual edit", bot.Command{}, "edit takes one ritual id, got nothing"},
		{"ritual new a b", bot.Command{}, `new takes at most a template name, got "a b"`},
		{"ritual delete x", bot.Command{}, `"delete" is not new or edit`},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := bot.ParseCommand(tt.text)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParsePerson(t *testing.T) {
	tests := []struct {
		text string
		want bot.Command
		err  string
	}{
		{"person new", bot.Command{Verb: bot.VerbPerson, Sub: "new"}, ""},
		{"person EDIT Ana", bot.Command{Verb: bot.VerbPerson, Sub: "edit", Person: "ana"}, ""},
		{"/cadence person remove kim", bot.Command{Verb: bot.VerbPerson, Sub: "remove", Person: "kim"}, ""},
		{"person", bot.Command{}, "want new, edit ID or remove ID"},
		{"person new kim", bot.Command{}, `new takes nothing more (the id is typed in the form), got "kim"`},
		{"person remove", bot.Command{}, "remove takes one person id, got nothing"},
		{"person edit a b", bot.Command{}, `edit takes one person id, got "a b"`},
		{"person delete kim", bot.Command{}, `"delete" is not new, edit or remove`},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := bot.ParseCommand(tt.text)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
