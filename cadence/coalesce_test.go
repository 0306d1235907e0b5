package cadence_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// TestDispatcherCoalescesEdits: a summary revised on every answer of a
// burst is edited at most once per interval, and the edit that follows
// the burst carries its last revision.
func TestDispatcherCoalescesEdits(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clock := cadence.NewManualClock(start)
	st := cadencetest.NewStore()
	chat := cadencetest.NewChat("slack")
	d := cadence.NewDispatcher(st, clock, map[string]cadence.Chat{"slack": chat}, zerolog.Nop(), nil, cadence.WithEditInterval(3*time.Second))
	require.NoError(t, st.Update(ctx, func(tx cadence.Tx) error {
		_, err := tx.Enqueue(&cadence.Message{Key: "summary", Kind: cadence.KindSummary, Platform: "slack",
			To: cadence.Recipient{Channel: "ml"}, Body: cadence.Body{Text: "0 answers"}, CreatedAt: start,
			Revision: 1, State: cadence.StatePending, NextAttemptAt: start})
		return err
	}))
	run := func() {
		_, err := d.RunOnce(ctx)
		require.NoError(t, err)
	}
	revise := func(text string) {
		require.NoError(t, st.Update(ctx, func(tx cadence.Tx) error {
			m, err := tx.Message("summary")
			if err != nil {
				return err
			}
			m.Body.Text, m.Revision = text, m.Revision+1
			m.State, m.NextAttemptAt = cadence.StatePending, clock.Now()
			return tx.PutMessage(m)
		}))
	}
	edits := func() (int, string) {
		got := chat.ByKey("summary")
		require.Len(t, got, 1, "posted once")
		return got[0].Updates, got[0].Message.Body.Text
	}
	run()                      // posted at 09:00:00
	for i := 1; i <= 10; i++ { // ten answers within two seconds
		clock.Set(start.Add(time.Duration(i) * 200 * time.Millisecond))
		revise(fmt.Sprintf("%d answers", i))
		run()
	}
	n, text := edits()
	assert.Zero(t, n, "no edit within 3 s of the post")
	assert.Equal(t, "0 answers", text)
	assert.Equal(t, start.Add(3*time.Second), d.HeldUntil(), "the held edit may go 3 s after the post")

	clock.Set(start.Add(3 * time.Second))
	run()
	n, text = edits()
	assert.Equal(t, 1, n, "one edit for the burst")
	assert.Equal(t, "10 answers", text, "carrying the last revision")
	assert.True(t, d.HeldUntil().IsZero(), "nothing held back")

	clock.Set(start.Add(4 * time.Second))
	revise("11 answers")
	run()
	n, _ = edits()
	assert.Equal(t, 1, n, "the next edit waits 3 s from the previous one")
	clock.Set(start.Add(6 * time.Second))
	run()
	n, text = edits()
	assert.Equal(t, 2, n)
	assert.Equal(t, "11 answers", text)
	require.NoError(t, st.View(ctx, func(tx cadence.Tx) error {
		m, err := tx.Message("summary")
		require.NoError(t, err)
		assert.Equal(t, []any{12, 12, cadence.StateSent}, []any{m.Revision, m.SentRevision, m.State})
		return nil
	}))
}
