package cadence_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// TestRefusedUpdateTellsTheLead: a summary whose new revision the platform
// refuses for good keeps its last version on screen, and the lead is told
// so instead of the update vanishing into the log.
func TestRefusedUpdateTellsTheLead(t *testing.T) {
	f := newDispatchFixture(t, false)
	sum := msg("summary", cadence.KindSummary, toChannel)
	sum.OccurrenceID = "triage@20261130T090000Z"
	f.enqueue(t, sum)
	f.run(t)
	require.Len(t, f.fake.ByKey("summary"), 1)

	f.fake.BeforeUpdate = func(cadence.Ref, *cadence.Message) error {
		return &cadence.SendError{Code: "message_too_large", Err: errors.New("Teams refused the summary as too large even when split into parts of 8 KB")}
	}
	require.NoError(t, f.store.Update(f.ctx, func(tx cadence.Tx) error {
		m, err := tx.Message("summary")
		if err != nil {
			return err
		}
		m.Revision++
		m.State = cadence.StatePending
		m.Body.Text = "3 of 4 answered"
		return tx.PutMessage(m)
	}))
	f.run(t)
	notices := f.fake.To(cadence.Recipient{Person: "lea"})
	require.Len(t, notices, 1)
	assert.Equal(t, "The latest update of the summary in #mlops could not be applied, so it still shows an earlier version: "+
		"the message is too long for the platform. Shorten the ritual's questions or ask people for shorter answers; the bot's log has the details.",
		notices[0].Message.Body.Text)
	assert.Equal(t, cadence.StateSent, f.get(t, "summary").State)

	// Refused again for the next revision: not told twice.
	require.NoError(t, f.store.Update(f.ctx, func(tx cadence.Tx) error {
		m, err := tx.Message("summary")
		if err != nil {
			return err
		}
		m.Revision++
		m.State = cadence.StatePending
		return tx.PutMessage(m)
	}))
	f.run(t)
	notices = f.fake.To(cadence.Recipient{Person: "lea"})
	require.Len(t, notices, 1)
	assert.Zero(t, notices[0].Updates, "the same failure is not listed again")
}
