package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/config"
)

// A facilitator outside the participants is allowed (a lead may run a
// meeting without reporting in it) but warned about: they get no prompt.
func TestFacilitatorNotParticipantWarns(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "single facilitator",
			src:  file(team, ritual(`participants = ["bo"]`, `facilitator = "ana"`)),
			want: []string{`warn.toml:22: rituals[0].facilitator: "ana" facilitates but is not among the participants: they are named on the agenda but get no prompt and are not counted; add them to participants if they should answer`},
		},
		{
			name: "rotation, one outside",
			src:  file(team, ritual(`participants = ["bo"]`, `facilitators = ["bo", "ana"]`)),
			want: []string{`warn.toml:22: rituals[0].facilitators[1]: "ana" facilitates but is not among the participants: they are named on the agenda but get no prompt and are not counted; add them to participants if they should answer`},
		},
		{
			name: "facilitator among the participants",
			src:  file(team, ritual(`facilitator = "ana"`)),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse("warn.toml", []byte(tc.src))
			require.NoError(t, err, "source:\n%s", numbered(tc.src))
			var got []string
			for _, w := range cfg.Warnings {
				got = append(got, w.Error())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestExampleConfigHasNoWarnings(t *testing.T) {
	for _, path := range []string{"../config.example.toml", "testdata/trial.toml"} {
		cfg, err := config.Load(path)
		require.NoError(t, err)
		assert.Empty(t, cfg.Warnings, path)
	}
}
