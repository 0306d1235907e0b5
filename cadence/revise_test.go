package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/cadence"
)

func TestMessageRevise(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		state     cadence.DeliveryState
		queued    bool
		wantState cadence.DeliveryState
	}{
		{cadence.StateSent, true, cadence.StatePending}, // updated in place
		{cadence.StatePending, true, cadence.StatePending},
		{cadence.StateSending, true, cadence.StateSending}, // the dispatcher sees the newer revision
		{cadence.StateFailed, false, cadence.StateFailed},  // nothing on the platform to update
		{cadence.StateDropped, false, cadence.StateDropped},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			m := &cadence.Message{State: tt.state, Revision: 3, Body: cadence.Body{Text: "old"}}
			assert.Equal(t, tt.queued, m.Revise(cadence.Body{Text: "new"}, now))
			assert.Equal(t, tt.wantState, m.State)
			assert.Equal(t, 4, m.Revision)
			assert.Equal(t, "new", m.Body.Text)
			if tt.state == cadence.StateSent {
				assert.Equal(t, now, m.NextAttemptAt)
			}
		})
	}
}
