package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/config"
)

func TestLanguages(t *testing.T) {
	tests := []struct {
		name       string
		team       []string
		ana, bo    string // [[people]] language lines, "" for none
		wantTeam   string
		wantAna    string
		wantBo     string
		wantPeople [2]string // Person.Language as configured
	}{
		{name: "nothing set: English", wantTeam: "en", wantAna: "en", wantBo: "en"},
		{name: "team default", team: []string{`[team]`, `language = "de"`}, wantTeam: "de", wantAna: "de", wantBo: "de"},
		{
			name: "a person's own wins, case does not matter",
			team: []string{`[team]`, `language = "es"`}, bo: `language = "PL"`,
			wantTeam: "es", wantAna: "es", wantBo: "pl", wantPeople: [2]string{"", "pl"},
		},
		{name: "person only", ana: `language = "ro"`, wantTeam: "en", wantAna: "ro", wantBo: "en", wantPeople: [2]string{"ro", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines := append([]string{}, tc.team...)
			lines = append(lines, ``, `[[people]]`, `id = "ana"`, tc.ana, `[[people]]`, `id = "bo"`, tc.bo)
			cfg, err := config.Parse("lang.toml", []byte(file(lines, ritual())))
			require.NoError(t, err)
			assert.Equal(t, tc.wantTeam, cfg.Language)
			assert.Equal(t, tc.wantTeam, cfg.Roster.Language())
			assert.Equal(t, tc.wantAna, cfg.Roster.LanguageOf("ana"))
			assert.Equal(t, tc.wantBo, cfg.Roster.LanguageOf("bo"))
			assert.Equal(t, tc.wantTeam, cfg.Roster.LanguageOf("nobody"))
			assert.Equal(t, tc.wantPeople, [2]string{cfg.People[0].Language, cfg.People[1].Language})
		})
	}
}
