package cadence_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// A Date reads back as written, the zero date included; "0000-00-00",
// which older binaries wrote for it (PostgreSQL docs), reads as zero.
func TestDateText(t *testing.T) {
	tests := []struct {
		json string
		want cadence.Date
	}{
		{`"2026-12-21"`, cadence.Date{Year: 2026, Month: 12, Day: 21}},
		{`""`, cadence.Date{}},
		{`"0000-00-00"`, cadence.Date{}},
	}
	for _, tc := range tests {
		t.Run(tc.json, func(t *testing.T) {
			var got cadence.Date
			require.NoError(t, json.Unmarshal([]byte(tc.json), &got))
			assert.Equal(t, tc.want, got)
			b, err := json.Marshal(got)
			require.NoError(t, err)
			var again cadence.Date
			require.NoError(t, json.Unmarshal(b, &again))
			assert.Equal(t, got, again)
		})
	}
	var d cadence.Date
	assert.Error(t, json.Unmarshal([]byte(`"2026-13-01"`), &d))
}
