package local_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/local"
	"github.com/cadencebot/cadencebot/cadence"
)

func TestChatRefsAreRoomAndKey(t *testing.T) {
	c := local.NewChat()
	ctx := context.Background()
	assert.Equal(t, "local", c.Platform())

	dm := &cadence.Message{Key: "occ/triage@20261130T083000Z/prompt/ana", To: cadence.Recipient{Person: "ana"}}
	ref, err := c.Send(ctx, dm, cadence.Ref{})
	require.NoError(t, err)
	assert.Equal(t, cadence.Ref{Channel: "@ana", ID: dm.Key}, ref)

	sum := &cadence.Message{Key: "occ/triage@20261130T083000Z/summary", To: cadence.Recipient{Channel: "mlops"}}
	ref, err = c.Send(ctx, sum, cadence.Ref{Channel: "#mlops", ID: "occ/triage@20261130T083000Z/agenda"})
	require.NoError(t, err)
	assert.Equal(t, cadence.Ref{Channel: "#mlops", ID: sum.Key}, ref)
	require.NoError(t, c.Update(ctx, ref, sum))
	assert.Equal(t, uint64(3), c.Version(), "each send and update wakes pages")

	// A ref from elsewhere is a permanent failure, not a silent success.
	err = c.Update(ctx, cadence.Ref{Channel: "#mlops", ID: "other"}, sum)
	var se *cadence.SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "message_not_found", se.Code)
	retry, _ := cadence.IsRetryable(err)
	assert.False(t, retry)

	// A message caught in "sending" by a crash is already delivered here.
	got, ok, err := c.Lookup(ctx, sum, cadence.Ref{})
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, cadence.Ref{Channel: "#mlops", ID: sum.Key}, got)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.Send(canceled, dm, cadence.Ref{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestChatWait(t *testing.T) {
	c := local.NewChat()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.Equal(t, uint64(0), c.Wait(ctx, 0), "returns when the context ends")
	assert.Equal(t, uint64(0), c.Wait(context.Background(), 7), "returns at once when the caller is behind (bot restarted)")

	done := make(chan uint64)
	go func() { done <- c.Wait(context.Background(), 0) }()
	_, err := c.Send(context.Background(), &cadence.Message{Key: "k", To: cadence.Recipient{Person: "ana"}}, cadence.Ref{})
	require.NoError(t, err)
	select {
	case v := <-done:
		assert.Equal(t, uint64(1), v)
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not wake on Send")
	}
}
