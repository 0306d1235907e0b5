package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const checkTeam = `[bot]
timezone = "Europe/Zurich"

[[people]]
id = "ana"
role = "lead"

[[people]]
id = "bo"

[[rituals]]
id = "triage"
kind = "triage"
channel = "ml-ops"
participants = ["bo"]
window = "4h"
`

// A schedule that never fires is refused with exit 1, naming the field;
// it used to pass with "next 0".
func TestConfigCheckRefusesScheduleThatNeverFires(t *testing.T) {
	path := writeFile(t, "never.toml", checkTeam+`schedule = "0 9 30 2 *"`+"\n")
	code, out, errOut := cli(t, nil, "config", "check", "--config", path)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, errOut, "never.toml:17: rituals[0].schedule: never fires")
}

// A facilitator outside the participants loads, with a warning.
func TestConfigCheckWarnsFacilitatorNotParticipant(t *testing.T) {
	path := writeFile(t, "fac.toml", checkTeam+`schedule = "30 9 * * MON"`+"\n"+`facilitator = "ana"`+"\n")
	code, out, errOut := cli(t, nil, "config", "check", "--config", path)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "fac.toml: OK")
	assert.Contains(t, errOut, "warning: ")
	assert.Contains(t, errOut, `fac.toml:18: rituals[0].facilitator: "ana" facilitates but is not among the participants`)
}
