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

// TestPipelinedDispatcher: with several sends in flight, each
// conversation still gets its messages once and in queue order, a
// conversation whose head must wait holds back its own later messages
// only, and the adapter's in-flight bound holds.
func TestPipelinedDispatcher(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clock := cadence.NewManualClock(start)
	st := cadencetest.NewStore()
	chat := cadencetest.NewConcurrentChat("slack", 4, 2*time.Millisecond)
	chat.Before = func(m *cadence.Message) error {
		if m.Key == "r0/0" { // Slack asks this conversation's head to wait
			return &cadence.SendError{Retryable: true, NotSent: true, RetryAfter: time.Minute, Code: "ratelimited", Err: fmt.Errorf("429")}
		}
		return nil
	}
	const people, each = 10, 4
	require.NoError(t, st.Update(ctx, func(tx cadence.Tx) error {
		for j := range each {
			for i := range people { // interleaved, as a fan-out queues them
				m := &cadence.Message{
					Key: fmt.Sprintf("r%d/%d", i, j), Kind: cadence.KindPrompt, Platform: "slack",
					To: cadence.Recipient{Person: fmt.Sprintf("r%d", i)}, Body: cadence.Body{Text: "hi"},
					CreatedAt: start.Add(time.Duration(j*people+i) * time.Millisecond), Revision: 1,
					State: cadence.StatePending, NextAttemptAt: start,
				}
				if _, err := tx.Enqueue(m); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	d := cadence.NewDispatcher(st, clock, map[string]cadence.Chat{"slack": chat}, zerolog.Nop(), nil, cadence.WithInFlight(8))
	sent, err := d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, (people-1)*each, sent, "all but the waiting conversation")
	assert.Empty(t, chat.Duplicates())

	order := map[string][]string{}
	for _, del := range chat.Delivered() {
		order[del.Message.To.Person] = append(order[del.Message.To.Person], del.Message.Key)
	}
	assert.Empty(t, order["r0"], "r0's later messages wait behind its head")
	for i := 1; i < people; i++ {
		r := fmt.Sprintf("r%d", i)
		assert.Equal(t, []string{r + "/0", r + "/1", r + "/2", r + "/3"}, order[r], "%s in queue order", r)
	}
	assert.Greater(t, chat.Peak(), 1, "sends overlapped")
	assert.LessOrEqual(t, chat.Peak(), 4, "within the adapter's bound")

	// Once its wait is over, r0 gets its four, in order.
	chat.Before = nil
	clock.Set(start.Add(time.Minute))
	sent, err = d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, each, sent)
	var r0 []string
	for _, del := range chat.Delivered() {
		if del.Message.To.Person == "r0" {
			r0 = append(r0, del.Message.Key)
		}
	}
	assert.Equal(t, []string{"r0/0", "r0/1", "r0/2", "r0/3"}, r0)
}

// TestPipelinedDispatcherSerialAdapter: an adapter that is not a
// ConcurrentChat is called one message at a time whatever WithInFlight.
func TestPipelinedDispatcherSerialAdapter(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	st := cadencetest.NewStore()
	inFlight, peak := 0, 0
	chat := cadencetest.NewChat("teams")
	chat.BeforeSend = func(*cadence.Message) error {
		inFlight++ // unsynchronised on purpose: -race reports concurrent calls
		peak = max(peak, inFlight)
		time.Sleep(time.Millisecond)
		inFlight--
		return nil
	}
	require.NoError(t, st.Update(ctx, func(tx cadence.Tx) error {
		for i := range 6 {
			if _, err := tx.Enqueue(&cadence.Message{Key: fmt.Sprint(i), Kind: cadence.KindPrompt, Platform: "teams",
				To: cadence.Recipient{Person: fmt.Sprint("p", i)}, CreatedAt: start.Add(time.Duration(i)), Revision: 1,
				State: cadence.StatePending, NextAttemptAt: start}); err != nil {
				return err
			}
		}
		return nil
	}))
	d := cadence.NewDispatcher(st, cadence.NewManualClock(start), map[string]cadence.Chat{"teams": chat}, zerolog.Nop(), nil, cadence.WithInFlight(8))
	sent, err := d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 6, sent)
	assert.Equal(t, 1, peak)
}
