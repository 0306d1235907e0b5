package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/config"
)

// Files that used to take seconds and gigabytes, or crash the TOML
// parser's stack, are refused at once with a clear error.
func TestParseRefusesHostileFiles(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{
			name: "8 KB of nested arrays (the position scanner was quadratic in them)",
			src:  "a = " + strings.Repeat("[", 4000) + strings.Repeat("]", 4000) + "\n",
			want: "big.toml:1: arrays and inline tables nested more than 32 deep",
		},
		{
			name: "4 MB of nested arrays (the TOML parser overflowed its stack)",
			src:  "\n\na = " + strings.Repeat("[", 2<<20-8) + strings.Repeat("]", 2<<20-8),
			want: "big.toml:3: arrays and inline tables nested more than 32 deep",
		},
		{
			name: "nested inline tables",
			src:  "a = " + strings.Repeat("{b = ", 40) + "1" + strings.Repeat("}", 40) + "\n",
			want: "big.toml:1: arrays and inline tables nested more than 32 deep",
		},
		{
			name: "a dotted key of 40 parts",
			src:  "[bot]\n" + strings.Repeat("k.", 39) + "k = 1\n",
			want: "big.toml:2: a dotted key with more than 32 parts",
		},
		{
			name: "over 16 MiB",
			src:  "# " + strings.Repeat("x", config.MaxFileSize) + "\n",
			want: "big.toml: the file is larger than 16 MiB, the limit for a config file",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse("big.toml", []byte(tc.src))
			var errs config.Errors
			require.True(t, errors.As(err, &errs), "%v", err)
			assert.Equal(t, tc.want, err.Error())
		})
	}

	// Brackets in strings and comments are not nesting.
	ok := file(team, ritual(`title = "`+strings.Repeat("[", 100)+`"`)) + "# " + strings.Repeat("{", 100) + "\n"
	_, err := config.Parse("ok.toml", []byte(ok))
	require.NoError(t, err)
}

// Load reads no more than the limit of a larger file.
func TestLoadRefusesLargeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.toml")
	require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("#\n", config.MaxFileSize/2+1)), 0o600))
	_, err := config.Load(path)
	require.EqualError(t, err, path+": the file is larger than 16 MiB, the limit for a config file")
}

// Thousands of mistakes print the first config.MaxShownErrors and a count
// (420,000 unknown keys used to print 52 MB).
func TestErrorsAreCapped(t *testing.T) {
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "unknown%d = 1\n", i)
	}
	b.WriteString(file(team, ritual()))
	_, err := config.Parse("many.toml", []byte(b.String()))
	var errs config.Errors
	require.True(t, errors.As(err, &errs), "%v", err)
	assert.Len(t, errs, 1000, "every problem is still returned")
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, config.MaxShownErrors+1)
	assert.Equal(t, "many.toml:1: unknown0: unknown key; known keys here: bot, slack, teams, digest, people, rituals, releases, auth, integrations, mlflow, rotations, store, team", lines[0])
	assert.Equal(t, "… and 950 more", lines[config.MaxShownErrors])
}

// An unknown key in every element of a long array of tables is reported
// once per element, not once per element per element.
func TestUnknownKeyInManyElements(t *testing.T) {
	var b strings.Builder
	b.WriteString(file(team))
	for i := range 300 {
		fmt.Fprintf(&b, "[[rituals]]\nid = \"r%d\"\nkind = \"triage\"\nschedule = \"@daily\"\nchannel = \"c\"\nparticipants = [\"all\"]\nwindow = \"1h\"\nwindw = \"1h\"\n", i)
	}
	_, err := config.Parse("many.toml", []byte(b.String()))
	var errs config.Errors
	require.True(t, errors.As(err, &errs), "%v", err)
	require.Len(t, errs, 300)
	assert.Equal(t, `many.toml:22: rituals[0].windw: unknown key (did you mean "window"?)`, errs[0].Error())
	assert.Equal(t, `many.toml:2414: rituals[299].windw: unknown key (did you mean "window"?)`, errs[299].Error())
}

// An organisation's roster is larger than a team's: 50,000 people take
// about 10 MB, which loads (the padding stands in for them, cheaply).
func TestLargeRosterFitsTheLimit(t *testing.T) {
	src := file(team, ritual()) + strings.Repeat("# "+strings.Repeat("x", 98)+"\n", 100_000)
	require.Greater(t, len(src), 10_000_000)
	_, err := config.Parse("org.toml", []byte(src))
	require.NoError(t, err)
}
